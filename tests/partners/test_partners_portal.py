"""Partner lifecycle in the portal: directory, status machine, offboarding, profiles, tiers."""

from __future__ import annotations

from decimal import Decimal

import pytest

from partners import services
from partners.models import (
    Partner,
    PartnerDomain,
    PartnerMetrics,
    Product,
    Tier,
)
from prm.errors import DomainError
from prm.models import ApiKey, AuditEvent, Member
from prm.tenancy import tenant_context
from tests.conftest import api_client, portal_client
from tests.factories import PartnerFactory, PartnerMetricsFactory, TierChangeFactory, TierFactory
from tests.html_helpers import find

pytestmark = pytest.mark.django_db


def reload(obj):
    with tenant_context(obj.tenant):
        return type(obj).objects.get(pk=obj.pk)


# --- Status machine -----------------------------------------------------------------------

LEGAL = [
    ("applicant", "onboarding"),
    ("applicant", "offboarded"),
    ("onboarding", "active"),
    ("onboarding", "suspended"),
    ("active", "suspended"),
    ("suspended", "active"),
    ("suspended", "onboarding"),
    ("active", "offboarded"),
]
ILLEGAL = [
    ("applicant", "active"),
    ("applicant", "suspended"),
    ("onboarding", "applicant"),
    ("active", "onboarding"),
    ("active", "applicant"),
    ("offboarded", "active"),
    ("offboarded", "onboarding"),
]


@pytest.mark.parametrize(("start", "to"), LEGAL)
def test_legal_status_moves_are_applied_and_audited(world, start, to):
    partner = PartnerFactory(tenant=world.tenant, status=start)
    with tenant_context(world.tenant):
        services.partner_transition(
            partner=partner, by=world.channel_manager, to=to, reason="because"
        )
        assert Partner.objects.get(pk=partner.pk).status == to
        event = AuditEvent.objects.filter(
            action="partner.status_changed", object_id=str(partner.pk)
        ).get()
    assert event.before == {"status": start}
    assert event.after == {"status": to, "reason": "because"}


@pytest.mark.parametrize(("start", "to"), ILLEGAL)
def test_illegal_status_moves_are_refused(world, start, to):
    partner = PartnerFactory(tenant=world.tenant, status=start)
    with tenant_context(world.tenant), pytest.raises(DomainError):
        services.partner_transition(partner=partner, by=world.channel_manager, to=to, reason="x")
    assert reload(partner).status == start


def test_suspension_needs_a_reason(world):
    with tenant_context(world.tenant), pytest.raises(DomainError) as err:
        services.partner_transition(partner=world.partner, by=world.admin, to="suspended")
    assert err.value.field == "reason"


def test_activation_and_approval_times_are_recorded(world):
    partner = PartnerFactory(tenant=world.tenant, status="applicant")
    with tenant_context(world.tenant):
        services.partner_transition(partner=partner, by=None, to="onboarding")
        services.partner_transition(partner=partner, by=None, to="active")
    partner = reload(partner)
    assert partner.approved_at and partner.activated_at >= partner.approved_at


def test_partner_roles_cannot_change_status(world):
    with tenant_context(world.tenant), pytest.raises(DomainError):
        services.partner_transition(
            partner=world.partner, by=world.partner_admin, to="suspended", reason="x"
        )


def test_offboarding_cuts_access_at_once_and_keeps_records(world):
    key_client = api_client(world.tenant, world.partner_user)
    portal = portal_client(world.tenant, world.partner_admin)
    assert portal.get("/company/").status_code == 200
    staff = portal_client(world.tenant, world.channel_manager)
    resp = staff.post(f"/partners/{world.partner.pk}/offboard/", {"reason": "Contract ended"})
    assert resp.status_code == 302
    assert portal.get("/company/").status_code == 403
    assert key_client.get("/api/v1/me/").status_code == 401
    with tenant_context(world.tenant):
        assert Partner.objects.filter(pk=world.partner.pk).exists()
        assert Member.objects.filter(partner=world.partner).count() == 2
        assert not Member.objects.filter(partner=world.partner, is_active=True).exists()
        assert not ApiKey.objects.filter(
            member__partner=world.partner, revoked_at__isnull=True
        ).exists()


