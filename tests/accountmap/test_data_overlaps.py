"""The overlap computation (accountmap.overlaps): set-based matching on the registrable
domain or the normalised company name, free-mail never matching, removal of overlaps that
no longer match, incremental runs equal to the full run, the event for new overlaps only,
counts per population pair, tenant isolation."""

from __future__ import annotations

import pytest
from django.db import connection

from accountmap import overlaps
from accountmap.models import Overlap
from prm import events
from prm.tenancy import tenant_context
from tests.factories import AccountFactory, PopulationFactory

pytestmark = pytest.mark.django_db


def _pairs(world) -> set[tuple[int, int, str]]:
    with tenant_context(world.tenant):
        return set(
            Overlap.objects.values_list("vendor_account_id", "partner_account_id", "matched_on")
        )


def _vendor(world, **kw):
    return AccountFactory(tenant=world.tenant, **kw)


def _theirs(world, partner=None, **kw):
    return AccountFactory(tenant=world.tenant, partner=partner or world.partner, **kw)


@pytest.fixture
def heard():
    seen = []

    def handler(event):
        seen.append(event.payload)

    events.subscribe("accountmap.overlaps_found", handler)
    yield seen
    events._SUBSCRIBERS["accountmap.overlaps_found"].remove(handler)


def test_same_domain_is_an_overlap(world):
    v = _vendor(world, name="Initech", domain="initech.example")
    p = _theirs(world, name="Initech Corporation (EU)", domain="initech.example")
    with tenant_context(world.tenant):
        overlaps.overlaps_compute_full(world.tenant)
    assert _pairs(world) == {(v.pk, p.pk, "domain")}


def test_same_normalised_name_is_an_overlap(world):
    v = _vendor(world, name="Globex Corporation", domain="globex.example")
    p = _theirs(world, name="globex corp.", domain="globex-eu.example")
    assert v.name_normalised == p.name_normalised  # the factory normalises like the services
    with tenant_context(world.tenant):
        overlaps.overlaps_compute_full(world.tenant)
    assert _pairs(world) == {(v.pk, p.pk, "name")}


def test_a_free_mail_domain_never_matches(world):
    _vendor(world, name="Alice Consulting", domain="gmail.com")
    _theirs(world, name="Bob Trading", domain="gmail.com")
    _vendor(world, name="Carol", domain="yahoo.co.jp")
    _theirs(world, name="Dave", domain="yahoo.co.jp")
    with tenant_context(world.tenant):
        overlaps.overlaps_compute_full(world.tenant)
    assert _pairs(world) == set()


def test_unrelated_accounts_do_not_overlap(world):
    _vendor(world, name="Alpha", domain="alpha.example")
    _theirs(world, name="Beta", domain="beta.example")
    with tenant_context(world.tenant):
        overlaps.overlaps_compute_full(world.tenant)
    assert _pairs(world) == set()


def test_an_overlap_that_no_longer_matches_is_removed(world):
    _vendor(world, name="Umbrella", domain="umbrella.example")
    p = _theirs(world, name="Umbrella", domain="umbrella.example")
    with tenant_context(world.tenant):
        overlaps.overlaps_compute_full(world.tenant)
        assert Overlap.objects.count() == 1
        p.name, p.name_normalised, p.domain = "Other", "other", "other.example"
        p.save()
        result = overlaps.overlaps_compute_changed(world.tenant, world.partner.pk, [p.pk])
        assert result.removed == 1
        assert Overlap.objects.count() == 0


def test_an_overlap_told_and_asked_about_that_no_longer_matches_is_removed_cleanly(world):
    """Its notice and introduction request go with it (the request's record stays in the
    audit log), and the run commits: nothing is left pointing at the removed overlap."""
    from django.db import connection

    from accountmap.models import IntroRequest, OverlapNotice
    from prm.models import AuditEvent

    _vendor(world, name="Umbrella", domain="umbrella.example")
    p = _theirs(world, name="Umbrella", domain="umbrella.example")
    with tenant_context(world.tenant):
        overlaps.overlaps_compute_full(world.tenant)
        overlap = Overlap.objects.get()
        OverlapNotice.objects.create(tenant=world.tenant, overlap=overlap)
        intro = IntroRequest.objects.create(
            tenant=world.tenant, partner=world.partner, overlap=overlap, message="Please"
        )
        p.name, p.name_normalised, p.domain = "Other", "other", "other.example"
        p.save()
        result = overlaps.overlaps_compute_full(world.tenant)
        # The deferred foreign keys are checked now, as the run's commit would check them.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        assert result.removed == 1
        assert not Overlap.objects.exists()
        assert not OverlapNotice.objects.exists() and not IntroRequest.objects.exists()
        closed = AuditEvent.objects.get(action="account_intro.closed")
    assert closed.object_id == str(intro.pk)
    assert closed.before["message"] == "Please" and closed.before["status"] == "requested"


def test_deleting_an_account_removes_its_overlaps(world):
    # Overlaps are derived rows with no database key (prm.distribution.DERIVED): Django's
    # on_delete removes them with the account, and the computation removes any it finds
    # pointing at an account that is gone.
    v = _vendor(world, name="Initech", domain="initech.example")
    p = _theirs(world, name="Initech", domain="initech.example")
    q = _theirs(world, name="Initech", domain="initech.example")
    with tenant_context(world.tenant):
        overlaps.overlaps_compute_full(world.tenant)
    assert {pair[1] for pair in _pairs(world)} == {p.pk, q.pk}
    with tenant_context(world.tenant):
        p.delete()
    assert {pair[1] for pair in _pairs(world)} == {q.pk}
    with tenant_context(world.tenant), connection.cursor() as cur:
        # a row removed behind Django's back: its overlap is left pointing at nothing ...
        cur.execute("DELETE FROM accountmap_account WHERE id = %s", [q.pk])
        assert Overlap.objects.filter(partner_account_id=q.pk).exists()
        result = overlaps.overlaps_compute_full(world.tenant)
    # ... until the next computation, which keeps only the pairs that still match
    assert result.removed == 1
    assert _pairs(world) == set()
    assert v.pk  # the vendor account stays


