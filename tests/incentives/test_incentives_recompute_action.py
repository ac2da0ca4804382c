"""The staff action "Recompute earnings" (portal and API): an admin queues the set-based
recomputation of an active commission program, the worker writes the missing lines and the
run is audited; other kinds are refused with a message or a 400."""

from __future__ import annotations

from decimal import Decimal

import pytest

from incentives.models import Earning
from prm.models import AuditEvent
from prm.tenancy import tenant_context
from tests.conftest import api_client, build_world, portal_client, wait_for
from tests.incentives.test_incentives_support import program, won_deal


@pytest.mark.django_db(transaction=True)
@pytest.mark.celery_worker
def test_an_admin_recomputes_a_commission_program_and_the_worker_writes_the_missing_lines(
    celery_worker,
):
    world = build_world("recompute")
    with tenant_context(world.tenant):
        # Deals won before the program existed: the per-deal path never ran for them.
        deals = [won_deal(world, amount="1000"), won_deal(world, amount="3000")]
        prog = program(world, rules={"sourced_rate": "10"}, clawback_days=0)
    resp = portal_client(world.tenant, world.admin).post(
        f"/incentives/programs/{prog.pk}/recompute/"
    )
    assert resp.status_code == 302

    def lines():
        with tenant_context(world.tenant):
            return sorted(
                (e.deal_id, e.amount, e.status) for e in Earning.objects.filter(program=prog)
            )

    assert wait_for(lambda: len(lines()) == 2)
    assert lines() == [
        (deals[0].pk, Decimal("100.00"), "pending"),
        (deals[1].pk, Decimal("300.00"), "pending"),
    ]
    resp = api_client(world.tenant, world.admin).post(
        f"/api/v1/incentives/programs/{prog.pk}/recompute/"
    )
    assert (resp.status_code, resp.json()) == (202, {"program": prog.pk, "queued": True})

    def audited():
        with tenant_context(world.tenant):
            return list(
                AuditEvent.objects.filter(action="incentive_program.recomputed").values_list(
                    "after", flat=True
                )
            )

    runs = wait_for(lambda: len(audited()) == 2 and audited())
    assert sorted(r["lines"] for r in runs) == [0, 2]  # the second run wrote nothing
    assert len(lines()) == 2


@pytest.mark.django_db
def test_recomputing_a_rebate_program_is_refused_in_the_portal_and_the_api(world):
    with tenant_context(world.tenant):
        rebate = program(world, kind="rebate", rules={"tiers": [{"threshold": "0", "rate": "1"}]})
    resp = portal_client(world.tenant, world.admin).post(
        f"/incentives/programs/{rebate.pk}/recompute/", follow=True
    )
    assert "Only commission programs can be recomputed." in resp.content.decode()
    resp = api_client(world.tenant, world.admin).post(
        f"/api/v1/incentives/programs/{rebate.pk}/recompute/"
    )
    assert resp.status_code == 400
    assert "program" in str(resp.json())
