"""Events attended feed the health score: the "events" component (analytics.rules), read from
community's registrations, hand-computed."""

from __future__ import annotations

import datetime

import pytest

from analytics import rules, services
from analytics.models import AnalyticsSettings, HealthSnapshot
from prm.roles import Role
from prm.tenancy import tenant_context
from tests.factories import CommunityEventFactory, MemberFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 15)


def _at(days_ago: int) -> datetime.datetime:
    day = TODAY - datetime.timedelta(days=days_ago)
    return datetime.datetime.combine(day, datetime.time(15), tzinfo=datetime.UTC)


def _weights(tenant, **weights) -> None:
    config = AnalyticsSettings.for_tenant(tenant)
    for k in rules.COMPONENTS:
        setattr(config, f"weight_{k}", weights.get(k, 0))
    config.save()


def _event(world, days_ago: int, **extra):
    start = _at(days_ago)
    return CommunityEventFactory(
        tenant=world.tenant, starts_at=start, ends_at=start + datetime.timedelta(hours=1), **extra
    )


def _attended(world, event, member, attended=True):
    return RegistrationFactory(
        tenant=world.tenant,
        event=event,
        member=member,
        partner=member.partner,
        attended_at=event.starts_at if attended else None,
    )


def test_events_attended_in_the_last_90_days_score_against_a_target_of_two(world):
    with tenant_context(world.tenant):
        _weights(world.tenant, recency=50, events=50)
        first, second, old = _event(world, 10), _event(world, 80), _event(world, 120)
        colleague = MemberFactory(
            tenant=world.tenant, role=Role.PARTNER_USER, partner=world.partner
        )
        # Partner A: two events in the window (two people at the first count once), one old.
        _attended(world, first, world.partner_user)
        _attended(world, first, colleague)
        _attended(world, second, world.partner_admin)
        _attended(world, old, world.partner_admin)
        # Partner B: one event attended, one registered but not attended.
        _attended(world, first, world.other_partner_user)
        _attended(world, second, world.other_partner_user, attended=False)
        services.health_compute(tenant=world.tenant, today=TODAY)
        a = HealthSnapshot.objects.get(partner=world.partner, day=TODAY)
        b = HealthSnapshot.objects.get(partner=world.other_partner, day=TODAY)
    # No deal: recency 0 of 50 points. Events: A 2/2 -> 50 points; B 1/2 -> 25 points.
    assert (a.score, b.score) == (50, 25)
    events = next(c for c in a.components if c["key"] == "events")
    assert events["counted"] and "2 events attended" in rules.english(events["detail_msg"])


def test_without_events_in_the_window_the_component_is_left_out(world):
    with tenant_context(world.tenant):
        _weights(world.tenant, recency=50, events=50)
        old = _event(world, 120)
        _attended(world, old, world.partner_user)
        _event(world, 5, status="cancelled")  # a cancelled event is not one held
        services.health_compute(tenant=world.tenant, today=TODAY)
        a = HealthSnapshot.objects.get(partner=world.partner, day=TODAY)
    events = next(c for c in a.components if c["key"] == "events")
    assert not events["counted"]
    assert a.score == 0  # recency alone, no deal


def test_the_default_weights_leave_existing_scores_unchanged(world):
    with tenant_context(world.tenant):
        config = AnalyticsSettings.for_tenant(world.tenant)
    assert config.weight_events == 0
    assert sum(config.weights().values()) == 100
