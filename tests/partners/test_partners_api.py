"""The partners API: partners, tiers, tier changes, catalogue and program settings."""

from __future__ import annotations

from decimal import Decimal

import pytest

from partners import services
from partners.models import (
    DomainProposal,
    Partner,
    PartnerMetrics,
    PartnerStatus,
    PartnerType,
    Product,
    ProgramSettings,
    Specialty,
    Tier,
    TierChangeStatus,
)
from prm.models import AuditEvent
from prm.tenancy import tenant_context
from tests.conftest import api_client
from tests.factories import (
    PartnerDomainFactory,
    PartnerFactory,
    PartnerMetricsFactory,
    ProductFactory,
    SpecialtyFactory,
    TierChangeFactory,
    TierFactory,
)

pytestmark = pytest.mark.django_db


# --- Helpers ------------------------------------------------------------------------------


@pytest.fixture
def program(world):
    """Three tiers, as in tests/partners/test_tiers.py."""
    t = world.tenant
    with tenant_context(t):
        tiers = {
            "Registered": TierFactory(tenant=t, name="Registered", rank=0),
            "Silver": TierFactory(
                tenant=t,
                name="Silver",
                rank=1,
                min_won_revenue_12m=Decimal("100000"),
                min_won_deals_12m=3,
                discount_pct=Decimal("10"),
                mdf_allocation=Decimal("5000"),
            ),
            "Gold": TierFactory(
                tenant=t,
                name="Gold",
                rank=2,
                min_won_revenue_12m=Decimal("500000"),
                min_won_deals_12m=10,
                min_certified_people=2,
                discount_pct=Decimal("20"),
                mdf_allocation=Decimal("20000"),
            ),
        }
    return world, tiers


def set_metrics(partner, rev, deals=0, certs=0, health=None):
    with tenant_context(partner.tenant):
        PartnerMetrics.objects.update_or_create(
            tenant=partner.tenant,
            partner=partner,
            defaults={
                "won_revenue_12m": Decimal(rev),
                "won_deals_12m": deals,
                "certified_people": certs,
                "health_score": health,
            },
        )


def fresh(partner) -> Partner:
    with tenant_context(partner.tenant):
        return Partner.objects.select_related("tier", "owner").get(pk=partner.pk)


def evaluate(world):
    with tenant_context(world.tenant):
        services.tiers_evaluate(tenant=world.tenant)


def ids(resp) -> list[int]:
    return [row["id"] for row in resp.json()["results"]]


# --- Partners: reading --------------------------------------------------------------------


def test_staff_list_every_partner_with_tier_and_metrics(program):
    world, tiers = program
    set_metrics(world.partner, "150000", deals=4, certs=1, health=80)
    evaluate(world)
    resp = api_client(world.tenant, world.channel_manager).get("/api/v1/partners/")
    assert resp.status_code == 200
    rows = {row["id"]: row for row in resp.json()["results"]}
    assert set(rows) == {world.partner.pk, world.other_partner.pk}
    row = rows[world.partner.pk]
    assert row["tier"] == {"id": tiers["Silver"].pk, "name": "Silver"}
    assert row["metrics"] == {
        "won_revenue_12m": "150000.00",
        "won_deals_12m": 4,
        "certified_people": 1,
        "health_score": 80,
    }
    assert set(row) >= {"status", "domains", "specialties", "products", "owner", "created_at"}


def test_partner_without_metrics_shows_zeros(world):
    resp = api_client(world.tenant, world.admin).get(f"/api/v1/partners/{world.partner.pk}/")
    assert resp.json()["metrics"] == {
        "won_revenue_12m": "0.00",
        "won_deals_12m": 0,
        "certified_people": 0,
        "health_score": None,
    }
    assert resp.json()["tier"] is None


def test_partner_people_see_only_their_own_partner(world):
    resp = api_client(world.tenant, world.partner_user).get("/api/v1/partners/")
    assert ids(resp) == [world.partner.pk]