def test_an_inactive_account_has_no_overlaps(world):
    _vendor(world, name="Hooli", domain="hooli.example", is_active=False)
    _theirs(world, name="Hooli", domain="hooli.example")
    with tenant_context(world.tenant):
        overlaps.overlaps_compute_full(world.tenant)
    assert _pairs(world) == set()


def test_incremental_runs_give_the_same_overlaps_as_the_full_run(world):
    vendor = [_vendor(world, name=f"Co {i}", domain=f"co{i}.example") for i in range(6)]
    mine = [_theirs(world, name=f"Co {i}", domain=f"co{i}.example") for i in range(0, 6, 2)]
    other = [
        _theirs(world, world.other_partner, name=f"Other {i}", domain=f"co{i}.example")
        for i in (1, 2)
    ]
    with tenant_context(world.tenant):
        overlaps.overlaps_compute_changed(world.tenant, None, [v.pk for v in vendor[:3]])
        overlaps.overlaps_compute_changed(world.tenant, world.partner.pk, [a.pk for a in mine])
        overlaps.overlaps_compute_changed(
            world.tenant, world.other_partner.pk, [a.pk for a in other]
        )
        incremental = _pairs(world)
        Overlap.objects.all().delete()
        overlaps.overlaps_compute_full(world.tenant)
    assert incremental == _pairs(world)
    assert len(incremental) == 5


def test_the_event_names_only_new_overlaps_per_partner(world, heard):
    _vendor(world, name="Acme", domain="acme.example")
    _theirs(world, name="Acme", domain="acme.example")
    with tenant_context(world.tenant):
        overlaps.overlaps_compute_full(world.tenant)
        first = Overlap.objects.get()
        assert heard == [{"partner_id": world.partner.pk, "overlap_ids": [first.pk]}]
        overlaps.overlaps_compute_full(world.tenant)  # nothing new: no event
        assert len(heard) == 1
        _theirs(world, world.other_partner, name="ACME", domain="acme.example")
        overlaps.overlaps_compute_full(world.tenant)
    assert len(heard) == 2 and heard[1]["partner_id"] == world.other_partner.pk


def test_counts_per_population_pair(world):
    enterprise = PopulationFactory(
        tenant=world.tenant, name="Enterprise", min_employees=1000, statuses=["customer"]
    )
    theirs_emea = PopulationFactory(
        tenant=world.tenant, partner=world.partner, name="EMEA", regions=["emea"]
    )
    _vendor(world, name="A", domain="a.example", status="customer", employees=5000)
    _vendor(world, name="B", domain="b.example", status="prospect", employees=50)
    _theirs(world, name="A", domain="a.example", status="opportunity", region="EMEA")
    _theirs(world, name="B", domain="b.example", status="customer", region="AMER")
    with tenant_context(world.tenant):
        overlaps.overlaps_compute_full(world.tenant)
        counts = overlaps.overlap_counts(world.partner)
    assert counts == {
        ("status:customer", "status:opportunity"): 1,
        ("status:customer", f"population:{theirs_emea.pk}"): 1,
        (f"population:{enterprise.pk}", "status:opportunity"): 1,
        (f"population:{enterprise.pk}", f"population:{theirs_emea.pk}"): 1,
        ("status:prospect", "status:customer"): 1,
    }
    assert overlaps.overlap_totals(counts) == 2


def test_counts_take_a_constant_number_of_queries(world, django_assert_num_queries):
    def grow(n):
        for i in range(n):
            _vendor(world, name=f"Q{n}-{i}", domain=f"q{n}-{i}.example")
            _theirs(world, name=f"Q{n}-{i}", domain=f"q{n}-{i}.example")
        PopulationFactory(tenant=world.tenant, partner=world.partner, statuses=["customer"])
        PopulationFactory(tenant=world.tenant, industries=["x"])

    grow(1)
    with tenant_context(world.tenant):
        overlaps.overlaps_compute_full(world.tenant)
        with django_assert_num_queries(3):
            overlaps.overlap_counts(world.partner)
        with django_assert_num_queries(3):
            overlaps.overlap_counts_all()
    grow(8)
    with tenant_context(world.tenant):
        overlaps.overlaps_compute_full(world.tenant)
        with django_assert_num_queries(3):
            counts = overlaps.overlap_counts(world.partner)
        with django_assert_num_queries(3):
            overlaps.overlap_counts_all()
    assert overlaps.overlap_totals(counts) == 9


def test_another_tenants_accounts_never_match(world, stranger):
    _vendor(world, name="Shared Name", domain="shared.example")
    AccountFactory(
        tenant=stranger.tenant,
        partner=stranger.partner,
        name="Shared Name",
        domain="shared.example",
    )
    with tenant_context(world.tenant):
        overlaps.overlaps_compute_full(world.tenant)
    with tenant_context(stranger.tenant):
        overlaps.overlaps_compute_full(stranger.tenant)
    assert _pairs(world) == set() and _pairs(stranger) == set()
