"""One formatting vocabulary (issue #18, item 6): money with its currency, one date and one
date-time format per language, percentages and ratios rounded for people, labels instead of
codes, people by name with the e-mail on hover."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils import translation

from prm import labels
from prm.audit import log_action
from prm.models import User
from prm.tenancy import tenant_context
from tests.conftest import portal_client
from tests.factories import DealFactory, WebhookEndpointFactory
from tests.html_helpers import find, find_all


def render(source: str, **context) -> str:
    return Template("{% load fmt %}" + source).render(Context(context))


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "€2,000,000"), ("de", "2.000.000\u00a0€")],
)
def test_money0_groups_large_amounts_with_the_currency(language, expected):
    with translation.override(language):
        assert render("{{ a|money0:'EUR' }}", a=Decimal("2000000.00")) == expected


def test_money_keeps_cents_and_never_prints_a_bare_number():
    with translation.override("en"):
        assert render("{{ a|money:'USD' }}", a=Decimal("3800")) == "$3,800.00"
        assert render("{{ a|money:'USD' }}", a=None) == "—"
    with translation.override("de"):
        assert render("{{ a|money:'USD' }}", a=Decimal("3800")) == "3.800,00\u00a0$"


@pytest.mark.parametrize(
    ("language", "date", "datetime_"),
    [("en", "4 Dec 2026", "4 Dec 2026, 14:05"), ("de", "04.12.2026", "04.12.2026, 14:05")],
)
def test_one_date_and_one_datetime_format_per_language(language, date, datetime_):
    moment = datetime.datetime(2026, 12, 4, 14, 5, 9)
    day = moment.date()
    with translation.override(language):
        assert render('{{ d|date:"DATE_FORMAT" }}', d=day) == date
        assert render('{{ d|date:"SHORT_DATE_FORMAT" }}', d=day) == date
        assert render('{{ m|date:"DATETIME_FORMAT" }}', m=moment) == datetime_
        assert render('{{ m|date:"SHORT_DATETIME_FORMAT" }}', m=moment) == datetime_
        assert render("{{ d }}", d=day) == date  # a date printed bare uses the same format


@pytest.mark.parametrize(
    ("language", "roi", "percent", "share"),
    [("en", "11.2×", "12.5\u00a0%", "42\u00a0%"), ("de", "11,2×", "12,5\u00a0%", "42\u00a0%")],
)
def test_ratios_and_percentages_are_rounded_for_people(language, roi, percent, share):
    with translation.override(language):
        assert render("{{ r|ratio }}", r=Decimal("11.2368")) == roi
        assert render("{{ p|percent }}", p=Decimal("12.50")) == percent
        assert render("{{ s|share }}", s=Decimal("0.42")) == share
        assert render("{{ r|ratio }}", r=None) == "—"


def test_person_shows_the_name_and_the_email_on_hover():
    user = User(email="ada@example.com", full_name="Ada Lovelace")
    span = find(render("{{ u|person }}", u=user), "span")
    assert span.text() == "Ada Lovelace"
    assert span.attrs["title"] == "ada@example.com"


def test_person_without_a_name_is_the_email_and_a_gone_user_is_the_label():
    assert render("{{ u|person }}", u=User(email="bob@example.com")) == "bob@example.com"
    assert find(render("{{ u|person:'old@example.com' }}", u=None), "span").text() == (
        "old@example.com"
    )
    assert render("{{ u|person:'system' }}", u=None) == "system"
    assert render("{{ u|person }}", u=None) == "—"


def test_codes_get_labels_and_unknown_codes_read_like_words():
    with translation.override("en"):
        assert render('{{ c|label:"action" }}', c="tier.updated") == "Tier updated"
        assert render('{{ c|label:"event" }}', c="deal.approved") == "Deal registration approved"
        assert render('{{ c|label:"partner_type" }}', c="system_integrator") == (
            "System integrator"
        )
        assert render('{{ c|label:"region" }}', c="na") == "North America"
        assert labels.humanize("mdf.claim.remittance_rendered") == "MDF claim remittance rendered"
        assert render("{{ c|country }}", c="US") == "United States"
        assert render("{{ t|model_label }}", t="partners.tier") == "Tier"
    with translation.override("de"):
        assert render("{{ c|country }}", c="DE") == "Deutschland"


# log_action("app.what", ...) and action="app.what" with a literal code, in the project's code.
AUDIT_CODE = re.compile(r"""(?:log_action\(\s*|action=)["']([a-z_]+\.[a-z_.]*[a-z])["']""")


def test_every_audit_action_the_code_writes_has_a_label_in_both_languages():
    """The audit trail names each action in words (an app's audit_labels.py, or the event
    catalogue), translated, never a code nor its English fallback in a German trail."""
    root = Path(__file__).resolve().parents[2]
    codes = set()
    for path in root.glob("*/**/*.py"):
        parts = path.relative_to(root).parts
        if parts[0] in {".venv", ".data", "tests", "bench", "docs"} or "migrations" in parts:
            continue
        codes |= set(AUDIT_CODE.findall(path.read_text()))
    # Codes built from a prefix and the outcome (dealreg.services.extensions).
    codes |= {"deal.influencer_approved", "deal.influencer_rejected"}
    assert len(codes) > 100
    registered = {**labels.known(labels.EVENT), **labels.known(labels.ACTION)}
    assert sorted(codes - set(registered)) == []
    with translation.override("en"):
        english = {c: str(registered[c]) for c in codes}
    with translation.override("de"):
        untranslated = [c for c in codes if str(registered[c]) == english[c]]
    assert sorted(untranslated) == []


def test_truncate_keeps_the_whole_text_on_hover():
    long = "Very Long Customer Name " * 10
    span = find(render("{{ t|truncate:40 }}", t=long), "span")
    assert len(span.text()) <= 40
    assert span.text().endswith("…")
    assert span.attrs["title"] == long
    assert render("{{ t|truncate:40 }}", t="Short") == "Short"


def test_audit_trail_shows_action_labels_and_actors_by_name(world):
    world.admin.user.full_name = "Alice Admin"
    world.admin.user.save(update_fields=["full_name"])
    with tenant_context(world.tenant):
        tier = world.partner.tier
        log_action(
            "tier.updated",
            tenant=world.tenant,
            obj=tier or world.partner,
            actor=world.admin.user,
            after={"name": "Gold"},
        )
    page = portal_client(world.tenant, world.admin).get("/audit/").content.decode()
    cells = find_all(page, "td", text="Tier updated")
    assert cells, "the audit trail should show the action's label"
    assert not find_all(page, "td", text="tier.updated")
    actor = find_all(page, "span", title=world.admin.user.email, text="Alice Admin")
    assert actor, "the actor should be shown by name with the e-mail on hover"


def test_partner_list_shows_partner_types_by_label_not_code(world):
    with tenant_context(world.tenant):
        world.partner.partner_type = "system_integrator"
        world.partner.country = "US"
        world.partner.save(update_fields=["partner_type", "country"])
    page = portal_client(world.tenant, world.admin).get("/partners/").content.decode()
    assert find_all(page, "td", text="System integrator")
    assert find_all(page, "td", text="United States")
    assert not find_all(page, "td", text="system_integrator")
    assert not find_all(page, "td", text="US")


def test_an_audited_action_that_is_also_an_event_takes_the_event_title():
    with translation.override("en"):
        assert labels.label(labels.ACTION, "mdf.claim.paid") == "Claim paid"
    with translation.override("de"):
        german = labels.label(labels.ACTION, "deal.approved")
    assert german not in ("deal.approved", "Deal approved")


def test_webhook_list_names_events_by_their_title_not_their_code(world):
    WebhookEndpointFactory(tenant=world.tenant, event_types=["deal.approved", "mdf.claim.paid"])
    page = portal_client(world.tenant, world.admin).get("/integrations/webhooks/")
    cell = find(page.content.decode(), "td", text="Deal registration approved, Claim paid")
    assert "col-secondary" in cell.attrs["class"]  # steps aside on a phone


def test_lists_keep_what_status_and_amount_as_key_columns(world):
    deal = DealFactory(
        tenant=world.tenant, partner=world.partner, amount=Decimal("3800"), currency="USD"
    )
    page = portal_client(world.tenant, world.admin).get("/deals/").content.decode()
    classes = [(th, (th.attrs.get("class") or "").split()) for th in find_all(page, "th")]
    key = [th for th, names in classes if "col-secondary" not in names]
    headings = [th.text() for th in key]
    # What (the customer, linking to the deal: the deal number steps aside on a phone),
    # status and amount stay.
    assert headings[:1] == ["Customer"] and {"Amount", "Status"} <= set(headings)
    assert "Deal" not in headings
    links = find_all(page, "a", href=f"/deals/{deal.pk}/")
    assert [a.text() for a in links] == [deal.number, deal.customer_name]
    assert find_all(page, "td", class_="num", text="$3,800")