def test_another_partner_of_the_same_tenant_is_404_for_a_partner(world):
    client = api_client(world.tenant, world.partner_admin)
    url = f"/api/v1/partners/{world.other_partner.pk}/"
    assert client.get(url).status_code == 404
    assert client.patch(url, {"legal_name": "Mine now"}, format="json").status_code == 404
    assert fresh(world.other_partner).legal_name == ""


def test_another_tenants_partner_is_404(world, stranger):
    client = api_client(world.tenant, world.admin)
    assert client.get(f"/api/v1/partners/{stranger.partner.pk}/").status_code == 404


def test_partner_list_filters(program):
    world, tiers = program
    isv = PartnerFactory(
        tenant=world.tenant,
        name="Stackforge",
        partner_type=PartnerType.ISV,
        status=PartnerStatus.APPLICANT,
        country="DE",
    )
    with tenant_context(world.tenant):
        PartnerDomainFactory(tenant=world.tenant, partner=isv, domain="stackforge.io")
        Partner.objects.filter(pk=world.partner.pk).update(tier=tiers["Gold"])
    client = api_client(world.tenant, world.admin)
    assert ids(client.get("/api/v1/partners/?type=isv")) == [isv.pk]
    assert ids(client.get("/api/v1/partners/?status=applicant")) == [isv.pk]
    assert ids(client.get("/api/v1/partners/?country=de")) == [isv.pk]
    assert ids(client.get("/api/v1/partners/?q=stackforge.io")) == [isv.pk]
    assert ids(client.get(f"/api/v1/partners/?tier={tiers['Gold'].pk}")) == [world.partner.pk]
    assert set(ids(client.get("/api/v1/partners/?tier=none"))) == {
        world.other_partner.pk,
        isv.pk,
    }


def test_partner_list_orders_by_the_requested_field(world):
    client = api_client(world.tenant, world.admin)
    names = [r["name"] for r in client.get("/api/v1/partners/?ordering=-name").json()["results"]]
    assert names == sorted(names, reverse=True) and len(names) == 2


def test_partner_list_rejects_bad_filters(world):
    client = api_client(world.tenant, world.admin)
    resp = client.get("/api/v1/partners/?status=bogus")
    assert resp.status_code == 400 and "status" in resp.json()["errors"]
    resp = client.get("/api/v1/partners/?tier=gold")
    assert resp.status_code == 400 and "tier" in resp.json()["errors"]


def _furnish_partners(world, n, partner_type):
    """n partners with every relation the list shows."""
    t = world.tenant
    with tenant_context(t):
        tier = Tier.objects.get_or_create(tenant=t, rank=0, defaults={"name": "Base"})[0]
        spec = Specialty.objects.get_or_create(tenant=t, name="Cloud")[0]
        prod = Product.objects.get_or_create(tenant=t, name="Suite")[0]
        for i in range(n):
            p = Partner.objects.create(
                tenant=t,
                name=f"{partner_type} partner {Partner.objects.count()}",
                partner_type=partner_type,
                tier=tier,
                owner=world.channel_manager,
            )
            PartnerMetricsFactory(tenant=t, partner=p, won_revenue_12m=Decimal(i))
            PartnerDomainFactory(tenant=t, partner=p, domain=f"p{p.pk}.example")
            p.specialties.add(spec, through_defaults={"tenant": t})
            p.products.add(prod, through_defaults={"tenant": t})


def test_partner_list_query_count_does_not_grow_with_rows(world, django_assert_max_num_queries):
    client = api_client(world.tenant, world.admin)
    _furnish_partners(world, 1, PartnerType.MSP)
    client.get("/api/v1/partners/?type=msp")  # warm up
    with django_assert_max_num_queries(12) as one:
        resp = client.get("/api/v1/partners/?type=msp")
    assert len(resp.json()["results"]) == 1
    _furnish_partners(world, 25, PartnerType.MSP)
    with django_assert_max_num_queries(len(one.captured_queries)):
        resp = client.get("/api/v1/partners/?type=msp")
    assert len(resp.json()["results"]) == 26


