"""Deal registration: conflicts, rules, transitions, first-in-wins, expiry, leads."""

from __future__ import annotations

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.test import TestCase
from django.utils import timezone

from dealreg import services
from dealreg.models import Deal, DealEvent, DealMatch, Lead, LeadOffer, NamedAccount
from dealreg.services import leads
from partners.models import PartnerStatus
from prm.errors import DomainError
from prm.models import AuditEvent
from prm.tenancy import tenant_context
from tests.factories import MemberFactory, PartnerFactory, TierFactory
from tests.queued_tasks import send_deal_mails

pytestmark = pytest.mark.django_db


def in_two_weeks():
    return timezone.now().date() + datetime.timedelta(days=14)


def data(**over):
    base = {
        "customer_name": "Globex Corporation",
        "customer_domain_input": "globex.com",
        "country": "US",
        "amount": Decimal("20000"),
        "currency": "USD",
        "expected_close_date": in_two_weeks(),
        "contact_name": "Hank Scorpio",
        "contact_email": "hank@globex.com",
    }
    base.update(over)
    return base


def register(world, member=None, **over):
    member = member or world.partner_admin
    with tenant_context(world.tenant):
        deal = services.deal_save(by=member, data=data(**over), submit=True)
        services.deal_evaluate(deal_id=deal.pk)
        return Deal.objects.select_related("partner", "rules_version").get(pk=deal.pk)


