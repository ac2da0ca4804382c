"""Lead routing's ranking, pinned by hand-computed scores: each factor alone decides the order
of a pair of partners (so a changed weight or a reversed direction fails here), a combined case
adds them up to the point, and the explanation names each factor with its contribution in the
portal and the API.

The weights (dealreg.services.leads.WEIGHTS): same country +40, same region +15, +10 per
matching specialty, +8 per point of the tier's lead priority, -3 per open deal (submitted,
under review or approved)."""

from __future__ import annotations

import pytest

from dealreg.services import leads
from partners.models import Partner, PartnerSpecialty, Specialty, Tier
from prm.roles import Role
from prm.tenancy import tenant_context
from tests.conftest import api_client, portal_client
from tests.factories import MemberFactory, PartnerFactory
from tests.mdf.test_mdf_support import make_deal

pytestmark = pytest.mark.django_db


def partner(world, name, *, country="", region="", specialties=(), priority=None, open_deals=0,
            closed_deals=0) -> Partner:  # fmt: skip
    p = PartnerFactory(tenant=world.tenant, name=name, country=country, region=region)
    with tenant_context(world.tenant):
        if priority is not None:
            tier = Tier.objects.create(
                tenant=world.tenant,
                name=f"Tier of {name}",
                rank=10 + Tier.objects.count(),
                lead_priority=priority,
            )
            Partner.objects.filter(pk=p.pk).update(tier=tier)
        for s in specialties:
            PartnerSpecialty.objects.create(tenant=world.tenant, partner=p, specialty=s)
        statuses = ["submitted", "under_review", "approved"]
        for i in range(open_deals):
            make_deal(world, status=statuses[i % 3], partner=p, customer_name=f"{name} open {i}")
        for i in range(closed_deals):
            status = ["won", "lost", "draft", "withdrawn"][i % 4]
            make_deal(world, status=status, partner=p, customer_name=f"{name} closed {i}")
    return p


def specialties(world, *names) -> list[Specialty]:
    with tenant_context(world.tenant):
        return [Specialty.objects.create(tenant=world.tenant, name=n) for n in names]


def ranking(world, ours, **lead_fields) -> list[tuple[str, int, list[str]]]:
    """(name, score, explanation) of `ours` in the order routing ranks them for the lead."""
    wanted = lead_fields.pop("specialties", ())
    with tenant_context(world.tenant):
        lead = leads.lead_create(
            by=world.channel_manager, company="Initech", specialties=wanted, **lead_fields
        )
        ranked = leads.recommend(lead, limit=1000)
    ids = {p.pk for p in ours}
    return [
        (r["name"], int(r["score"]), r["explanation"]) for r in ranked if r["partner_id"] in ids
    ]


# --- Each factor alone decides ------------------------------------------------------------


def test_the_same_country_is_worth_40(world):
    ours = [partner(world, "Far", country="FR"), partner(world, "Near", country="DE")]
    assert ranking(world, ours, country="DE") == [
        ("Near", 40, ["Country match +40"]),
        ("Far", 0, []),
    ]


def test_the_same_region_is_worth_15(world):
    ours = [partner(world, "Far", region="APAC"), partner(world, "Near", region="EMEA")]
    assert ranking(world, ours, region="EMEA") == [
        ("Near", 15, ["Region match +15"]),
        ("Far", 0, []),
    ]


def test_each_matching_specialty_is_worth_10(world):
    sec, cloud, data = specialties(world, "Security", "Cloud", "Data")
    ours = [
        partner(world, "One", specialties=[sec, data]),
        partner(world, "Two", specialties=[sec, cloud]),
    ]
    assert ranking(world, ours, specialties=[sec, cloud]) == [
        ("Two", 20, ["2 matching specialties +20"]),
        ("One", 10, ["1 matching specialty +10"]),
    ]