# --- Partners: creating and editing -------------------------------------------------------


def test_staff_create_a_partner(world):
    client = api_client(world.tenant, world.channel_manager)
    resp = client.post(
        "/api/v1/partners/",
        {
            "name": "Northwind Resellers",
            "partner_type": "reseller",
            "status": "onboarding",
            "website": "https://www.northwind.example/",
            "domains": ["ada@nw-mail.example"],
            "country": "gb",
            "owner": world.channel_manager.pk,
        },
        format="json",
    )
    assert resp.status_code == 201, resp.json()
    body = resp.json()
    assert body["status"] == "onboarding" and body["approved_at"]
    assert body["country"] == "GB"
    assert body["owner"] == world.channel_manager.pk
    assert body["domains"] == ["northwind.example", "nw-mail.example"]
    with tenant_context(world.tenant):
        assert AuditEvent.objects.filter(
            action="partner.created", object_id=str(body["id"])
        ).exists()


def test_create_rejects_bad_input_naming_the_fields(world):
    client = api_client(world.tenant, world.admin)
    resp = client.post(
        "/api/v1/partners/",
        {"partner_type": "franchise", "country": "Atlantis", "status": "suspended"},
        format="json",
    )
    assert resp.status_code == 400
    assert set(resp.json()["errors"]) == {"name", "partner_type", "country", "status"}


def test_create_with_a_taken_name_is_400_on_name(world):
    resp = api_client(world.tenant, world.admin).post(
        "/api/v1/partners/",
        {"name": world.partner.name, "partner_type": "reseller"},
        format="json",
    )
    assert resp.status_code == 400
    assert "name" in resp.json()["errors"]


def test_create_honours_the_idempotency_key(world):
    client = api_client(world.tenant, world.admin)
    body = {"name": "Once Only", "partner_type": "msp"}
    first = client.post("/api/v1/partners/", body, format="json", HTTP_IDEMPOTENCY_KEY="p1")
    again = client.post("/api/v1/partners/", body, format="json", HTTP_IDEMPOTENCY_KEY="p1")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    with tenant_context(world.tenant):
        assert Partner.objects.filter(name="Once Only").count() == 1


def test_staff_patch_profile_owner_and_links(world):
    with tenant_context(world.tenant):
        spec = SpecialtyFactory(tenant=world.tenant, name="Security")
        prod = ProductFactory(tenant=world.tenant, name="Vault")
    resp = api_client(world.tenant, world.admin).patch(
        f"/api/v1/partners/{world.partner.pk}/",
        {
            "legal_name": "Partner A Ltd",
            "partner_type": "msp",
            "owner": world.channel_manager.pk,
            "allow_any_email_domain": True,
            "domains": ["partner-a.example"],
            "specialties": [spec.pk],
            "products": [prod.pk],
        },
        format="json",
    )
    assert resp.status_code == 200, resp.json()
    body = resp.json()
    assert body["legal_name"] == "Partner A Ltd" and body["partner_type"] == "msp"
    assert body["owner"] == world.channel_manager.pk
    assert body["domains"] == ["partner-a.example"]
    assert body["specialties"] == [spec.pk] and body["products"] == [prod.pk]
    assert fresh(world.partner).allow_any_email_domain is True


def test_owner_must_be_a_staff_member(world):
    resp = api_client(world.tenant, world.admin).patch(
        f"/api/v1/partners/{world.partner.pk}/",
        {"owner": world.partner_admin.pk},
        format="json",
    )
    assert resp.status_code == 400 and "owner" in resp.json()["errors"]
    assert fresh(world.partner).owner is None