def test_portal_refuses_an_illegal_move_with_a_form_error(world):
    staff = portal_client(world.tenant, world.channel_manager)
    resp = staff.post(f"/partners/{world.partner.pk}/reactivate/", {"reason": ""})
    assert resp.status_code == 200
    assert "errorlist" in resp.content.decode() or "error" in resp.content.decode()
    assert reload(world.partner).status == "active"


def test_offboarded_partner_page_lists_open_items_from_providers(world):
    def provider(partner):
        return [{"kind": "Deal", "label": "DR-1 Acme", "url": "/deals/1/"}]

    services.OPEN_ITEM_PROVIDERS.append(provider)
    try:
        with tenant_context(world.tenant):
            services.partner_transition(
                partner=world.partner, by=world.admin, to="offboarded", reason="done"
            )
        page = portal_client(world.tenant, world.admin).get(f"/partners/{world.partner.pk}/")
        assert "DR-1 Acme" in page.content.decode()
    finally:
        services.OPEN_ITEM_PROVIDERS.remove(provider)


# --- Directory ----------------------------------------------------------------------------


def test_directory_filters_by_status_and_type(world):
    PartnerFactory(tenant=world.tenant, name="Zeta MSP", partner_type="msp", status="applicant")
    client = portal_client(world.tenant, world.channel_manager)
    body = client.get("/partners/?status=applicant").content.decode()
    assert "Zeta MSP" in body and world.partner.name not in body
    body = client.get("/partners/?partner_type=msp").content.decode()
    assert "Zeta MSP" in body


def test_directory_searches_domains(world):
    with tenant_context(world.tenant):
        services.partner_set_domains(
            partner=world.other_partner, by=None, domains=["https://www.uniquedomain.io"]
        )
    body = portal_client(world.tenant, world.admin).get("/partners/?q=uniquedomain").content
    assert world.other_partner.name.encode() in body
    assert world.partner.name.encode() not in body


def test_directory_csv_export_respects_filters(world):
    PartnerFactory(tenant=world.tenant, name="=cmd Partner", status="suspended")
    resp = portal_client(world.tenant, world.admin).get("/partners/export.csv?status=suspended")
    rows = resp.getvalue().decode().splitlines()
    assert resp["Content-Type"].startswith("text/csv")
    assert len(rows) == 2 and "'=cmd Partner" in rows[1]