def register_and_tell(world, member=None, **over):
    """register(), then what follows its commit in production: the work it queued after the
    commit is sent (its on-commit callbacks run) and the e-mails the decision queued go out
    (dealreg.notify, taken off the broker and run here: tests.queued_tasks)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        deal = register(world, member, **over)
    send_deal_mails(world.tenant)
    return deal


def reload(deal):
    with tenant_context(deal.tenant):
        return Deal.objects.get(pk=deal.pk)


# --- Rules --------------------------------------------------------------------------------


def test_clean_deal_is_auto_approved_and_protected(world):
    deal = register(world)
    assert deal.status == "approved"
    assert deal.protected_until == timezone.now().date() + datetime.timedelta(days=90)
    assert deal.rules_version.version == 1
    with tenant_context(world.tenant):
        event = AuditEvent.objects.get(action="deal.approved", object_id=str(deal.pk))
    assert event.after["automatic"] is True and event.after["rules_version"] == 1


def test_tier_protection_days_apply(world):
    with tenant_context(world.tenant):
        tier = TierFactory(tenant=world.tenant, name="Gold", rank=1, protection_days=120)
        world.partner.tier = tier
        world.partner.save(update_fields=["tier"])
    deal = register(world)
    assert deal.protected_until == timezone.now().date() + datetime.timedelta(days=120)


def test_amount_above_the_limit_goes_to_review(world):
    deal = register(world, amount=Decimal("50000.01"))
    assert deal.status == "under_review"


def test_conflict_goes_to_review_with_an_explained_match(world):
    first = register(world)
    second = register(
        world,
        member=world.other_partner_user,
        customer_name="GLOBEX Corp.",
        customer_domain_input="https://www.sales.globex.com/contact",
    )
    assert first.status == "approved" and second.status == "under_review"
    with tenant_context(world.tenant):
        kinds = {m.kind: m for m in DealMatch.objects.filter(deal=second)}
    assert {"domain", "name"} <= set(kinds) or "domain" in kinds
    match = kinds["domain"]
    assert match.matched_deal_id == first.pk
    assert f"same domain globex.com as DR-{first.pk} by {world.partner.name}" in match.reason
    assert world.partner.name not in match.partner_reason


def test_similar_name_without_a_domain_match_is_a_conflict(world):
    register(world, customer_name="Northwind Traders", customer_domain_input="northwind.com")
    second = register(
        world,
        member=world.other_partner_user,
        customer_name="Northwind Trader",
        customer_domain_input="nwtraders.io",
    )
    assert second.status == "under_review"
    with tenant_context(world.tenant):
        match = DealMatch.objects.get(deal=second)
    assert match.kind == "name" and match.score >= Decimal("0.85")


def test_name_threshold_is_tunable(world):
    with tenant_context(world.tenant):
        services.rules_publish(by=world.admin, name_similarity_threshold=Decimal("0.99"))
    register(world, customer_name="Northwind Traders", customer_domain_input="northwind.com")
    second = register(
        world,
        member=world.other_partner_user,
        customer_name="Northwind Trader",
        customer_domain_input="nwtraders.io",
    )
    assert second.status == "approved"
    assert second.rules_version.version == 2


def test_own_earlier_registration_is_a_duplicate(world):
    first = register(world)
    again = register(world, member=world.partner_user)
    with tenant_context(world.tenant):
        match = DealMatch.objects.get(deal=again)
    assert match.kind == "duplicate" and f"DR-{first.pk}" in match.partner_reason


def test_named_account_is_flagged_and_can_be_auto_rejected(world):
    with tenant_context(world.tenant):
        services.named_account_upsert(
            by=world.admin, name="Globex Inc", domain="globex.com", owner="Direct team"
        )
        services.rules_publish(by=world.admin, auto_reject_named_accounts=True)
    deal = register(world)
    assert deal.status == "rejected"
    assert "named account" in deal.decision_reason


def test_inactive_partner_is_auto_rejected(world):
    with tenant_context(world.tenant):
        world.partner.status = PartnerStatus.SUSPENDED
        world.partner.save(update_fields=["status"])
    with tenant_context(world.tenant), pytest.raises(DomainError):
        services.deal_save(by=world.partner_admin, data=data(), submit=True)


def test_tier_not_in_the_auto_approve_set_goes_to_review(world):
    with tenant_context(world.tenant):
        gold = TierFactory(tenant=world.tenant, name="Gold", rank=2)
        services.rules_publish(by=world.admin, auto_approve_tier_ids=[gold.pk])
    assert register(world).status == "under_review"


def test_rules_with_a_future_effective_date_do_not_apply_yet(world):
    with tenant_context(world.tenant):
        services.rules_publish(
            by=world.admin,
            auto_approve=False,
            effective_from=timezone.now() + datetime.timedelta(days=3),
        )
    assert register(world).status == "approved"


def test_submission_needs_domain_amount_and_close_date(world):
    with tenant_context(world.tenant), pytest.raises(DomainError) as err:
        services.deal_save(
            by=world.partner_admin,
            submit=True,
            # No website and no contact e-mail to take the customer's domain from.
            data=data(customer_domain_input="", contact_email="", amount=None),
        )
    assert set(err.value.errors) == {"customer_domain_input", "amount"}


def test_drafts_can_be_saved_incomplete(world):
    with tenant_context(world.tenant):
        deal = services.deal_save(by=world.partner_user, data={"customer_name": "Hooli"})
    assert deal.status == "draft"


# --- Transitions --------------------------------------------------------------------------


def test_manager_rejects_with_a_reason_shown_to_the_partner(world):
    deal = register(world, amount=Decimal("90000"))
    with tenant_context(world.tenant):
        with pytest.raises(DomainError):
            services.deal_reject(deal=deal, by=world.channel_manager, reason="")
        services.deal_reject(deal=deal, by=world.channel_manager, reason="Vendor already engaged")
        events = list(
            DealEvent.objects.filter(deal=deal, staff_only=False).values_list("message", flat=True)
        )
    assert reload(deal).status == "rejected"
    assert any("Vendor already engaged" in m for m in events)


def test_partner_cannot_approve_its_own_deal(world):
    deal = register(world, amount=Decimal("90000"))
    with tenant_context(world.tenant), pytest.raises(DomainError):
        services.deal_approve(deal=deal, by=world.partner_admin)


@pytest.mark.parametrize("move", ["approve", "reject"])
def test_decided_deals_cannot_be_decided_again(world, move):
    deal = register(world)
    with tenant_context(world.tenant), pytest.raises(DomainError):
        if move == "approve":
            services.deal_approve(deal=deal, by=world.channel_manager)
        else:
            services.deal_reject(deal=deal, by=world.channel_manager, reason="x")


def test_won_is_repeatable_lost_is_final_and_both_update_metrics(world):
    deal = register(world)
    with tenant_context(world.tenant):
        services.deal_close(deal=deal, by=world.channel_manager, won=True, amount=Decimal("25000"))
        again = services.deal_close(
            deal=deal, by=world.channel_manager, won=True, amount=Decimal("25000")
        )
        assert again.status == "won"
        from partners.models import PartnerMetrics

        metrics = PartnerMetrics.objects.get(partner=world.partner)
        assert metrics.won_revenue_12m == Decimal("25000") and metrics.won_deals_12m == 1
        # A won deal may still be lost (refunded, cancelled); lost is final.
        services.deal_close(deal=deal, by=world.channel_manager, won=False, reason="Refunded")
        with pytest.raises(DomainError):
            services.deal_close(
                deal=deal, by=world.channel_manager, won=True, amount=Decimal("25000")
            )
        metrics = PartnerMetrics.objects.get(partner=world.partner)
    assert metrics.won_revenue_12m == Decimal("0") and metrics.won_deals_12m == 0


def test_partner_withdraws_a_pending_deal(world):
    deal = register(world, amount=Decimal("90000"))
    with tenant_context(world.tenant):
        services.deal_withdraw(deal=deal, by=world.partner_user)
        with pytest.raises(DomainError):
            services.deal_withdraw(deal=deal, by=world.partner_user)
    assert reload(deal).status == "withdrawn"


def test_other_partner_cannot_touch_the_deal(world):
    deal = register(world, amount=Decimal("90000"))
    with tenant_context(world.tenant), pytest.raises(DomainError):
        services.deal_withdraw(deal=deal, by=world.other_partner_user)


def test_extension_is_limited_by_the_rules(world):
    deal = register(world)
    with tenant_context(world.tenant):
        with pytest.raises(DomainError):  # protection ends in 90 days: too early to ask
            services.extension_request(deal=deal, by=world.partner_user, reason="Early")
        deal.protected_until = timezone.now().date() + datetime.timedelta(days=10)
        Deal.objects.filter(pk=deal.pk).update(protected_until=deal.protected_until)
        req = services.extension_request(deal=deal, by=world.partner_user, reason="Legal review")
        services.extension_decide(request=req, by=world.channel_manager, approve=True)
        assert reload(deal).protected_until == deal.protected_until + datetime.timedelta(days=30)
        with pytest.raises(DomainError):
            services.extension_request(deal=deal, by=world.partner_user, reason="Again")


def test_submitting_records_the_first_deal_time(world):
    register(world)
    with tenant_context(world.tenant):
        from partners.models import Partner

        assert Partner.objects.get(pk=world.partner.pk).first_deal_at is not None


# --- Expiry, reminders, SLA ---------------------------------------------------------------


def test_expiry_frees_the_customer_and_is_audited(world):
    deal = register(world)
    later = deal.protected_until + datetime.timedelta(days=1)
    with tenant_context(world.tenant):
        assert services.deals_expire(tenant=world.tenant, today=deal.protected_until) == 0
        assert services.deals_expire(tenant=world.tenant, today=later) == 1
        assert AuditEvent.objects.filter(action="deal.expired").count() == 1
    assert reload(deal).status == "expired"
    second = register(world, member=world.other_partner_user)
    assert second.status == "approved"


def test_expiry_reminder_goes_out_once_seven_days_before(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    deal = register(world)
    day = deal.protected_until - datetime.timedelta(days=7)
    with django_capture_on_commit_callbacks(execute=True), tenant_context(world.tenant):
        assert (
            services.deals_remind_expiring(
                tenant=world.tenant, today=day - datetime.timedelta(days=1)
            )
            == 0
        )
        assert services.deals_remind_expiring(tenant=world.tenant, today=day) == 1
        assert services.deals_remind_expiring(tenant=world.tenant, today=day) == 0
    send_deal_mails(world.tenant)
    assert any("ends on" in m.body for m in mailoutbox)


def test_overdue_reviews_escalate_once(world, mailoutbox, django_capture_on_commit_callbacks):
    deal = register(world, amount=Decimal("90000"))
    later = deal.sla_due_at + datetime.timedelta(minutes=1)
    with django_capture_on_commit_callbacks(execute=True), tenant_context(world.tenant):
        assert services.deals_escalate_overdue(tenant=world.tenant, now=later) == 1
        assert services.deals_escalate_overdue(tenant=world.tenant, now=later) == 0
    send_deal_mails(world.tenant)
    assert world.admin.user.email in [r for m in mailoutbox for r in m.to]


def test_low_risk_deals_are_approved_when_the_review_target_passes(world):
    with tenant_context(world.tenant):
        services.rules_publish(by=world.admin, auto_approve=False, auto_approve_on_sla_timeout=True)
    deal = register(world)
    assert deal.status == "under_review"
    with tenant_context(world.tenant):
        services.deals_escalate_overdue(
            tenant=world.tenant, now=deal.sla_due_at + datetime.timedelta(minutes=1)
        )
    assert reload(deal).status == "approved"


# --- First in wins ------------------------------------------------------------------------


def test_the_database_refuses_a_second_approved_deal_for_one_domain(world):
    first = register(world, amount=Decimal("90000"))
    second = register(world, member=world.other_partner_user, amount=Decimal("90000"))
    with tenant_context(world.tenant):
        services.deal_approve(deal=first, by=world.channel_manager)
        with pytest.raises(DomainError) as err:
            services.deal_approve(deal=second, by=world.channel_manager)
    assert err.value.code == "conflict"
    assert reload(second).status == "under_review"


def test_concurrent_registrations_for_one_customer_never_both_approve(transactional_db):
    from tests.conftest import build_world

    world = build_world("race")
    partners = [PartnerFactory(tenant=world.tenant, name=f"Racer {i}") for i in range(6)]
    members = [
        MemberFactory(tenant=world.tenant, role="partner_admin", partner=p) for p in partners
    ]
    with tenant_context(world.tenant):
        drafts = [services.deal_save(by=m, data=data()) for m in members]
    barrier = threading.Barrier(len(drafts))
    errors = []

    def go(member, deal):
        try:
            barrier.wait(timeout=30)
            with tenant_context(world.tenant):
                services.deal_submit(deal=deal, by=member)
            with tenant_context(world.tenant):
                services.deal_evaluate(deal_id=deal.pk)
        except Exception as exc:  # noqa: BLE001 - collected and checked below
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=go, args=(m, d)) for m, d in zip(members, drafts, strict=True)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a submission never finished"
    with tenant_context(world.tenant):
        statuses = list(
            Deal.objects.filter(customer_domain="globex.com").values_list("status", flat=True)
        )
    assert statuses.count("approved") <= 1, statuses
    assert not [e for e in errors if not isinstance(e, DomainError)], errors


# --- Leads --------------------------------------------------------------------------------


def test_lead_is_routed_to_the_best_fit_partner_with_reasons(world):
    with tenant_context(world.tenant):
        world.partner.country = "DE"
        world.partner.save(update_fields=["country"])
        lead = leads.lead_create(
            by=world.channel_manager, company="Initech GmbH", domain="initech.de", country="DE"
        )
        offer = leads.lead_route(lead=lead)
    assert offer.partner_id == world.partner.pk
    assert "Country match +40" in offer.explanation


def test_accepted_lead_becomes_a_protected_vendor_sourced_deal(world):
    with tenant_context(world.tenant):
        world.partner.country = "DE"
        world.partner.save(update_fields=["country"])
        lead = leads.lead_create(
            by=world.channel_manager,
            company="Initech GmbH",
            domain="initech.de",
            country="DE",
            amount=Decimal("5000"),
        )
        offer = leads.lead_route(lead=lead)
        deal = leads.lead_accept(offer=offer, by=world.partner_user)
        lead = Lead.objects.get(pk=lead.pk)
    assert deal.status == "approved" and deal.source == "vendor_lead"
    assert deal.protected_until is not None and lead.deal_id == deal.pk


def test_declined_lead_goes_to_the_next_partner(world):
    with tenant_context(world.tenant):
        lead = leads.lead_create(by=world.channel_manager, company="Initrode")
        first = leads.lead_route(lead=lead)
        member = (
            world.partner_admin
            if first.partner_id == world.partner.pk
            else world.other_partner_user
        )
        with pytest.raises(DomainError):
            leads.lead_decline(offer=first, by=member, reason="")
        second = leads.lead_decline(offer=first, by=member, reason="No capacity")
    assert second is not None and second.partner_id != first.partner_id


def test_unanswered_offer_times_out_to_the_next_partner(world):
    with tenant_context(world.tenant):
        lead = leads.lead_create(by=world.channel_manager, company="Vandelay Industries")
        first = leads.lead_route(lead=lead)
        assert (
            leads.leads_time_out(
                tenant=world.tenant, now=first.respond_by + datetime.timedelta(minutes=1)
            )
            == 1
        )
        offers = list(LeadOffer.objects.filter(lead=lead).order_by("offered_at"))
    assert offers[0].status == "timed_out" and offers[1].status == "open"


def test_partner_cannot_answer_another_partners_offer(world):
    with tenant_context(world.tenant):
        lead = leads.lead_create(by=world.channel_manager, company="Soylent")
        offer = leads.lead_route(lead=lead)
        outsider = (
            world.other_partner_user if offer.partner_id == world.partner.pk else world.partner_user
        )
        with pytest.raises(DomainError):
            leads.lead_accept(offer=offer, by=outsider)


def test_named_account_upsert_by_external_id_is_idempotent(world):
    with tenant_context(world.tenant):
        a = services.named_account_upsert(by=world.admin, name="Globex", external_id="SF-1")
        b = services.named_account_upsert(
            by=world.admin, name="Globex Corp", domain="globex.com", external_id="SF-1"
        )
        assert a.pk == b.pk and NamedAccount.objects.count() == 1
        assert NamedAccount.objects.get().domain == "globex.com"
