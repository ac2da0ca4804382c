"""How apps react to each other: domain events (prm.events), one owner per table, and the
direction of imports (prm <- partners <- onboarding, training, dealreg, mdf <- analytics)."""

from __future__ import annotations

import re
import tomllib
from decimal import Decimal
from pathlib import Path

import grimp
import pytest
from django.db import connection, transaction

from partners import services as partner_services
from partners.models import PartnerMetrics
from prm import events
from prm import services as prm_services
from prm.models import Member, OutboxEvent
from prm.tenancy import tenant_context
from tests.factories import UserFactory
from tests.training.helpers import make_course
from training import services as training_services
from training.models import Enrollment

ROOT = Path(__file__).resolve().parents[2]
# Every application package (the import contracts' root packages), so new apps are held to the
# same rules as the first seven.
PRODUCT_APPS = tuple(
    tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["root_packages"]
)
HIGHER_THAN_PARTNERS = ("onboarding", "training", "dealreg", "mdf", "analytics")


def product_sources():
    for app in PRODUCT_APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


class Boom(Exception):
    pass


# --- Events ---------------------------------------------------------------------------------


def test_a_subscriber_registered_in_ready_runs_inside_the_emitting_transaction(world):
    """training subscribes to member.joined in TrainingConfig.ready(): the enrolment is made
    in the transaction that adds the person, and a rollback undoes both."""
    assert training_services.on_member_joined_or_changed in events.subscribers("member.joined")
    course = make_course(world)
    with tenant_context(world.tenant):
        training_services.path_save(by=world.admin, name="Path", courses=[course])
        user = UserFactory()
        with pytest.raises(Boom), transaction.atomic():
            member = prm_services.member_add(
                tenant=world.tenant, user=user, role="partner_user", partner=world.partner
            )
            # The reaction already happened, inside this transaction.
            assert Enrollment.objects.filter(member=member, course=course).exists()
            raise Boom
        assert not Member.objects.filter(user=user).exists()
        assert not Enrollment.objects.filter(member_id=member.pk).exists()
        # Committed, both stay.
        member = prm_services.member_add(
            tenant=world.tenant, user=user, role="partner_user", partner=world.partner
        )
        assert Enrollment.objects.filter(member=member, course=course).exists()


def test_an_exception_in_a_subscriber_aborts_the_change_that_emitted(world):
    def refuse(event):
        raise Boom

    events.subscribe("partner.profile_updated", refuse)
    try:
        old = world.partner.country
        with tenant_context(world.tenant), pytest.raises(Boom):
            partner_services.partner_update(
                partner=world.partner, by=world.admin, country="FR" if old != "FR" else "DE"
            )
        with tenant_context(world.tenant):
            world.partner.refresh_from_db()
        assert world.partner.country == old
    finally:
        events._SUBSCRIBERS["partner.profile_updated"].remove(refuse)


def test_unknown_event_types_raise_when_emitted_or_subscribed(world):
    with tenant_context(world.tenant):
        with pytest.raises(ValueError, match="unknown event type"):
            events.emit("partner.exploded", {"partner_id": world.partner.pk}, world.tenant)
        with pytest.raises(ValueError, match="unknown event type"):
            events.subscribe("partner.exploded", lambda event: None)
        with pytest.raises(ValueError, match="needs payload keys"):
            events.emit("course.completed", {"course_id": 1}, world.tenant)


def test_internal_events_stay_off_the_outbox_and_the_webhook_catalogue(world):
    assert not set(events.INTERNAL_EVENTS) & set(events.EVENTS)
    assert not set(events.INTERNAL_EVENTS) & set(events.EVENT_TYPES)
    seen = []
    events.subscribe("partner.profile_updated", seen.append)
    try:
        with tenant_context(world.tenant):
            before = OutboxEvent.objects.count()
            new = "FR" if world.partner.country != "FR" else "DE"
            partner_services.partner_update(partner=world.partner, by=world.admin, country=new)
            assert OutboxEvent.objects.count() == before
            partner_services.partner_transition(
                partner=world.partner, by=world.admin, to="suspended", reason="Audit"
            )
            assert OutboxEvent.objects.count() == before + 1  # partner.status_changed: public
    finally:
        events._SUBSCRIBERS["partner.profile_updated"].remove(seen.append)
    assert [e.payload for e in seen] == [{"partner_id": world.partner.pk, "fields": ["country"]}]


