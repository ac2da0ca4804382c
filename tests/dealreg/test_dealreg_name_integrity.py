"""Issue #17, items 1 and 2: an active registration always has the lookup data conflict
detection reads, however it was written, and an exact normalised-name match is always found.

In the demo, Northwind registered "Vandelay BluePeak 46", the exact name of BluePeak's
approved DR-58, and the rules approved it: the demo seed had written DR-58 without name
tokens, so the triggers gave it no lookup keys."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from dealreg import conflicts, services
from dealreg.models import Deal, DealMatch, DealNameKey, DealStatus
from dealreg.rules import name_keys, name_tokens
from dealreg.services import leads
from dealreg.tasks import daily_sweep
from partners.domains import normalise_company_name
from partners.models import Partner
from prm.models import AuditEvent, Member, Tenant
from prm.tenancy import tenant_context

pytestmark = pytest.mark.django_db

THRESHOLD = Decimal("0.85")


def _expected_keys(name: str) -> list[str]:
    return name_keys(name_tokens(normalise_company_name(name)))


def _keys(deal: Deal) -> list[str]:
    return sorted(DealNameKey.objects.filter(deal_id=deal.pk).values_list("key", flat=True))


def _assert_keys_follow(deal: Deal) -> None:
    deal = Deal.objects.get(pk=deal.pk)
    active = deal.status in (DealStatus.SUBMITTED, DealStatus.UNDER_REVIEW, DealStatus.APPROVED)
    assert _keys(deal) == (_expected_keys(deal.customer_name) if active else []), deal.status
    assert services.name_keys_check(tenant=deal.tenant).consistent


def _data(name: str, domain: str, **over) -> dict:
    return {
        "customer_name": name,
        "customer_domain_input": domain,
        "country": "US",
        "amount": Decimal("20000"),
        "currency": "USD",
        "expected_close_date": timezone.now().date() + datetime.timedelta(days=14),
        "contact_name": "Pat Buyer",
        "contact_email": f"pat@{domain}",
    } | over


# --- Every way of writing a deal gives it its keys -------------------------------------------


def test_a_deal_created_without_its_derived_name_columns_still_has_its_keys(world):
    """The demo seed's way: Deal.objects.create with the name only."""
    with tenant_context(world.tenant):
        deal = Deal.objects.create(
            tenant=world.tenant,
            partner=world.other_partner,
            status=DealStatus.APPROVED,
            customer_name="Vandelay BluePeak 46",
            customer_name_normalised="vandelay bluepeak 46",
        )
        assert _keys(deal) == _expected_keys("Vandelay BluePeak 46")


def test_bulk_created_and_bulk_renamed_deals_have_their_keys(world):
    with tenant_context(world.tenant):
        made = Deal.objects.bulk_create(
            [
                Deal(
                    tenant=world.tenant,
                    partner=world.other_partner,
                    status=DealStatus.SUBMITTED,
                    customer_name=f"Quillmore Freight {i}",
                )
                for i in range(3)
            ]
        )
        for deal in made:
            assert _keys(deal) == _expected_keys(deal.customer_name)
        Deal.objects.filter(pk=made[0].pk).update(customer_name="Brightwater Mills")
        assert _keys(made[0]) == _expected_keys("Brightwater Mills")


def test_the_database_refuses_an_active_deal_without_name_tokens(world):
    """Raw SQL (a restore script, a hand-written fix) cannot bypass the model either."""
    with tenant_context(world.tenant):
        deal = Deal.objects.create(
            tenant=world.tenant, partner=world.other_partner, customer_name="Orbitline"
        )
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cur:
            cur.execute(
                "UPDATE dealreg_deal SET status = 'approved', customer_name_tokens = '{}'"
                " WHERE id = %s",
                [deal.pk],
            )


def test_any_status_change_restores_keys_a_deal_had_lost(world):
    with tenant_context(world.tenant):
        deal = Deal.objects.create(
            tenant=world.tenant,
            partner=world.other_partner,
            status=DealStatus.UNDER_REVIEW,
            customer_name="Kestrel Haulage",
        )
        DealNameKey.objects.filter(deal_id=deal.pk).delete()
        Deal.objects.filter(pk=deal.pk).update(status=DealStatus.APPROVED)
        assert _keys(deal) == _expected_keys("Kestrel Haulage")


# --- The consistency check -----------------------------------------------------------------


def _lose_keys(world, name="Vandelay BluePeak 46") -> Deal:
    with tenant_context(world.tenant):
        deal = Deal.objects.create(
            tenant=world.tenant,
            partner=world.other_partner,
            status=DealStatus.APPROVED,
            customer_name=name,
        )
        DealNameKey.objects.filter(deal_id=deal.pk).delete()
        DealNameKey.objects.create(tenant=world.tenant, deal=deal, key="stale")
    return deal


