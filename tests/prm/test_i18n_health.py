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


def test_drivers_are_stored_as_a_key_with_parameters_and_rendered_when_read():
    [driver] = rules.drivers(
        rules.Figures(pipeline_90=Decimal("600"), pipeline_prev_90=Decimal("1000")), []
    )
    assert driver == {"key": "pipeline_down", "params": {"pct": 40}}
    assert rules.english(driver) == "Pipeline down 40% vs the previous 90 days"
    with translation.override("de"):
        assert rules.english(driver) == "Pipeline down 40% vs the previous 90 days"
        assert rules.message_text(driver) != rules.english(driver)


def test_components_are_stored_as_keys_numbers_and_messages():
    _value, components, _drivers = rules.score(
        rules.Figures(won_deals=3, lost_deals=1), dict.fromkeys(rules.COMPONENTS, 10)
    )
    win_rate = next(c for c in components if c["key"] == "win_rate")
    assert win_rate == {
        "key": "win_rate",
        "detail_msg": {"key": "win_rate_detail", "params": {"won": 3, "closed": 4}},
        "fraction": 0.75,
        "points": win_rate["points"],
        "max_points": win_rate["max_points"],
        "counted": True,
    }
    assert rules.english(win_rate["detail_msg"]) == "3 won of 4 closed"


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
        for c in snap.components:  # as stored before 2026-12-06: English text beside keys
            c.pop("detail_msg")
            c["detail"] = f"old input of {c['key']}"
            c["label"] = f"Old label {c['key']}"
        snap.save(update_fields=["drivers", "components"])
    _speaks(world.partner_user, "de")
    client = portal_client(world.tenant, world.partner_user)
    body = client.get("/analytics/").content.decode()
    assert "An old sentence from before the message keys" in body
    assert "old input of pipeline" in body
    rows = api_client(world.tenant, world.admin).get("/api/v1/analytics/health/").json()
    [row] = [r for r in rows["results"] if r["partner"] == world.partner.pk]
    pipeline = next(c for c in row["components"] if c["key"] == "pipeline")
    assert pipeline["detail"] == "old input of pipeline"


def test_api_gives_component_labels_and_inputs_in_the_requests_language(world):
    _drop_in_pipeline(world)

    def pipeline_component(language: str) -> dict:
        resp = api_client(world.tenant, world.admin).get(
            "/api/v1/analytics/health/", HTTP_ACCEPT_LANGUAGE=language
        )
        assert resp.status_code == 200
        [row] = [r for r in resp.json()["results"] if r["partner"] == world.partner.pk]
        return next(c for c in row["components"] if c["key"] == "pipeline")

    english = pipeline_component("en")
    assert english["label"] == "Pipeline registered, last 90 days"
    assert english["detail"].startswith("500 registered (peer median "), english["detail"]
    german = pipeline_component("de")
    with translation.override("de"):
        assert german["label"] == str(rules.COMPONENTS["pipeline"])
    assert german["detail"] != english["detail"] and german["label"] != english["label"]
    assert {k: v for k, v in german.items() if k not in ("label", "detail")} == {
        k: v for k, v in english.items() if k not in ("label", "detail")
    }


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