def test_partner_admin_edits_own_profile(world):
    resp = api_client(world.tenant, world.partner_admin).patch(
        f"/api/v1/partners/{world.partner.pk}/",
        {"legal_name": "A Holdings", "country": "fr", "domains": ["a-holdings.example"]},
        format="json",
    )
    assert resp.status_code == 200, resp.json()
    partner = fresh(world.partner)
    assert (partner.legal_name, partner.country) == ("A Holdings", "FR")
    # The domains limit invitations: a partner admin's change waits for staff's approval.
    assert resp.json()["domains"] == []
    with tenant_context(world.tenant):
        assert DomainProposal.objects.get(partner=world.partner).domains == ["a-holdings.example"]


def test_partner_admin_cannot_change_status_tier_owner_or_type(program):
    world, tiers = program
    resp = api_client(world.tenant, world.partner_admin).patch(
        f"/api/v1/partners/{world.partner.pk}/",
        {
            "legal_name": "Sneaky Ltd",
            "status": "offboarded",
            "tier": tiers["Gold"].pk,
            "owner": world.channel_manager.pk,
            "partner_type": "isv",
            "allow_any_email_domain": True,
        },
        format="json",
    )
    assert resp.status_code == 200
    partner = fresh(world.partner)
    assert partner.legal_name == "Sneaky Ltd"
    assert partner.status == PartnerStatus.ACTIVE
    assert partner.tier is None and partner.owner is None
    assert partner.partner_type == PartnerType.RESELLER
    assert partner.allow_any_email_domain is False


def test_partner_user_cannot_patch(world):
    resp = api_client(world.tenant, world.partner_user).patch(
        f"/api/v1/partners/{world.partner.pk}/", {"legal_name": "Nope"}, format="json"
    )
    assert resp.status_code == 403
    assert fresh(world.partner).legal_name == ""


def test_patch_rejects_bad_input_naming_the_fields(world):
    resp = api_client(world.tenant, world.admin).patch(
        f"/api/v1/partners/{world.partner.pk}/",
        {"name": "", "website": "not a url", "region": "mars", "domains": ["nodots"]},
        format="json",
    )
    assert resp.status_code == 400
    assert set(resp.json()["errors"]) == {"name", "website", "region", "domains"}


def test_a_refused_patch_saves_nothing(world):
    with tenant_context(world.tenant):
        PartnerDomainFactory(
            tenant=world.tenant, partner=world.other_partner, domain="taken.example"
        )
    resp = api_client(world.tenant, world.admin).patch(
        f"/api/v1/partners/{world.partner.pk}/",
        {"legal_name": "Half Saved Ltd", "domains": ["taken.example"]},
        format="json",
    )
    assert resp.status_code == 400 and "domains" in resp.json()["errors"]
    assert fresh(world.partner).legal_name == ""
    with tenant_context(world.tenant):
        assert not AuditEvent.objects.filter(action="partner.updated").exists()


# --- Partners: status ---------------------------------------------------------------------


def test_status_action_moves_the_partner(world):
    resp = api_client(world.tenant, world.channel_manager).post(
        f"/api/v1/partners/{world.partner.pk}/suspend/",
        {"reason": "Unpaid invoices"},
        format="json",
    )
    assert resp.status_code == 200, resp.json()
    assert resp.json()["status"] == "suspended"
    assert resp.json()["status_reason"] == "Unpaid invoices"
    assert resp.json()["allowed_actions"] == ["offboard", "reactivate", "reonboard"]
    assert fresh(world.partner).status == PartnerStatus.SUSPENDED


def test_action_the_status_does_not_allow_is_400_and_moves_nothing(world):
    resp = api_client(world.tenant, world.admin).post(
        f"/api/v1/partners/{world.partner.pk}/approve/", {}, format="json"
    )
    assert resp.status_code == 400, resp.json()
    assert fresh(world.partner).status == PartnerStatus.ACTIVE