def test_directory_page_query_count_does_not_grow(world, django_assert_max_num_queries):
    client = portal_client(world.tenant, world.admin)
    client.get("/partners/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get("/partners/")
    for i in range(25):
        PartnerFactory(tenant=world.tenant, name=f"Bulk {i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/partners/")


def test_staff_add_a_partner_and_bad_input_is_a_form_error(world):
    client = portal_client(world.tenant, world.channel_manager)
    resp = client.post("/partners/", {"name": "", "partner_type": "nope", "status": "active"})
    assert resp.status_code == 200 and "This field is required" in resp.content.decode()
    resp = client.post(
        "/partners/",
        {
            "name": "Globex Partners",
            "partner_type": "msp",
            "website": "https://www.globex.co.uk/about",
            "status": "onboarding",
        },
    )
    assert resp.status_code == 302
    with tenant_context(world.tenant):
        p = Partner.objects.get(name="Globex Partners")
        assert p.domains == ["globex.co.uk"] and p.approved_at is not None


def test_duplicate_partner_name_is_a_form_error(world):
    client = portal_client(world.tenant, world.channel_manager)
    resp = client.post(
        "/partners/", {"name": world.partner.name, "partner_type": "msp", "status": "active"}
    )
    assert resp.status_code == 200 and "already exists" in resp.content.decode()


# --- Profiles and invitations -------------------------------------------------------------


def test_partner_admin_edits_own_company_profile(world):
    client = portal_client(world.tenant, world.partner_admin)
    resp = client.post(
        "/company/edit/",
        {
            "name": world.partner.name,
            "legal_name": "A Ltd",
            "website": "https://a-partner.example",
            "country": "de",
            "domains": "a-partner.example",
        },
    )
    assert resp.status_code == 302
    partner = reload(world.partner)
    assert partner.legal_name == "A Ltd" and partner.country == "DE"
    assert partner.partner_type == "reseller"


def test_partner_user_cannot_edit_company(world):
    assert portal_client(world.tenant, world.partner_user).get("/company/edit/").status_code == 403


def test_a_domain_of_another_partner_is_refused(world):
    with tenant_context(world.tenant):
        services.partner_set_domains(
            partner=world.other_partner, by=None, domains=["taken.example"]
        )
    client = portal_client(world.tenant, world.partner_admin)
    resp = client.post(
        "/company/edit/", {"name": world.partner.name, "domains": "mail.taken.example"}
    )
    assert resp.status_code == 200 and "already belongs" in resp.content.decode()
    with tenant_context(world.tenant):
        assert not PartnerDomain.objects.filter(partner=world.partner).exists()


def test_partner_admin_invites_only_from_company_domains(world):
    with tenant_context(world.tenant):
        services.partner_set_domains(partner=world.partner, by=None, domains=["apartner.example"])
    client = portal_client(world.tenant, world.partner_admin)
    resp = client.post("/members/", {"email": "friend@gmail.example", "role": "partner_user"})
    assert resp.status_code == 200 and "apartner.example" in resp.content.decode()
    resp = client.post("/members/", {"email": "colleague@apartner.example", "role": "partner_user"})
    assert resp.status_code == 302


def test_channel_manager_can_allow_an_invitation_exception(world):
    with tenant_context(world.tenant):
        services.partner_set_domains(partner=world.partner, by=None, domains=["apartner.example"])
        services.partner_update(
            partner=world.partner, by=world.channel_manager, allow_any_email_domain=True
        )
    client = portal_client(world.tenant, world.partner_admin)
    resp = client.post(
        "/members/", {"email": "contractor@elsewhere.example", "role": "partner_user"}
    )
    assert resp.status_code == 302


# --- Tiers in the portal ------------------------------------------------------------------


@pytest.fixture
def tiers(world):
    with tenant_context(world.tenant):
        base = TierFactory(tenant=world.tenant, name="Registered", rank=0)
        silver = TierFactory(
            tenant=world.tenant,
            name="Silver",
            rank=1,
            min_won_revenue_12m=Decimal("100000"),
            min_won_deals_12m=3,
            discount_pct=Decimal("10"),
        )
        PartnerMetricsFactory(
            tenant=world.tenant,
            partner=world.partner,
            won_revenue_12m=Decimal("40000"),
            won_deals_12m=3,
        )
        Partner.objects.filter(pk__in=[world.partner.pk, world.other_partner.pk]).update(tier=base)
    return base, silver


def test_partner_sees_tier_benefits_and_progress_to_the_next(world, tiers):
    body = portal_client(world.tenant, world.partner_user).get("/tier/").content.decode()
    assert "You are Registered" in body
    assert "Your way to Silver" in body
    assert 'value="40"' in body  # 40,000 of 100,000 revenue
    assert "3 / 3" in body


def test_admin_what_if_preview_shows_movers_without_saving(world, tiers):
    base, silver = tiers
    client = portal_client(world.tenant, world.admin)
    data = {}
    for t in (base, silver):
        data.update(
            {
                f"t{t.pk}-discount_pct": t.discount_pct,
                f"t{t.pk}-mdf_allocation": "0",
                f"t{t.pk}-mdf_accrual_pct": "0",
                f"t{t.pk}-min_won_revenue_12m": t.min_won_revenue_12m or "",
                f"t{t.pk}-min_won_deals_12m": t.min_won_deals_12m or "",
            }
        )
    data[f"t{silver.pk}-min_won_revenue_12m"] = "30000"
    resp = client.post("/program/what-if/", data)
    body = resp.content.decode()
    assert "Because of this change: 1 would move up" in body and world.partner.name in body
    assert [(m.name, m.with_edit, m.why) for m in resp.context["preview"].because] == [
        (
            world.partner.name,
            "Silver",
            [
                "Won revenue (12 months) 40,000 ≥ 30,000 required for Silver",
                "Won deals (12 months) 3 ≥ 3 required for Silver",
            ],
        )
    ]
    assert reload(world.partner).tier_id == base.pk


def test_what_if_page_without_any_change_blames_no_mover_on_it(world, tiers):
    base, silver = tiers
    with tenant_context(world.tenant):  # over Silver's bar since the last evaluation
        PartnerMetrics.objects.filter(partner=world.partner).update(
            won_revenue_12m=Decimal("120000")
        )
    client = portal_client(world.tenant, world.admin)
    data = {}
    for t in (base, silver):  # every tier exactly as stored
        data.update(
            {
                f"t{t.pk}-discount_pct": t.discount_pct,
                f"t{t.pk}-mdf_allocation": t.mdf_allocation,
                f"t{t.pk}-mdf_accrual_pct": t.mdf_accrual_pct,
                f"t{t.pk}-min_won_revenue_12m": t.min_won_revenue_12m or "",
                f"t{t.pk}-min_won_deals_12m": t.min_won_deals_12m or "",
            }
        )
    resp = client.post("/program/what-if/", data)
    preview = resp.context["preview"]
    assert preview.because == []
    assert [(m.name, m.without, m.direction) for m in preview.anyway] == [
        (world.partner.name, "Silver", "up")
    ]
    assert "No partner moves because of this change." in resp.content.decode()


def test_what_if_bad_input_is_a_form_error(world, tiers):
    base, _silver = tiers
    client = portal_client(world.tenant, world.admin)
    body = client.post("/program/what-if/", {f"t{base.pk}-discount_pct": "-3"}).content.decode()
    assert "would move up" not in body and "errorlist" in body or "Error:" in body


def test_admin_creates_and_edits_a_tier(world):
    client = portal_client(world.tenant, world.admin)
    resp = client.post(
        "/program/tiers/",
        {
            "name": "Gold",
            "rank": "2",
            "discount_pct": "20",
            "protection_days": "120",
            "mdf_allocation": "1000",
            "mdf_accrual_pct": "0",
            "lead_priority": "2",
        },
    )
    assert resp.status_code == 302
    with tenant_context(world.tenant):
        gold = Tier.objects.get(name="Gold")
    resp = client.post(
        f"/program/tiers/{gold.pk}/",
        {
            "name": "Gold",
            "rank": "2",
            "discount_pct": "150",
            "protection_days": "120",
            "mdf_allocation": "1000",
            "mdf_accrual_pct": "0",
            "lead_priority": "2",
        },
    )
    assert resp.status_code == 200 and "Ensure this value is less than or equal to 100" in (
        resp.content.decode()
    )
    assert reload(gold).discount_pct == Decimal("20")


def test_duplicate_tier_rank_is_a_form_error(world, tiers):
    client = portal_client(world.tenant, world.admin)
    resp = client.post(
        "/program/tiers/",
        {
            "name": "Other",
            "rank": "1",
            "discount_pct": "1",
            "protection_days": "90",
            "mdf_allocation": "0",
            "mdf_accrual_pct": "0",
            "lead_priority": "0",
        },
    )
    assert resp.status_code == 200 and "rank" in resp.content.decode()


def test_admin_approves_a_pending_upgrade_in_the_portal(world, tiers):
    _base, silver = tiers
    with tenant_context(world.tenant):
        services.program_settings_update(by=world.admin, tier_upgrade_requires_approval=True)
        PartnerMetrics.objects.filter(partner=world.partner).update(
            won_revenue_12m=Decimal("200000")
        )
        services.tiers_evaluate(tenant=world.tenant)
        from partners.models import TierChange

        change = TierChange.objects.get(status="pending")
    client = portal_client(world.tenant, world.admin)
    assert world.partner.name in client.get("/program/tier-changes/").content.decode()
    page = client.get("/program/tier-changes/").content.decode()
    assert f'formaction="/program/tier-changes/{change.pk}/approve/"' in page
    # rejecting asks first (prm/confirm.py): a dialog whose form posts to the reject URL
    assert f'action="/program/tier-changes/{change.pk}/reject/"' in page
    client.post(f"/program/tier-changes/{change.pk}/approve/", {"reason": ""})
    assert reload(world.partner).tier_id == silver.pk
    # Decided once: a second decision is refused with a message, nothing changes.
    resp = client.post(f"/program/tier-changes/{change.pk}/reject/", {"reason": ""}, follow=True)
    assert "msg-error" in resp.content.decode()
    assert reload(change).status == "applied"


def test_tier_change_decisions_are_403_for_a_channel_manager_and_404_across_tenants(
    world, stranger
):

    changes = {}
    for w in (world, stranger):
        with tenant_context(w.tenant):
            tier = TierFactory(tenant=w.tenant, name="Gold", rank=5)
            changes[w.tenant.slug] = TierChangeFactory(
                tenant=w.tenant, partner=w.partner, to_tier=tier, direction="up", status="pending"
            )
    own, foreign = changes[world.tenant.slug], changes[stranger.tenant.slug]
    cm = portal_client(world.tenant, world.channel_manager)
    assert cm.post(f"/program/tier-changes/{own.pk}/approve/").status_code == 403
    admin = portal_client(world.tenant, world.admin)
    assert admin.post(f"/program/tier-changes/{foreign.pk}/approve/").status_code == 404
    assert reload(own).status == reload(foreign).status == "pending"


def test_catalogue_adds_products_and_refuses_duplicates(world):
    client = portal_client(world.tenant, world.admin)
    resp = client.post("/program/catalogue/products/", {"products-name": "Widget"})
    assert resp.status_code == 302
    resp = client.post("/program/catalogue/products/", {"products-name": "Widget"})
    assert resp.status_code == 200 and "already in use" in resp.content.decode()


def test_catalogue_retires_and_restores_a_product_each_at_its_url(world):
    with tenant_context(world.tenant):
        product = Product.objects.create(tenant=world.tenant, name="Widget")
    client = portal_client(world.tenant, world.admin)
    page = client.get("/program/catalogue/").content.decode()
    assert f'action="/program/catalogue/products/{product.pk}/retire/"' in page
    assert client.post(f"/program/catalogue/products/{product.pk}/retire/").status_code == 302
    assert reload(product).is_active is False
    assert client.post(f"/program/catalogue/products/{product.pk}/restore/").status_code == 302
    assert reload(product).is_active is True


def test_tier_delete_has_its_own_url_and_refuses_a_tier_in_use(world, tiers):
    base, _silver = tiers
    with tenant_context(world.tenant):
        Partner.objects.filter(pk=world.partner.pk).update(tier=base)
    client = portal_client(world.tenant, world.admin)
    resp = client.post(f"/program/tiers/{base.pk}/delete/", follow=True)
    assert "Partners are in this tier; move them first." in resp.content.decode()
    with tenant_context(world.tenant):
        assert Tier.objects.filter(pk=base.pk).exists()


def test_evaluate_now_button_queues_the_evaluation(
    world, tiers, django_capture_on_commit_callbacks
):
    client = portal_client(world.tenant, world.admin)
    with django_capture_on_commit_callbacks() as callbacks:
        resp = client.post("/program/tiers/evaluate/")
    assert resp.status_code == 302 and len(callbacks) == 1


def test_directory_filters_by_health_band(world):
    with tenant_context(world.tenant):
        PartnerMetricsFactory(tenant=world.tenant, partner=world.partner, health_score=35)
        PartnerMetricsFactory(tenant=world.tenant, partner=world.other_partner, health_score=82)
    client = portal_client(world.tenant, world.channel_manager)
    body = client.get("/partners/?health=at_risk").content.decode()
    assert world.partner.name in body and world.other_partner.name not in body
    body = client.get("/partners/?health=healthy").content.decode()
    assert world.other_partner.name in body and world.partner.name not in body


# --- One URL per status action (partners.states.PARTNER_STATUS) --------------------------


def test_status_action_on_a_visible_partner_by_a_partner_role_is_403(world):
    for member in (world.partner_admin, world.partner_user):
        resp = portal_client(world.tenant, member).post(
            f"/partners/{world.partner.pk}/suspend/", {"reason": "x"}
        )
        assert resp.status_code == 403
    assert reload(world.partner).status == "active"


def test_status_action_on_another_tenants_partner_is_404(world, stranger):
    staff = portal_client(world.tenant, world.admin)
    resp = staff.post(f"/partners/{stranger.partner.pk}/suspend/", {"reason": "x"})
    assert resp.status_code == 404
    assert reload(stranger.partner).status == "active"


def test_status_action_needs_a_reason_where_the_machine_says_so(world):
    staff = portal_client(world.tenant, world.channel_manager)
    resp = staff.post(f"/partners/{world.partner.pk}/suspend/", {"reason": ""})
    assert resp.status_code == 200
    assert "has-error" in resp.content.decode()
    assert reload(world.partner).status == "active"
    resp = staff.post(f"/partners/{world.partner.pk}/suspend/", {"reason": "Unpaid"})
    assert resp.status_code == 302
    assert reload(world.partner).status == "suspended"


def test_status_action_acts_on_post_only_and_suspend_shows_its_confirmation(world):
    staff = portal_client(world.tenant, world.channel_manager)
    assert staff.get(f"/partners/{world.partner.pk}/reactivate/").status_code == 405
    page = staff.get(f"/partners/{world.partner.pk}/suspend/")  # prm/confirm.py
    assert page.status_code == 200
    assert world.partner.name in find(page, "h1").text()
    assert reload(world.partner).status == "active"


def test_suspension_offers_undo_back_to_active(world):
    staff = portal_client(world.tenant, world.channel_manager)
    resp = staff.post(f"/partners/{world.partner.pk}/suspend/", {"reason": "Unpaid"}, follow=True)
    assert reload(world.partner).status == "suspended"
    undo = f"/partners/{world.partner.pk}/reactivate/"
    assert find(resp, "form", text="Undo", action=undo)
    staff.post(undo)
    assert reload(world.partner).status == "active"


@pytest.mark.parametrize(
    ("status", "offered"),
    [
        ("applicant", {"approve", "offboard"}),
        ("onboarding", {"activate", "suspend", "offboard"}),
        ("active", {"suspend", "offboard"}),
        ("suspended", {"reactivate", "reonboard", "offboard"}),
        ("offboarded", set()),
    ],
)
def test_partner_page_offers_exactly_the_allowed_status_actions(world, status, offered):
    from partners.states import PARTNER_STATUS

    with tenant_context(world.tenant):
        Partner.objects.filter(pk=world.partner.pk).update(status=status)
    html = portal_client(world.tenant, world.channel_manager).get(f"/partners/{world.partner.pk}/")
    html = html.content.decode()
    for name in PARTNER_STATUS.actions:
        assert (f'action="/partners/{world.partner.pk}/{name}/"' in html) == (name in offered), name