def test_each_point_of_tier_priority_is_worth_8(world):
    ours = [partner(world, "Silver", priority=1), partner(world, "Gold", priority=3)]
    assert ranking(world, ours) == [
        ("Gold", 24, ["Tier priority 3 +24"]),
        ("Silver", 8, ["Tier priority 1 +8"]),
    ]


def test_each_open_deal_costs_3_and_closed_deals_cost_nothing(world):
    ours = [
        partner(world, "Busy", open_deals=3),
        partner(world, "Free", open_deals=1, closed_deals=4),
    ]
    assert ranking(world, ours) == [
        ("Free", -3, ["1 open deal −3"]),
        ("Busy", -9, ["3 open deals −9"]),
    ]


# --- All factors together -----------------------------------------------------------------


def test_the_factors_add_up_to_the_exact_score_and_order(world):
    sec, cloud = specialties(world, "Security", "Cloud")
    ours = [
        # 40 + 15 + 2*10 + 2*8 - 3*3 = 82
        partner(
            world, "Allround", country="DE", region="EMEA", specialties=[sec, cloud],
            priority=2, open_deals=3,
        ),
        # 40 - 1*3 = 37
        partner(world, "Local", country="DE", open_deals=1),
        # 15 + 10 + 8 = 33
        partner(world, "Regional", region="EMEA", specialties=[cloud], priority=1),
        # 15 + 8 - 10*3 = -7
        partner(world, "Overloaded", region="EMEA", priority=1, open_deals=10),
    ]  # fmt: skip
    assert ranking(world, ours, country="DE", region="EMEA", specialties=[sec, cloud]) == [
        (
            "Allround",
            82,
            [
                "Country match +40",
                "Region match +15",
                "2 matching specialties +20",
                "Tier priority 2 +16",
                "3 open deals −9",
            ],
        ),
        ("Local", 37, ["Country match +40", "1 open deal −3"]),
        ("Regional", 33, ["Region match +15", "1 matching specialty +10", "Tier priority 1 +8"]),
        ("Overloaded", -7, ["Region match +15", "Tier priority 1 +8", "10 open deals −30"]),
    ]


# --- The explanation where people see it --------------------------------------------------


@pytest.fixture
def routed(world):
    """A lead routed to the German partner, whose score is 40 + 15 - 3 = 52."""
    best = partner(world, "Berlin Systems", country="DE", region="EMEA", open_deals=1)
    with tenant_context(world.tenant):
        lead = leads.lead_create(
            by=world.channel_manager, company="Initech GmbH", country="DE", region="EMEA"
        )
        offer = leads.lead_route(lead=lead, by=world.channel_manager)
    assert offer.partner_id == best.pk
    return world, best, lead, offer


WHY = ["Country match +40", "Region match +15", "1 open deal −3"]


def test_the_offer_records_the_score_and_each_contribution(routed):
    _world, _best, _lead, offer = routed
    assert int(offer.score) == 52 and offer.explanation == WHY


def test_staff_and_the_partner_see_the_contributions_in_the_portal(routed):
    world, best, _lead, _offer = routed
    staff = portal_client(world.tenant, world.channel_manager).get("/leads/")
    assert "Country match +40; Region match +15; 1 open deal −3" in staff.content.decode()


def test_the_api_gives_the_score_and_the_contributions_to_staff_and_partner(routed):
    world, best, lead, _offer = routed
    listed = api_client(world.tenant, world.channel_manager).get("/api/v1/leads/").json()
    (offer,) = next(row for row in listed["results"] if row["id"] == lead.pk)["offers"]
    assert offer["score"] == "52.00" and offer["explanation"] == WHY
    with tenant_context(world.tenant):
        admin = MemberFactory(tenant=world.tenant, role=Role.PARTNER_ADMIN, partner=best)
    inbox = api_client(world.tenant, admin).get("/api/v1/lead-offers/").json()["results"]
    assert [(o["score"], o["explanation"]) for o in inbox] == [("52.00", WHY)]