def test_suspension_without_a_reason_is_400_on_reason(world):
    resp = api_client(world.tenant, world.admin).post(
        f"/api/v1/partners/{world.partner.pk}/suspend/", {}, format="json"
    )
    assert resp.status_code == 400 and "reason" in resp.json()["errors"]
    assert fresh(world.partner).status == PartnerStatus.ACTIVE


def test_a_portal_reason_longer_than_its_column_is_refused_never_cut_short(world):
    """The portal's decision buttons post a bare reason; the service refuses what does not
    fit instead of storing the first 500 characters."""
    from partners.models import DomainProposalStatus
    from tests.conftest import portal_client
    from tests.factories import DomainProposalFactory

    proposal = DomainProposalFactory(
        tenant=world.tenant, partner=world.partner, domains=["long-reason.example"]
    )
    resp = portal_client(world.tenant, world.channel_manager).post(
        f"/partners/domain-proposals/{proposal.pk}/reject/", {"reason": "x" * 501}, follow=True
    )
    assert "At most 500 characters (this has 501)." in resp.content.decode()
    with tenant_context(world.tenant):
        proposal.refresh_from_db()
    assert proposal.status == DomainProposalStatus.PENDING and proposal.reason == ""


def test_partner_admin_status_action_on_own_partner_is_403_and_on_another_is_404(world):
    client = api_client(world.tenant, world.partner_admin)
    resp = client.post(f"/api/v1/partners/{world.partner.pk}/suspend/", {"reason": "x"})
    assert resp.status_code == 403
    resp = client.post(f"/api/v1/partners/{world.other_partner.pk}/suspend/", {"reason": "x"})
    assert resp.status_code == 404
    assert fresh(world.partner).status == PartnerStatus.ACTIVE


def test_allowed_actions_are_the_machines_for_the_member(world):
    staff = api_client(world.tenant, world.admin).get(f"/api/v1/partners/{world.partner.pk}/")
    assert staff.json()["allowed_actions"] == ["offboard", "suspend"]
    own = api_client(world.tenant, world.partner_user).get(f"/api/v1/partners/{world.partner.pk}/")
    assert own.status_code == 200 and own.json()["allowed_actions"] == []


def test_the_generic_transition_endpoint_is_gone(world):
    resp = api_client(world.tenant, world.admin).post(
        f"/api/v1/partners/{world.partner.pk}/transition/", {"to": "suspended"}, format="json"
    )
    assert resp.status_code == 404


def test_open_items_come_from_the_registered_providers(world, monkeypatch):
    def provider(partner):
        return [{"kind": "deal", "label": f"Deal of {partner.name}", "url": "/deals/1/"}]

    monkeypatch.setattr(services, "OPEN_ITEM_PROVIDERS", [provider])
    resp = api_client(world.tenant, world.admin).get(
        f"/api/v1/partners/{world.partner.pk}/open-items/"
    )
    assert resp.status_code == 200
    assert resp.json() == [
        {"kind": "deal", "label": f"Deal of {world.partner.name}", "url": "/deals/1/"}
    ]


# --- Tiers --------------------------------------------------------------------------------


def test_everyone_lists_tiers_in_rank_order(program):
    world, tiers = program
    resp = api_client(world.tenant, world.partner_user).get("/api/v1/tiers/")
    assert resp.status_code == 200
    rows = resp.json()["results"]
    assert [r["name"] for r in rows] == ["Registered", "Silver", "Gold"]
    assert rows[1]["min_won_revenue_12m"] == "100000.00"


def test_admin_creates_and_changes_a_tier(world):
    client = api_client(world.tenant, world.admin)
    resp = client.post(
        "/api/v1/tiers/",
        {"name": "Platinum", "rank": 3, "discount_pct": "25.5", "min_won_deals_12m": 20},
        format="json",
    )
    assert resp.status_code == 201, resp.json()
    assert resp.json()["discount_pct"] == "25.50"
    tier_id = resp.json()["id"]
    resp = client.patch(f"/api/v1/tiers/{tier_id}/", {"min_health_score": 70}, format="json")
    assert resp.status_code == 200
    with tenant_context(world.tenant):
        tier = Tier.objects.get(pk=tier_id)
    assert (tier.name, tier.min_health_score, tier.min_won_deals_12m) == ("Platinum", 70, 20)