def test_the_check_reports_and_repairs_keys_out_of_step(world):
    deal = _lose_keys(world)
    with tenant_context(world.tenant):
        report = services.name_keys_check(tenant=world.tenant)
        assert not report.consistent
        assert report.deals_with_wrong_keys == 1 and report.keys_extra == 1
        assert report.keys_missing == len(_expected_keys(deal.customer_name))
        assert _keys(deal) == ["stale"]  # a check alone changes nothing

        repaired = services.name_keys_check(tenant=world.tenant, repair=True)
        assert repaired.repaired
        assert _keys(deal) == _expected_keys(deal.customer_name)
        assert services.name_keys_check(tenant=world.tenant).consistent
        assert AuditEvent.objects.filter(action="deal.name_keys_repaired").exists()


def test_the_check_rederives_name_columns_written_wrong(world):
    with tenant_context(world.tenant):
        deal = Deal.objects.create(
            tenant=world.tenant,
            partner=world.other_partner,
            status=DealStatus.APPROVED,
            customer_name="The Müller Werke GmbH",
        )
        # A raw write behind the model's back (as the old demo seed's lower() was).
        with connection.cursor() as cur:
            cur.execute(
                "UPDATE dealreg_deal SET customer_name_normalised = 'the müller werke gmbh',"
                " customer_name_tokens = '{gmbh}' WHERE id = %s",
                [deal.pk],
            )
        assert services.name_keys_check(tenant=world.tenant).names_out_of_step == 1
        services.name_keys_check(tenant=world.tenant, repair=True)
        deal = Deal.objects.get(pk=deal.pk)
        assert deal.customer_name_normalised == "muller werke"
        assert _keys(deal) == _expected_keys("The Müller Werke GmbH")


def test_the_command_reports_then_repairs_a_tenants_keys(world, stranger):
    deal = _lose_keys(world)
    _lose_keys(stranger)
    out = io.StringIO()
    with pytest.raises(CommandError, match="--repair"):
        call_command("dealreg_check_keys", tenant=world.tenant.slug, stdout=out)
    assert "1 with wrong keys" in out.getvalue()

    out = io.StringIO()
    call_command("dealreg_check_keys", tenant=world.tenant.slug, repair=True, stdout=out)
    assert "Repaired" in out.getvalue()
    call_command("dealreg_check_keys", tenant=world.tenant.slug, stdout=io.StringIO())
    with tenant_context(world.tenant):
        assert _keys(deal) == _expected_keys(deal.customer_name)
    with tenant_context(stranger.tenant):  # another tenant's keys are its own command's
        assert not services.name_keys_check(tenant=stranger.tenant).consistent


def test_the_deal_sweep_repairs_keys_out_of_step(world):
    deal = _lose_keys(world)
    result = daily_sweep.apply(kwargs={"tenant_id": world.tenant.pk}).get()
    assert result["name_keys_repaired"] == 1
    with tenant_context(world.tenant):
        assert _keys(deal) == _expected_keys(deal.customer_name)


# --- Every service that changes a deal's name or status keeps the keys ---------------------


def test_every_service_that_moves_or_renames_a_deal_keeps_its_keys(world):
    t = world.tenant
    with tenant_context(t):
        draft = services.deal_save(by=world.partner_admin, data=_data("Larkspur Dairy", "l.com"))
        _assert_keys_follow(draft)
        draft = services.deal_save(
            by=world.partner_admin, deal=draft, data={"customer_name": "Larkspur Creamery"}
        )
        _assert_keys_follow(draft)
        submitted = services.deal_submit(deal=draft, by=world.partner_admin)
        _assert_keys_follow(submitted)
        approved = services.deal_evaluate(deal_id=submitted.pk)
        assert approved.status == DealStatus.APPROVED
        _assert_keys_follow(approved)
        won = services.deal_sync(
            by=world.admin, external_id="CRM-1", deal=approved, won=True, amount=Decimal("5")
        )
        _assert_keys_follow(won)

        big = services.deal_save(
            by=world.partner_admin,
            data=_data("Harrow Mining", "harrow.example", amount=Decimal("900000")),
            submit=True,
        )
        reviewed = services.deal_evaluate(deal_id=big.pk)
        assert reviewed.status == DealStatus.UNDER_REVIEW
        _assert_keys_follow(reviewed)
        _assert_keys_follow(services.deal_reject(deal=reviewed, by=world.admin, reason="No"))

        other = services.deal_save(
            by=world.partner_admin,
            data=_data("Pinecrest Hotels", "pinecrest.example", amount=Decimal("900000")),
            submit=True,
        )
        other = services.deal_evaluate(deal_id=other.pk)
        other = services.deal_approve(deal=other, by=world.admin)
        _assert_keys_follow(other)
        _assert_keys_follow(
            services.deal_close(deal=other, by=world.admin, won=False, reason="Budget")
        )

        gone = services.deal_save(
            by=world.partner_admin, data=_data("Fallow Farms", "fallow.example"), submit=True
        )
        _assert_keys_follow(services.deal_withdraw(deal=gone, by=world.partner_admin))

        lapsing = services.deal_evaluate(
            deal_id=services.deal_save(
                by=world.partner_admin, data=_data("Ember Glass", "ember.example"), submit=True
            ).pk
        )
        services.deals_expire(tenant=t, today=lapsing.protected_until + datetime.timedelta(days=1))
        _assert_keys_follow(lapsing)

        world.partner.country = "DE"
        world.partner.save(update_fields=["country"])
        lead = leads.lead_create(
            by=world.channel_manager, company="Initech GmbH", domain="initech.de", country="DE"
        )
        offer = leads.lead_route(lead=lead)
        _assert_keys_follow(leads.lead_accept(offer=offer, by=world.partner_user))


