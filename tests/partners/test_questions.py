"""Sibling apps answer deal registration's questions through partners.questions, registered in
their ready(): onboarding (the agreement), MDF (campaign codes) and marketing (whose campaign
a code is, and its campaign's figures)."""

import pytest

from marketing import campaign_selectors
from mdf import selectors as mdf_selectors
from onboarding import selectors as onboarding_selectors
from partners import questions


def test_onboarding_mdf_and_marketing_answer_from_ready():
    assert questions._answers == {  # noqa: SLF001 - the registry itself is under test
        "partner.agreement_current": onboarding_selectors.has_current_agreement,
        "partner.may_register_deals": onboarding_selectors.deal_registration_allowed,
        "partner.campaign_code_usable": mdf_selectors.campaign_code_usable,
        "partner.marketing_campaign_of": campaign_selectors.is_partners_campaign,
        "campaign.figures": campaign_selectors.campaign_figures,
    }


def test_an_unanswered_question_gets_its_conservative_default(monkeypatch):
    monkeypatch.setattr(questions, "_answers", {})
    assert questions.ask("partner.campaign_code_usable", partner_id=1, code="X") is False
    assert questions.ask("partner.may_register_deals", partner=None) is True
    # A data question answers None (no figures) when nobody answers it.
    assert questions.ask("campaign.figures", partner_id=1, code="X") is None


def test_an_undeclared_question_is_an_error():
    with pytest.raises(KeyError):
        questions.ask("partner.favourite_colour")
    with pytest.raises(KeyError):
        questions.answer("partner.favourite_colour", lambda: True)
