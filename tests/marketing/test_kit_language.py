"""A campaign kit is written in one language, and everything its recipients and visitors see
is framed in it: the landing page and its form, the thanks page, the sequence e-mails and the
unsubscribe page. A language the product has no translation for keeps the product's default,
never a mix of a third language."""

from __future__ import annotations

import pytest
from django.core import mail

from marketing import sequence_services
from marketing.campaign_models import CampaignKit
from marketing.campaign_selectors import partner_slug
from marketing.sequence_models import CampaignContact
from prm.tenancy import tenant_context
from tests.conftest import api_client, portal_client
from tests.html_helpers import find, find_all
from tests.marketing.campaign_helpers import KIT, kit, launched, lead_form
from tests.marketing.sequence_helpers import started

pytestmark = pytest.mark.django_db


def _landing(campaign) -> str:
    return f"/c/{partner_slug(campaign.partner)}/{campaign.code}/"


def _send_first_step(world, capture):
    with capture(execute=True), tenant_context(world.tenant):
        sequence_services.sequences_send_due(tenant=world.tenant)
    return mail.outbox[0]


def test_staff_choose_the_kit_language_in_the_portal_and_partners_see_it(world):
    staff = portal_client(world.tenant, world.channel_manager)
    data = {
        "name": "Frühjahrskampagne",
        "landing_headline": "Jetzt in die Cloud",
        "landing_body": "<p>{{ partner.name }} hilft Ihnen.</p>",
        "language": "de",
        "lead_form": "on",
        "steps-TOTAL_FORMS": "0",
        "steps-INITIAL_FORMS": "0",
    }
    resp = staff.post("/marketing/campaign-kits/new/", data)
    assert resp.status_code == 302, resp.content[:2000]
    with tenant_context(world.tenant):
        created = CampaignKit.objects.get()
    assert created.language == "de"
    page = staff.get(created.get_absolute_url())
    assert "Written in German." in page.content.decode()
    assert staff.post(f"/marketing/campaign-kits/{created.pk}/publish/").status_code == 302
    partner = portal_client(world.tenant, world.partner_admin)
    assert "Written in German." in partner.get(created.get_absolute_url()).content.decode()


def test_the_api_reads_writes_and_checks_the_language(world):
    staff = api_client(world.tenant, world.channel_manager)
    resp = staff.post("/api/v1/marketing/campaign-kits/", {**KIT, "language": "de"}, format="json")
    assert resp.status_code == 201, resp.json()
    assert resp.json()["language"] == "de"
    pk = resp.json()["id"]
    # A PATCH of another field keeps the language.
    resp = staff.patch(f"/api/v1/marketing/campaign-kits/{pk}/", {"name": "Renamed"}, format="json")
    assert resp.status_code == 200 and resp.json()["language"] == "de"
    bad = staff.patch(f"/api/v1/marketing/campaign-kits/{pk}/", {"language": "xx"}, format="json")
    assert bad.status_code == 400 and "language" in bad.json()["errors"]


def test_a_german_kits_landing_page_form_and_thanks_are_german(world):
    campaign = launched(world, language="de")
    client = portal_client(world.tenant)
    page = client.get(_landing(campaign))
    assert page.status_code == 200
    assert find(page, "html").attrs["lang"] == "de"
    assert find(page, "button", type="submit").text() == "Senden"
    # A form error comes back in German too.
    bad = client.post(_landing(campaign) + "lead/", lead_form(campaign, name=""))
    assert bad.status_code == 400
    assert "Dieses Feld ist erforderlich." in bad.content.decode()
    done = client.post(_landing(campaign) + "lead/", lead_form(campaign), follow=True)
    assert find(done, "html").attrs["lang"] == "de"


def test_an_english_kit_stays_english_for_a_german_browser(world):
    campaign = launched(world)
    page = portal_client(world.tenant).get(_landing(campaign), HTTP_ACCEPT_LANGUAGE="de")
    assert find(page, "html").attrs["lang"] == "en"
    assert find(page, "button", type="submit").text() == "Send"