def test_tier_rejects_bad_values_naming_the_fields(world):
    resp = api_client(world.tenant, world.admin).post(
        "/api/v1/tiers/",
        {"rank": -1, "discount_pct": "150", "min_health_score": 101},
        format="json",
    )
    assert resp.status_code == 400
    assert set(resp.json()["errors"]) == {"name", "rank", "discount_pct", "min_health_score"}


def test_tier_with_a_taken_rank_is_400(program):
    world, _tiers = program
    resp = api_client(world.tenant, world.admin).post(
        "/api/v1/tiers/", {"name": "Bronze", "rank": 1}, format="json"
    )
    assert resp.status_code == 400 and "rank" in resp.json()["errors"]


def test_deleting_an_empty_tier(program):
    world, tiers = program
    resp = api_client(world.tenant, world.admin).delete(f"/api/v1/tiers/{tiers['Gold'].pk}/")
    assert resp.status_code == 204
    with tenant_context(world.tenant):
        assert not Tier.objects.filter(pk=tiers["Gold"].pk).exists()


def test_a_tier_with_partners_cannot_be_deleted(program):
    world, tiers = program
    evaluate(world)  # places the active partners in Registered
    resp = api_client(world.tenant, world.admin).delete(f"/api/v1/tiers/{tiers['Registered'].pk}/")
    assert resp.status_code == 400
    with tenant_context(world.tenant):
        assert Tier.objects.filter(pk=tiers["Registered"].pk).exists()


def test_a_tier_in_tier_history_cannot_be_deleted(program):
    world, tiers = program
    with tenant_context(world.tenant):
        TierChangeFactory(
            tenant=world.tenant,
            partner=world.partner,
            to_tier=tiers["Gold"],
            direction="up",
            status=TierChangeStatus.REJECTED,
        )
    resp = api_client(world.tenant, world.admin).delete(f"/api/v1/tiers/{tiers['Gold'].pk}/")
    assert resp.status_code == 400
    with tenant_context(world.tenant):
        assert Tier.objects.filter(pk=tiers["Gold"].pk).exists()
        assert not AuditEvent.objects.filter(action="tier.deleted").exists()


def test_evaluate_queues_the_evaluation_and_answers_202(world, monkeypatch):
    from partners.tasks import evaluate_tiers

    queued = []
    monkeypatch.setattr(services, "dispatch", lambda task, **kwargs: queued.append((task, kwargs)))
    resp = api_client(world.tenant, world.admin).post("/api/v1/tiers/evaluate/")
    assert resp.status_code == 202
    assert resp.json() == {"status": "queued"}
    assert queued == [(evaluate_tiers, {"tenant": world.tenant})]


def _what_if(world, body):
    return api_client(world.tenant, world.admin).post("/api/v1/tiers/what-if/", body, format="json")


def test_what_if_blames_the_change_for_its_movers_with_the_deciding_figures(program):
    world, tiers = program
    set_metrics(world.partner, "150000", deals=4)
    set_metrics(world.other_partner, "80000", deals=3)
    evaluate(world)
    silver = tiers["Silver"]
    resp = _what_if(world, {"tiers": [{"id": silver.pk, "min_won_revenue_12m": "75000"}]})
    assert resp.status_code == 200, resp.json()
    body = resp.json()
    assert body["because"] == [
        {
            "partner_id": world.other_partner.pk,
            "name": world.other_partner.name,
            "now": "Registered",
            "without_change": "Registered",
            "with_change": "Silver",
            "direction": "up",
            "why": [
                "Won revenue (12 months) 80,000 ≥ 75,000 required for Silver",
                "Won deals (12 months) 3 ≥ 3 required for Silver",
            ],
        }
    ]
    assert body["anyway"] == []
    assert (body["because_up"], body["because_down"], body["total"]) == (1, 0, 2)
    assert (body["discount_change"], body["mdf_change"]) == ("8000.00", "5000.00")
    with tenant_context(world.tenant):
        assert Tier.objects.get(pk=silver.pk).min_won_revenue_12m == Decimal("100000")
    assert fresh(world.other_partner).tier.name == "Registered"