def test_no_model_post_save_receivers_in_product_code():
    """Business reactions are event subscribers, not model signals."""
    allowed: set = set()
    pattern = re.compile(r"post_save\.connect|@receiver\(\s*post_save|pre_save\.connect")
    offenders = [
        str(p.relative_to(ROOT))
        for p in product_sources()
        if p not in allowed and pattern.search(p.read_text())
    ]
    assert offenders == []


# --- Imports ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph(*PRODUCT_APPS)


def test_partners_imports_no_higher_app(graph):
    """partners' own modules import nothing of onboarding, training, dealreg, mdf or analytics
    (not even function-local). Transitive chains through the core (prm.notifications reads
    dealreg and analytics) are the core's debt, not checked here."""
    for higher in HIGHER_THAN_PARTNERS:
        assert not graph.direct_import_exists(
            importer="partners", imported=higher, as_packages=True
        ), f"partners imports {higher}"


def test_training_and_onboarding_do_not_call_each_others_services(graph):
    for importer, imported in (
        ("training", "onboarding.services"),
        ("onboarding", "training.services"),
    ):
        assert not graph.direct_import_exists(
            importer=importer, imported=imported, as_packages=True
        ), f"{importer} imports {imported}"


# --- One owner per table ----------------------------------------------------------------------


def test_partner_metrics_are_written_only_by_the_partners_service():
    """partners_partnermetrics has one writer, partners.services.metrics_upsert."""
    allowed = {ROOT / "partners" / "services.py", ROOT / "partners" / "seed.py"}
    pattern = re.compile(
        r"INSERT INTO (partners_partnermetrics|\{metrics\})|UPDATE partners_partnermetrics"
        r"|PartnerMetrics\.objects\.(create|update|bulk_create|update_or_create|get_or_create)"
    )
    offenders = [
        str(p.relative_to(ROOT))
        for p in product_sources()
        if p not in allowed and pattern.search(p.read_text())
    ]
    assert offenders == []


def test_metrics_upsert_leaves_a_row_alone_when_its_values_are_unchanged(world):
    def upsert(score) -> None:
        partner_services.metrics_upsert(
            tenant=world.tenant,
            columns=["health_score"],
            source_sql="SELECT %(p)s::bigint, %(s)s::int",
            params={"p": world.partner.pk, "s": score},
        )

    def row_version() -> tuple:
        with connection.cursor() as cur:
            cur.execute(
                f"SELECT xmin::text, ctid::text FROM {PartnerMetrics._meta.db_table}"  # noqa: S608
                " WHERE partner_id = %s",
                [world.partner.pk],
            )
            return cur.fetchone()

    with tenant_context(world.tenant):
        upsert(60)
        first = row_version()
        upsert(60)  # the same value: no new row version
        assert row_version() == first
        upsert(None)  # NULL is a change too (IS DISTINCT FROM)
        assert row_version() != first
        assert PartnerMetrics.objects.get(partner=world.partner).health_score is None
        upsert(61)
        assert PartnerMetrics.objects.get(partner=world.partner).health_score == 61


def test_metrics_upsert_sets_only_the_columns_it_is_given(world, stranger):
    with tenant_context(world.tenant):
        PartnerMetrics.objects.filter(partner=world.partner).delete()
        partner_services.metrics_upsert(
            tenant=world.tenant,
            columns=["won_revenue_12m", "won_deals_12m"],
            source_sql="SELECT %(p)s::bigint, 1500.50::numeric, 3",
            params={"p": world.partner.pk},
        )
        partner_services.metrics_upsert(
            tenant=world.tenant,
            columns=["health_score"],
            source_sql="SELECT %(p)s::bigint, 71",
            params={"p": world.partner.pk},
        )
        m = PartnerMetrics.objects.get(partner=world.partner)
        assert (m.won_revenue_12m, m.won_deals_12m, m.certified_people, m.health_score) == (
            Decimal("1500.50"),
            3,
            0,
            71,
        )
        # Another tenant's partner id in the source is ignored.
        partner_services.metrics_upsert(
            tenant=world.tenant,
            columns=["health_score"],
            source_sql="SELECT %(p)s::bigint, 5",
            params={"p": stranger.partner.pk},
        )
        assert not PartnerMetrics.objects.filter(partner_id=stranger.partner.pk).exists()
        with pytest.raises(ValueError):
            partner_services.metrics_upsert(
                tenant=world.tenant, columns=["tier_id"], source_sql="SELECT 1, 1", params={}
            )