def test_a_german_kits_e_mails_and_unsubscribe_page_are_german(
    world, django_capture_on_commit_callbacks
):
    started(world, language="de")
    message = _send_first_step(world, django_capture_on_commit_callbacks)
    assert "Abbestellen" in message.body and "Mehr erfahren" in message.body
    assert "Unsubscribe" not in message.body
    with tenant_context(world.tenant):
        contact = CampaignContact.objects.get(email=message.to[0])
        path = "/" + sequence_services.unsubscribe_url(contact, world.tenant).split("/", 3)[3]
    page = portal_client(world.tenant).get(path)
    assert find(page, "html").attrs["lang"] == "de"


def test_a_language_the_product_does_not_speak_keeps_the_default(
    world, django_capture_on_commit_callbacks
):
    started(world, language="fr")
    message = _send_first_step(world, django_capture_on_commit_callbacks)
    assert "Unsubscribe" in message.body and "Learn more" in message.body
    with tenant_context(world.tenant):
        assert kit(world, name="Another", language="ja").language == "ja"


def _kit_rows(resp) -> set[str]:
    return {
        a.text() for a in find_all(resp, "a") if a.parent and "data-kit" in a.parent.parent.attrs
    }


def test_partners_find_kits_by_language_and_words_in_the_portal(world):
    kit(world, name="Spring cloud campaign", language="en")
    kit(world, name="Frühjahrskampagne", language="de", description="Cloud für den Mittelstand")
    kit(world, name="Draft idea", language="de", publish=False)
    partner = portal_client(world.tenant, world.partner_admin)
    everything = partner.get("/marketing/campaign-kits/")
    assert _kit_rows(everything) == {"Spring cloud campaign", "Frühjahrskampagne"}
    assert not find_all(everything, "select", name="status")  # partners see published kits only
    german = partner.get("/marketing/campaign-kits/", {"language": "de"})
    assert _kit_rows(german) == {"Frühjahrskampagne"}
    assert "selected" in find(german, "option", value="de").attrs
    words = partner.get("/marketing/campaign-kits/", {"q": "mittelstand"})
    assert _kit_rows(words) == {"Frühjahrskampagne"}
    none = partner.get("/marketing/campaign-kits/", {"q": "nothing like it"})
    assert "No campaign kit matches." in none.content.decode()
    # A language outside the choices is a form error: the list stays unfiltered, no 500.
    bad = partner.get("/marketing/campaign-kits/", {"language": "xx"})
    assert bad.status_code == 200 and len(_kit_rows(bad)) == 2


def test_staff_filter_kits_by_status_too(world):
    kit(world, name="Published one")
    kit(world, name="Draft one", publish=False)
    staff = portal_client(world.tenant, world.channel_manager)
    assert _kit_rows(staff.get("/marketing/campaign-kits/", {"status": "draft"})) == {"Draft one"}


def test_the_api_filters_kits_and_answers_400_for_a_bad_filter(world):
    kit(world, name="Spring cloud campaign", language="en")
    kit(world, name="Frühjahrskampagne", language="de")
    kit(world, name="Entwurf", language="de", publish=False)
    partner = api_client(world.tenant, world.partner_admin)
    names = [
        k["name"]
        for k in partner.get("/api/v1/marketing/campaign-kits/", {"language": "de"}).json()[
            "results"
        ]
    ]
    assert names == ["Frühjahrskampagne"]
    names = [
        k["name"]
        for k in partner.get("/api/v1/marketing/campaign-kits/", {"q": "spring"}).json()["results"]
    ]
    assert names == ["Spring cloud campaign"]
    bad = partner.get("/api/v1/marketing/campaign-kits/", {"language": "xx"})
    assert bad.status_code == 400 and "language" in bad.json()["errors"]
    staff = api_client(world.tenant, world.channel_manager)
    drafts = staff.get("/api/v1/marketing/campaign-kits/", {"status": "draft"}).json()["results"]
    assert [k["name"] for k in drafts] == ["Entwurf"]
    assert staff.get("/api/v1/marketing/campaign-kits/", {"status": "gone"}).status_code == 400