def test_what_if_without_any_change_blames_no_mover_on_it(program):
    world, tiers = program
    evaluate(world)  # both partners in Registered
    set_metrics(world.partner, "150000", deals=4)  # since then: over Silver's bar
    body = _what_if(world, {"tiers": []}).json()
    assert body["because"] == [] and body["total"] == 2
    assert [(m["name"], m["without_change"], m["direction"], m["why"]) for m in body["anyway"]] == [
        (
            world.partner.name,
            "Silver",
            "up",
            [
                "Won revenue (12 months) 150,000 ≥ 100,000 required for Silver",
                "Won deals (12 months) 4 ≥ 3 required for Silver",
            ],
        )
    ]


def test_what_if_rejects_unknown_tiers_and_bad_values(program, stranger):
    world, tiers = program
    with tenant_context(stranger.tenant):
        theirs = TierFactory(tenant=stranger.tenant, name="Theirs", rank=0)
    resp = _what_if(world, {"tiers": [{"id": theirs.pk}]})
    assert resp.status_code == 400 and "tiers" in resp.json()["errors"]
    resp = _what_if(world, {"tiers": [{"id": tiers["Gold"].pk, "discount_pct": "-1"}]})
    assert resp.status_code == 400 and "tiers" in resp.json()["errors"]


# --- Tier changes -------------------------------------------------------------------------


@pytest.fixture
def pending(program):
    world, tiers = program
    with tenant_context(world.tenant):
        Partner.objects.filter(pk=world.partner.pk).update(tier=tiers["Registered"])
        change = TierChangeFactory(
            tenant=world.tenant,
            partner=world.partner,
            from_tier=tiers["Registered"],
            to_tier=tiers["Silver"],
            direction="up",
            status=TierChangeStatus.PENDING,
            metrics={"won_revenue_12m": "150000.00"},
        )
        TierChangeFactory(
            tenant=world.tenant,
            partner=world.other_partner,
            to_tier=tiers["Registered"],
            direction="up",
            status=TierChangeStatus.APPLIED,
        )
    return world, tiers, change


def test_tier_changes_filter_by_status(pending):
    world, tiers, change = pending
    client = api_client(world.tenant, world.admin)
    assert len(client.get("/api/v1/tier-changes/").json()["results"]) == 2
    rows = client.get("/api/v1/tier-changes/?status=pending").json()["results"]
    assert [r["id"] for r in rows] == [change.pk]
    assert rows[0]["partner"] == {"id": world.partner.pk, "name": world.partner.name}
    assert rows[0]["to_tier"] == {"id": tiers["Silver"].pk, "name": "Silver"}


def test_approving_an_upgrade_moves_the_partner(pending):
    world, _tiers, change = pending
    resp = api_client(world.tenant, world.admin).post(
        f"/api/v1/tier-changes/{change.pk}/approve/", {}, format="json"
    )
    assert resp.status_code == 200, resp.json()
    assert resp.json()["status"] == "applied"
    assert resp.json()["decided_by"] == world.admin.pk
    assert fresh(world.partner).tier.name == "Silver"


def test_rejecting_an_upgrade_keeps_the_tier(pending):
    world, _tiers, change = pending
    resp = api_client(world.tenant, world.admin).post(
        f"/api/v1/tier-changes/{change.pk}/reject/", {"reason": "Wait a quarter"}, format="json"
    )
    assert resp.status_code == 200
    assert (resp.json()["status"], resp.json()["reason"]) == ("rejected", "Wait a quarter")
    assert fresh(world.partner).tier.name == "Registered"


