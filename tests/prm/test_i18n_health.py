"""Health drivers are stored as message keys with parameters and shown in the reader's
language; snapshots written before (plain English strings) are still shown."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from analytics import rules, services
from analytics.models import HealthSnapshot, RiskEpisode
from prm.tenancy import tenant_context
from tests.analytics.test_analytics_health import make_deal
from tests.conftest import api_client, portal_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_afterwards():
    yield
    translation.activate("en")


def _drop_in_pipeline(world) -> None:
    with tenant_context(world.tenant):
        today = timezone.localdate()
        make_deal(world.partner, submitted=today - datetime.timedelta(days=120), amount=1000)
        make_deal(world.partner, submitted=today - datetime.timedelta(days=10), amount=500)
        services.health_compute(tenant=world.tenant)


def _speaks(member, language: str) -> None:
    member.user.language = language
    member.user.save(update_fields=["language"])


def test_drivers_are_stored_as_a_key_with_parameters_and_english_text():
    [driver] = rules.drivers(
        rules.Figures(pipeline_90=Decimal("600"), pipeline_prev_90=Decimal("1000")), []
    )
    assert driver == {
        "key": "pipeline_down",
        "params": {"pct": 40},
        "text": "Pipeline down 40% vs the previous 90 days",
    }


def test_a_driver_reads_in_the_active_language_with_local_number_format():
    figures = rules.Figures(mdf_allocated=Decimal("12000"), mdf_paid=Decimal("1500"))
    _value, components, drivers = rules.score(figures, {"mdf": 100})
    [weak] = [d for d in drivers if d["key"] == "weak"]
    with translation.override("de"):
        german = rules.message_text(weak)
    with translation.override("en"):
        english = rules.message_text(weak)
    assert english == "Weak: mdf utilisation (1,500 paid of 12,000 allocated)"
    assert german.startswith("Schwach: ") and "1.500" in german and "12.000" in german


def test_german_partner_sees_german_drivers_and_inputs(world):
    _drop_in_pipeline(world)
    _speaks(world.partner_user, "de")
    body = portal_client(world.tenant, world.partner_user).get("/analytics/").content.decode()
    with translation.override("de"):
        expected = rules.MESSAGES["pipeline_down"] % {"pct": 50}
        no_mdf = str(rules.MESSAGES["no_mdf"])
    assert expected != "Pipeline down 50% vs the previous 90 days"
    assert expected in body and no_mdf in body
    assert "Pipeline down" not in body


def test_english_partner_still_sees_english_drivers(world):
    _drop_in_pipeline(world)
    _speaks(world.partner_user, "en")
    body = portal_client(world.tenant, world.partner_user).get("/analytics/").content.decode()
    assert "Pipeline down 50% vs the previous 90 days" in body


def test_old_snapshots_with_english_strings_are_still_shown(world):
    _drop_in_pipeline(world)
    with tenant_context(world.tenant):
        snap = HealthSnapshot.objects.get(partner=world.partner)
        snap.drivers = ["An old sentence from before the message keys"]
        for c in snap.components:
            c.pop("detail_msg")
        snap.save(update_fields=["drivers", "components"])
    _speaks(world.partner_user, "de")
    client = portal_client(world.tenant, world.partner_user)
    body = client.get("/analytics/").content.decode()
    assert "An old sentence from before the message keys" in body


def test_api_gives_drivers_as_sentences(world):
    _drop_in_pipeline(world)
    resp = api_client(world.tenant, world.admin).get("/api/v1/analytics/health/")
    assert resp.status_code == 200
    [row] = [r for r in resp.json()["results"] if r["partner"] == world.partner.pk]
    drivers = row["drivers"]
    assert "Pipeline down 50% vs the previous 90 days" in drivers


# --- At-risk episodes -----------------------------------------------------------------------


def _at_risk_partner_of_the_manager(world) -> RiskEpisode:
    with tenant_context(world.tenant):
        world.partner.owner = world.channel_manager
        world.partner.save(update_fields=["owner"])
        services.health_compute(tenant=world.tenant)  # no activity at all: score below 40
        return RiskEpisode.objects.get(partner=world.partner)


def test_an_episode_stores_its_reason_as_a_key_with_parameters(world):
    episode = _at_risk_partner_of_the_manager(world)
    assert episode.reason_msg["key"] == "score_below"
    assert episode.reason_msg["params"] == {"score": episode.score, "below": 40}
    assert episode.reason == f"Health score {episode.score} is below 40"


def test_german_manager_sees_the_at_risk_reason_in_german(world):
    episode = _at_risk_partner_of_the_manager(world)
    _speaks(world.channel_manager, "de")
    body = portal_client(world.tenant, world.channel_manager).get("/analytics/manager/")
    html = body.content.decode()
    with translation.override("de"):
        german = str(rules.MESSAGES["score_below"]) % {"score": episode.score, "below": 40}
    assert german != episode.reason
    assert german in html and episode.reason not in html


def test_an_episode_from_before_keys_were_stored_still_shows_its_text(world):
    episode = _at_risk_partner_of_the_manager(world)
    with tenant_context(world.tenant):
        RiskEpisode.objects.filter(pk=episode.pk).update(reason_msg={}, reason="Old reason")
    _speaks(world.channel_manager, "de")
    html = portal_client(world.tenant, world.channel_manager).get("/analytics/manager/")
    assert "Old reason" in html.content.decode()
