"""Influence claims as a workflow: a partner claims influence on a customer with evidence
(reachable from the menu), staff decide with a reason within the review target of the rules
(overdue claims stand out in the queue), the partner may withdraw while it waits; every move is
audited, in the portal and the API, and other partners' claims do not exist for a partner."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.utils import timezone

from dealreg import services
from dealreg.models import InfluenceClaim
from prm.models import AuditEvent
from prm.tenancy import tenant_context
from tests.conftest import api_client, portal_client

pytestmark = pytest.mark.django_db

CLAIM = {
    "customer_name": "Globex Corporation",
    "customer_domain": "https://www.globex.com/about",
    "role": "si",
    "evidence": "Ran the architecture workshop in March; recommended the product.",
}


def _claim(world, member=None) -> InfluenceClaim:
    with tenant_context(world.tenant):
        return services.influence_claim_submit(by=member or world.partner_user, **CLAIM)


def _status(world, claim) -> str:
    with tenant_context(world.tenant):
        return InfluenceClaim.objects.get(pk=claim.pk).status


def test_a_partner_claims_influence_from_the_menu_with_evidence(world):
    client = portal_client(world.tenant, world.partner_user)
    home = client.get("/deals/").content.decode()
    assert 'href="/influence/"' in home
    assert 'href="/influence/new/"' in client.get("/influence/").content.decode()
    resp = client.post("/influence/new/", {**CLAIM, "evidence": ""})
    assert resp.status_code == 200 and "This field is required." in resp.content.decode()
    resp = client.post("/influence/new/", CLAIM)
    assert resp.status_code == 302
    with tenant_context(world.tenant):
        claim = InfluenceClaim.objects.get()
        assert AuditEvent.objects.filter(action="influence_claim.submitted").count() == 1
    assert claim.partner_id == world.partner.pk and claim.status == "pending"
    assert claim.customer_domain == "globex.com"
    assert claim.due_at - claim.created_at == datetime.timedelta(hours=72)
    assert "Globex Corporation" in client.get("/influence/").content.decode()


def test_the_review_target_comes_from_the_rules(world):
    resp = api_client(world.tenant, world.admin).post(
        "/api/v1/rules/", {"influence_review_hours": 24}, format="json"
    )
    assert resp.status_code == 201, resp.content
    claim = _claim(world)
    assert claim.due_at - claim.created_at == datetime.timedelta(hours=24)


def test_staff_see_overdue_claims_first_and_decide_with_a_reason(world):
    late = _claim(world)
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=80), tick=False):
        fresh = _claim(world, world.other_partner_user)
        client = portal_client(world.tenant, world.channel_manager)
        queue = client.get("/influence/").content.decode()
        assert "1 claim is past its review target." in queue
        assert queue.index("Overdue") < queue.index(f"/influence/{fresh.pk}/approve/")
        resp = client.post(f"/influence/{late.pk}/reject/", {"reason": ""}, follow=True)
        assert "Tell the partner why." in resp.content.decode()
        assert _status(world, late) == "pending"
        resp = client.post(f"/influence/{late.pk}/reject/", {"reason": "No evidence of it."})
        assert resp.status_code == 302 and _status(world, late) == "rejected"
        assert client.post(f"/influence/{fresh.pk}/approve/").status_code == 302
    assert _status(world, fresh) == "approved"
    with tenant_context(world.tenant):
        actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"influence_claim.rejected", "influence_claim.approved"} <= actions


def test_only_the_claiming_partner_withdraws_and_others_get_404(world):
    claim = _claim(world)
    other = portal_client(world.tenant, world.other_partner_user)
    assert other.post(f"/influence/{claim.pk}/withdraw/").status_code == 404
    assert f"{claim.pk}/withdraw" not in other.get("/influence/").content.decode()
    staff = portal_client(world.tenant, world.channel_manager)
    assert staff.post(f"/influence/{claim.pk}/withdraw/").status_code == 403
    own = portal_client(world.tenant, world.partner_admin)
    assert own.post(f"/influence/{claim.pk}/approve/").status_code == 403
    assert own.post(f"/influence/{claim.pk}/withdraw/").status_code == 302
    assert _status(world, claim) == "withdrawn"
    resp = staff.post(f"/influence/{claim.pk}/approve/", follow=True)
    assert resp.status_code == 200 and _status(world, claim) == "withdrawn"


def test_the_whole_workflow_through_the_api(world, stranger):
    partner = api_client(world.tenant, world.partner_user)
    bad = partner.post("/api/v1/influence-claims/", {**CLAIM, "role": "boss"}, format="json")
    assert bad.status_code == 400 and "role" in bad.json()["errors"]
    resp = partner.post("/api/v1/influence-claims/", CLAIM, format="json")
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["status"] == "pending" and body["allowed_actions"] == ["withdraw"]
    cid = body["id"]
    other = api_client(world.tenant, world.other_partner_user)
    assert other.get(f"/api/v1/influence-claims/{cid}/").status_code == 404
    assert other.get("/api/v1/influence-claims/").json()["results"] == []
    assert (
        api_client(stranger.tenant, stranger.channel_manager)
        .post(f"/api/v1/influence-claims/{cid}/approve/", {}, format="json")
        .status_code
        == 404
    )
    assert partner.post(f"/api/v1/influence-claims/{cid}/approve/").status_code == 403
    staff = api_client(world.tenant, world.channel_manager)
    listed = staff.get("/api/v1/influence-claims/").json()["results"]
    assert [(c["id"], c["overdue"]) for c in listed] == [(cid, False)]
    resp = staff.post(f"/api/v1/influence-claims/{cid}/reject/", {}, format="json")
    assert resp.status_code == 400 and "reason" in resp.json()["errors"]
    resp = staff.post(
        f"/api/v1/influence-claims/{cid}/reject/", {"reason": "Not enough."}, format="json"
    )
    assert resp.status_code == 200 and resp.json()["status"] == "rejected"
    assert resp.json()["decision_reason"] == "Not enough."
    again = partner.post(f"/api/v1/influence-claims/{cid}/withdraw/")
    assert again.status_code == 400