def test_deciding_twice_is_400(pending):
    world, _tiers, change = pending
    client = api_client(world.tenant, world.admin)
    client.post(f"/api/v1/tier-changes/{change.pk}/reject/", {}, format="json")
    resp = client.post(f"/api/v1/tier-changes/{change.pk}/approve/", {}, format="json")
    assert resp.status_code == 400
    assert fresh(world.partner).tier.name == "Registered"


# --- Catalogue ----------------------------------------------------------------------------


def test_everyone_lists_the_catalogue(world):
    with tenant_context(world.tenant):
        ProductFactory(tenant=world.tenant, name="Vault", sku="V-1")
        SpecialtyFactory(tenant=world.tenant, name="Security")
    client = api_client(world.tenant, world.partner_user)
    products = client.get("/api/v1/products/").json()["results"]
    assert [(p["name"], p["sku"], p["is_active"]) for p in products] == [("Vault", "V-1", True)]
    assert [s["name"] for s in client.get("/api/v1/specialties/").json()["results"]] == ["Security"]


def test_admin_adds_and_retires_a_product(world):
    client = api_client(world.tenant, world.admin)
    resp = client.post("/api/v1/products/", {"name": " Vault ", "sku": "V-1"}, format="json")
    assert resp.status_code == 201, resp.json()
    assert resp.json()["name"] == "Vault"
    resp = client.patch(
        f"/api/v1/products/{resp.json()['id']}/", {"is_active": False}, format="json"
    )
    assert resp.status_code == 200
    assert (resp.json()["name"], resp.json()["is_active"]) == ("Vault", False)
    active = client.get("/api/v1/products/?is_active=true").json()["results"]
    assert active == []


def test_catalogue_names_must_be_unique_and_present(world):
    client = api_client(world.tenant, world.admin)
    assert client.post("/api/v1/specialties/", {"name": "AI"}, format="json").status_code == 201
    resp = client.post("/api/v1/specialties/", {"name": "AI"}, format="json")
    assert resp.status_code == 400 and "name" in resp.json()["errors"]
    resp = client.post("/api/v1/specialties/", {"name": ""}, format="json")
    assert resp.status_code == 400 and "name" in resp.json()["errors"]


def test_admin_renames_a_specialty(world):
    with tenant_context(world.tenant):
        spec = SpecialtyFactory(tenant=world.tenant, name="Sec")
    resp = api_client(world.tenant, world.admin).patch(
        f"/api/v1/specialties/{spec.pk}/", {"name": "Security"}, format="json"
    )
    assert resp.status_code == 200 and resp.json()["name"] == "Security"


# --- Program settings ---------------------------------------------------------------------


def test_program_settings_read_and_change(world):
    client = api_client(world.tenant, world.admin)
    assert client.get("/api/v1/program-settings/").json() == {
        "tier_upgrade_requires_approval": False,
        "tier_downgrade_grace_days": 90,
    }
    resp = client.patch(
        "/api/v1/program-settings/", {"tier_upgrade_requires_approval": True}, format="json"
    )
    assert resp.status_code == 200
    assert resp.json()["tier_upgrade_requires_approval"] is True
    with tenant_context(world.tenant):
        settings = ProgramSettings.for_tenant(world.tenant)
    assert (settings.tier_upgrade_requires_approval, settings.tier_downgrade_grace_days) == (
        True,
        90,
    )


def test_program_settings_reject_bad_values_naming_the_field(world):
    resp = api_client(world.tenant, world.admin).patch(
        "/api/v1/program-settings/", {"tier_downgrade_grace_days": -5}, format="json"
    )
    assert resp.status_code == 400
    assert "tier_downgrade_grace_days" in resp.json()["errors"]
    with tenant_context(world.tenant):
        assert ProgramSettings.for_tenant(world.tenant).tier_downgrade_grace_days == 90
