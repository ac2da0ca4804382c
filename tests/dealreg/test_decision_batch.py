"""Registrations decided in a batch (dealreg.services.deals_evaluate_queued): the task of the
first registration of a burst decides the ones waiting behind it, oldest first, with the
same outcomes and explanations as one task per registration."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from dealreg import services
from dealreg.models import Deal, DealEvent, DealMatch
from prm.tenancy import tenant_context
from tests.conftest import build_world

pytestmark = pytest.mark.django_db


def submitted(world, member, **over) -> Deal:
    """A registration submitted and waiting for the rules (nothing decided yet)."""
    data = {
        "customer_name": "Globex Corporation",
        "customer_domain_input": "globex.com",
        "country": "US",
        "amount": Decimal("20000"),
        "currency": "USD",
        "expected_close_date": timezone.now().date() + datetime.timedelta(days=14),
        "contact_name": "Hank Scorpio",
        "contact_email": "hank@globex.com",
    } | over
    with tenant_context(world.tenant):
        return services.deal_save(by=member, data=data, submit=True)


def burst(world) -> list[Deal]:
    """Two partners register the same customer, then a clean one, then one above the
    auto-approval limit, then the other partner registers the same customer again."""
    return [
        submitted(world, world.partner_admin),
        submitted(world, world.other_partner_user),
        submitted(
            world, world.partner_admin, customer_name="Initech", customer_domain_input="initech.com"
        ),
        submitted(
            world,
            world.partner_admin,
            customer_name="Umbrella Corp",
            customer_domain_input="umbrella.example",
            amount=Decimal("90000"),
        ),
        submitted(world, world.other_partner_user, customer_name="Globex Corp."),
    ]


def outcome(world, deals: list[Deal]) -> list[dict]:
    """What each registration ended as, with its explanations, in words that do not depend
    on the tenant (its partners' names and deal numbers replaced by placeholders)."""
    names = {world.partner.name: "<A>", world.other_partner.name: "<B>"}
    with tenant_context(world.tenant):
        rows = {d.pk: d for d in Deal.objects.filter(pk__in=[d.pk for d in deals])}
        names |= {rows[d.pk].number: f"<deal {i}>" for i, d in enumerate(deals)}

        def plain(text: str) -> str:
            for name, placeholder in names.items():
                text = text.replace(name, placeholder)
            return text

        return [
            {
                "status": rows[d.pk].status,
                "reason": plain(rows[d.pk].decision_reason),
                "has_conflicts": rows[d.pk].has_conflicts,
                "matches": sorted(
                    (m.kind, plain(m.reason), plain(m.partner_reason))
                    for m in DealMatch.objects.filter(deal_id=d.pk)
                ),
                "timeline": [
                    (e.kind, plain(e.message))
                    for e in DealEvent.objects.filter(deal_id=d.pk).order_by("at", "pk")
                ],
            }
            for d in deals
        ]


def test_a_batch_decides_the_waiting_registrations_as_one_task_each_would():
    batched, one_by_one = build_world("batched"), build_world("onebyone")
    queued = burst(batched)
    with tenant_context(batched.tenant):
        decided = services.deals_evaluate_queued(deal_id=queued[0].pk, seconds=60)
    # Every waiting registration decided, oldest submission first, by the first task.
    assert [d.pk for d in decided] == [d.pk for d in queued]

    separate = burst(one_by_one)
    for deal in separate:
        with tenant_context(one_by_one.tenant):
            services.deal_evaluate(deal_id=deal.pk)

    got, expected = outcome(batched, queued), outcome(one_by_one, separate)
    assert got == expected
    # Both registrations of the customer were waiting when the first was decided, so each
    # goes to a person naming the other; the clean one is approved, the large one reviewed.
    assert [o["status"] for o in got] == [
        "under_review",
        "under_review",
        "approved",
        "under_review",
        "under_review",
    ]
    assert any("<deal 0>" in m[1] for m in got[1]["matches"]), got[1]


def test_the_task_of_a_deal_decided_in_a_batch_only_looks_for_more():
    world = build_world("second")
    queued = burst(world)
    with tenant_context(world.tenant):
        services.deals_evaluate_queued(deal_id=queued[0].pk, limit=2, seconds=60)
        statuses = dict(Deal.objects.values_list("pk", "status"))
    assert [statuses[d.pk] for d in queued].count("submitted") == 3
    with tenant_context(world.tenant):
        # The second registration's own task: already decided, so it decides the rest.
        again = services.deals_evaluate_queued(deal_id=queued[1].pk, seconds=60)
        assert [d.pk for d in again] == [d.pk for d in queued[2:]]
        assert services.deals_evaluate_queued(deal_id=queued[4].pk) == []
        # Nothing was decided twice: one decision event per registration.
        kinds = list(
            DealEvent.objects.filter(kind__in=["approved", "rejected", "under_review"]).values_list(
                "deal_id", flat=True
            )
        )
    assert sorted(kinds) == sorted(d.pk for d in queued)


def test_a_batch_stops_at_its_limit():
    world = build_world("limit")
    queued = burst(world)
    with tenant_context(world.tenant):
        decided = services.deals_evaluate_queued(deal_id=queued[2].pk, limit=3, seconds=60)
    # The named deal first, then the oldest waiting ones.
    assert [d.pk for d in decided] == [queued[2].pk, queued[0].pk, queued[1].pk]


def test_a_registration_that_lost_its_task_long_ago_is_left_to_the_sweep():
    world = build_world("stale")
    queued = burst(world)
    with tenant_context(world.tenant):
        # Submitted an hour ago and never decided: its task was lost (broker down).
        Deal.objects.filter(pk=queued[1].pk).update(
            submitted_at=timezone.now() - datetime.timedelta(hours=1)
        )
        decided = services.deals_evaluate_queued(deal_id=queued[0].pk, seconds=60)
        assert [d.pk for d in decided] == [queued[0].pk, *[d.pk for d in queued[2:]]]
        assert Deal.objects.get(pk=queued[1].pk).status == "submitted"
        # The sweep re-queues it on its own; its task decides it.
        assert [d.pk for d in services.deals_evaluate_queued(deal_id=queued[1].pk)] == [
            queued[1].pk
        ]