# --- Item 2: an exact normalised-name match is always found --------------------------------


def _active(world, name: str, partner=None) -> Deal:
    return Deal.objects.create(
        tenant=world.tenant,
        partner=partner or world.partner,
        status=DealStatus.UNDER_REVIEW,
        customer_name=name,
        submitted_at=timezone.now(),
    )


def _detect(world, name: str):
    return conflicts.detect(
        conflicts.Probe.from_input(
            tenant_id=world.tenant.pk,
            partner_id=world.partner.pk,
            customer_name=name,
            customer_domain_input="unrelated.example",
        ),
        threshold=THRESHOLD,
    )


def test_an_exact_name_of_very_common_words_is_found_among_many(world, monkeypatch):
    """A tenant where the name's words are in every other registration: the key statistics
    and the ranking must not decide whether another partner's exact registration is found."""
    monkeypatch.setattr(conflicts, "KEY_CAP", 3)
    with tenant_context(world.tenant):
        for _ in range(conflicts.RANKED_LIMIT + 5):
            _active(world, "Nordic Analytics Group")  # our own earlier registrations
        theirs = _active(world, "Nordic Analytics Group", partner=world.other_partner)
        found = _detect(world, "Nordic Analytics Group")
    assert [(m.kind, m.score) for m in found if m.matched_deal.pk == theirs.pk] == [
        ("name", Decimal("1.000"))
    ]


def test_an_exact_name_is_found_even_when_its_keys_are_missing(world):
    with tenant_context(world.tenant):
        theirs = _active(world, "Vandelay BluePeak 46", partner=world.other_partner)
        DealNameKey.objects.filter(deal_id=theirs.pk).delete()
        found = _detect(world, "VANDELAY BluePeak 46")
    assert [(m.kind, m.matched_deal.pk) for m in found] == [("name", theirs.pk)]


# --- The demo, end to end ------------------------------------------------------------------


def test_the_exact_name_of_an_approved_demo_deal_is_a_conflict_not_an_auto_approval(
    settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", stdout=io.StringIO())
    acme = Tenant.objects.get(slug="acme")
    with tenant_context(acme):
        assert services.name_keys_check(tenant=acme).consistent
        bluepeak = Partner.objects.get(name="BluePeak Integrators")
        seeded = list(  # the history the analytics seed wrote ("Vandelay BluePeak 46")
            Deal.objects.filter(
                partner=bluepeak, status=DealStatus.APPROVED, customer_name__regex=r" [0-9]+$"
            ).order_by("pk")
        )
        theirs = next((d for d in seeded if d.customer_name.startswith("Vandelay")), seeded[0])
        ada = Member.objects.get(user__email="ada@northwind.example")
        precheck_found = _detect_for(ada, theirs.customer_name)
        mine = services.deal_save(
            by=ada,
            data=_data(theirs.customer_name, "vandelay-corp.example", amount=Decimal("1000")),
            submit=True,
        )
        mine = services.deal_evaluate(deal_id=mine.pk)
        matched = set(DealMatch.objects.filter(deal=mine).values_list("kind", "matched_deal"))
    assert precheck_found, "the pre-check must not say 'likely available'"
    assert mine.status == DealStatus.UNDER_REVIEW
    assert ("name", theirs.pk) in matched


def _detect_for(member, name: str):
    return conflicts.detect(
        conflicts.Probe.from_input(
            tenant_id=member.tenant_id,
            partner_id=member.partner_id,
            customer_name=name,
            customer_domain_input="vandelay-corp.example",
        ),
        threshold=THRESHOLD,
    )
