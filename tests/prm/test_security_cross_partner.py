"""Cross-partner and cross-tenant access to partner-owned objects, as one table.

The rows come from the permission matrix (tests/permissions*.py), which already knows every
portal URL and API endpoint, the object each points at and the request body it needs. The
objects of the matrix belong to `world.partner` (partner A). Here the people of partner B in
the same tenant, and partner people of another tenant, ask for them: every answer must be
404, exactly as for an object that does not exist (never 200, never 403).

The two worlds are built once for the module, inside a transaction that is rolled back at
the module's end; each test runs in a savepoint of it.
"""

from __future__ import annotations

import pytest
from django.db import transaction

from prm.roles import Role
from prm.tenancy import tenant_context
from tests.conftest import api_client, build_world, portal_client
from tests.factories import MemberFactory
from tests.permissions import ENDPOINTS
from tests.prm.test_permission_matrix import _furnish

PARTNER_ROLES = ("partner_admin", "partner_user")

# (URL name, method) of every endpoint whose object belongs to one partner.
PARTNER_OWNED = {
    # People and invitations of partner A
    ("member-detail", "get"),
    ("api-member-detail", "get"),
    ("invitation-revoke", "post"),
    ("api-invitation-revoke", "post"),
    # Partner A's own record
    ("api-partner-detail", "get"),
    ("api-partner-detail", "patch"),
    # Onboarding: uploads, workflow progress, agreement acceptances and signed PDFs
    ("onboarding-document", "get"),
    ("api-onboarding-progress-detail", "get"),
    ("agreement-pdf", "get"),
    ("api-agreement-acceptance-detail", "get"),
    # Training: enrolments, attempts, certificates
    ("training-attempt", "get"),
    ("training-attempt", "post"),
    ("training-certificate-pdf", "get"),
    ("api-enrollment-detail", "get"),
    ("api-enrollment-restart", "post"),
    ("api-quiz-attempt-detail", "get"),
    ("api-quiz-attempt-submit", "post"),
    ("api-certificate-detail", "get"),
    # Deals, their timeline and influencers, leads
    ("deal-detail", "get"),
    ("deal-status", "get"),
    ("deal-edit", "get"),
    ("api-deal-detail", "get"),
    ("api-deal-detail", "patch"),
    ("api-deal-timeline", "get"),
    ("api-deal-influencers", "post"),
    ("api-deal-submit", "post"),
    ("api-deal-withdraw", "post"),
    ("api-deal-extend", "post"),
    ("api-lead-offer-accept", "post"),
    ("api-lead-offer-decline", "post"),
    # MDF: requests, claims, proof files, remittance PDFs
    ("mdf-request-detail", "get"),
    ("mdf-request-edit", "get"),
    ("mdf-claim-new", "get"),
    ("mdf-claim-detail", "get"),
    ("mdf-remittance", "get"),
    ("mdf-document-download", "get"),
    ("api-mdf-request-detail", "get"),
    ("api-mdf-request-detail", "patch"),
    ("api-mdf-request-cancel", "post"),
    ("api-mdf-claim-detail", "get"),
    ("api-mdf-claim-documents", "post"),
    ("api-mdf-claim-resubmit", "post"),
    # Analytics: health history, business-review PDFs
    ("api-analytics-health-history", "get"),
    ("analytics-review-download", "get"),
    # People mapping: partner A's territories and the owners of its accounts
    ("territory-detail", "get"),
    ("territory-delete", "post"),
    ("account-owner-assign", "post"),
    ("api-territory-detail", "get"),
    ("api-account-owner-owner", "post"),
}

ROWS = [e for e in ENDPOINTS if (e.name, e.method) in PARTNER_OWNED]
CASES = [(e, role) for e in ROWS for role in PARTNER_ROLES if role in e.allowed]


def test_every_partner_owned_row_is_in_the_matrix():
    """A renamed URL must not silently drop out of this table."""
    found = {(e.name, e.method) for e in ROWS}
    assert found == PARTNER_OWNED, sorted(PARTNER_OWNED - found)


@pytest.fixture(scope="module")
def worlds(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            world = _furnish(build_world("cpa"))
            stranger = _furnish(build_world("cpb"))
            for w in (world, stranger):
                w.other_partner_admin = MemberFactory(
                    tenant=w.tenant, role=Role.PARTNER_ADMIN, partner=w.other_partner
                )
            # Build every lazily made object now, so no test's savepoint rolls one back.
            for e in ROWS:
                e.url(world)
                e.stranger_url(world, stranger)
                if e.data:
                    e.data(world)
            yield world, stranger
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _call(endpoint, tenant, url, member, data):
    if endpoint.api:
        client, kwargs = api_client(tenant, member), {"format": "json"}
    else:
        client, kwargs = portal_client(tenant, member), {}
    return getattr(client, endpoint.method)(url, data, **kwargs)


def _other_partners(world, role):
    return world.other_partner_admin if role == "partner_admin" else world.other_partner_user


@pytest.mark.parametrize(("endpoint", "role"), CASES, ids=lambda v: str(v))
def test_another_partner_of_the_same_tenant_gets_404(endpoint, role, worlds, db):
    world, _stranger = worlds
    data = endpoint.data(world) if endpoint.data else {}
    url = endpoint.url(world)
    if endpoint.method == "get":  # the object is there: its own partner reaches it
        own = _call(endpoint, world.tenant, url, world.member(role), data)
        assert own.status_code in endpoint.expect, (own.status_code, url)
    resp = _call(endpoint, world.tenant, url, _other_partners(world, role), data)
    assert resp.status_code == 404, (resp.status_code, url, resp.content[:300])


@pytest.mark.parametrize(("endpoint", "role"), CASES, ids=lambda v: str(v))
def test_a_partner_of_another_tenant_gets_404(endpoint, role, worlds, db):
    world, stranger = worlds
    data = endpoint.data(world) if endpoint.data else {}
    url = endpoint.stranger_url(world, stranger)
    resp = _call(endpoint, world.tenant, url, world.member(role), data)
    assert resp.status_code == 404, (resp.status_code, url, resp.content[:300])


@pytest.mark.parametrize("role", PARTNER_ROLES)
def test_another_partners_objects_are_absent_from_list_endpoints(worlds, db, role):
    """Lists of partner B's people hold none of partner A's deals, requests or enrolments."""
    world, _stranger = worlds
    other = api_client(world.tenant, _other_partners(world, role))
    own_ids = {
        "/api/v1/deals/": {world.deal.pk, world.draft.pk},
    }
    from tests.mdf.test_mdf_support import mdf_objects

    m = mdf_objects(world)
    own_ids["/api/v1/mdf/requests/"] = {m.submitted.pk, m.approved_unclaimed.pk}
    own_ids["/api/v1/mdf/claims/"] = {m.claim_submitted.pk, m.claim_paid.pk}
    for path, ids in own_ids.items():
        resp = other.get(path)
        assert resp.status_code == 200, path
        listed = {row["id"] for row in resp.json()["results"]}
        assert not listed & ids, path


def test_deal_ids_in_the_tenant_are_partner_As(worlds, db):
    """Sanity for the table: the matrix's deals belong to partner A."""
    from dealreg.models import Deal

    world, _stranger = worlds
    with tenant_context(world.tenant):
        partners = set(
            Deal.objects.filter(pk__in=[world.deal.pk, world.draft.pk]).values_list(
                "partner_id", flat=True
            )
        )
    assert partners == {world.partner.pk}
