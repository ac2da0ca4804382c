"""Issue #17, item 4: protection ends on time. The demo showed "Approved, until Dec. 2
(0 minutes left)" two days after Dec. 2: the expiry sweep runs now every few minutes, and
every page and API answer shows a protection past its end as expired even before it runs."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from dealreg.models import Deal, DealStatus
from dealreg.tasks import expire_protections
from prm.celery import app
from prm.tenancy import tenant_context
from tests.conftest import api_client, portal_client

pytestmark = pytest.mark.django_db

DEALS = "/api/v1/deals/"


def _approved(world, *, ended_days_ago: int, name="Kingsbridge Ferries") -> Deal:
    today = timezone.now().date()
    with tenant_context(world.tenant):
        return Deal.objects.create(
            tenant=world.tenant,
            partner=world.partner,
            created_by=world.partner_admin,
            status=DealStatus.APPROVED,
            customer_name=name,
            customer_domain=f"{name.split()[0].lower()}.example",
            submitted_at=timezone.now() - datetime.timedelta(days=92),
            decided_at=timezone.now() - datetime.timedelta(days=92),
            protected_until=today - datetime.timedelta(days=ended_days_ago),
        )


def test_the_deal_page_shows_an_ended_protection_as_expired_before_the_sweep(world):
    deal = _approved(world, ended_days_ago=2)
    page = portal_client(world.tenant, world.partner_admin).get(f"/deals/{deal.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Protected until" not in html and "left)" not in html
    assert '<span class="status off">Expired</span>' in html
    assert "Request an extension" not in html


def test_a_protection_lasts_through_its_last_day(world):
    deal = _approved(world, ended_days_ago=0)
    html = portal_client(world.tenant, world.partner_admin).get(f"/deals/{deal.pk}/")
    assert "Protected until" in html.content.decode()


def test_the_deal_list_shows_ended_protections_as_expired_and_filters_by_what_it_shows(world):
    ended = _approved(world, ended_days_ago=2)
    current = _approved(world, ended_days_ago=-30, name="Ashford Looms")
    client = portal_client(world.tenant, world.partner_admin)
    html = client.get("/deals/").content.decode()
    row = next(r for r in html.split("<tr") if ended.number in r)
    assert "Expired" in row and "left)" not in row and "Approved" not in row
    approved = client.get("/deals/?status=approved").content.decode()
    assert current.number in approved and ended.number not in approved
    expired = client.get("/deals/?status=expired").content.decode()
    assert ended.number in expired and current.number not in expired


def test_the_api_answers_expired_for_an_ended_protection(world):
    ended = _approved(world, ended_days_ago=2)
    current = _approved(world, ended_days_ago=-30, name="Ashford Looms")
    client = api_client(world.tenant, world.partner_admin)
    body = client.get(f"{DEALS}{ended.pk}/").json()
    assert body["status"] == "expired"
    assert "extend" not in body["allowed_actions"]
    listed = {d["id"]: d["status"] for d in client.get(DEALS).json()["results"]}
    assert listed[ended.pk] == "expired" and listed[current.pk] == "approved"
    approved = [d["id"] for d in client.get(DEALS, {"status": "approved"}).json()["results"]]
    assert approved == [current.pk]
    expired = [d["id"] for d in client.get(DEALS, {"status": "expired"}).json()["results"]]
    assert expired == [ended.pk]


def test_the_expiry_sweep_runs_every_few_minutes_and_records_the_move(world):
    entries = [e for e in app.conf.beat_schedule.values() if e["task"] == "dealreg.expire_all"]
    assert len(entries) == 1
    minutes = sorted(entries[0]["schedule"].minute)
    gaps = [b - a for a, b in zip(minutes, [*minutes[1:], minutes[0] + 60], strict=True)]
    assert max(gaps) <= 5

    deal = _approved(world, ended_days_ago=1)
    assert expire_protections.apply(kwargs={"tenant_id": world.tenant.pk}).get() == 1
    with tenant_context(world.tenant):
        assert Deal.objects.get(pk=deal.pk).status == DealStatus.EXPIRED
