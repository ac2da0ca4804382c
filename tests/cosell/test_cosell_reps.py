"""A vendor sales rep in co-selling: a participant of the workspaces they are added to (they
comment, add tasks and files there), the one who opens and sees the workspace of a deal whose
customer they sell, and the one who sees which partners know their own accounts (within what
each partner shares); never a program runner (no closing, inviting, adding people, another
rep's accounts or workspaces)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cosell import services
from cosell.models import Comment, SharedOpportunity, TeamMember
from prm.models import AuditEvent
from prm.roles import Role
from prm.tenancy import tenant_context
from tests.accountmap.people_helpers import account, overlap, share
from tests.conftest import api_client, portal_client
from tests.cosell.support import PDF_BYTES, deal_of, workspace
from tests.factories import MemberFactory
from tests.html_helpers import find, find_all

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _sold_deal(world, rep=None, *, name="Initech"):
    """A registration of world.partner whose account overlaps a vendor account `rep` owns."""
    deal = deal_of(world, customer_name=name)
    with tenant_context(world.tenant):
        mine = account(
            world.tenant, name, status="opportunity", owner_member=rep or world.sales_rep
        )
        theirs = account(world.tenant, f"{name} (reg)", partner=world.partner, deal=deal)
        overlap(mine, theirs)
    return deal


def test_a_rep_added_to_a_workspace_sees_it_and_comments_adds_tasks_and_files(world):
    opp = workspace(world)
    client = portal_client(world.tenant, world.sales_rep)
    assert client.get(f"/shared/{opp.pk}/").status_code == 404
    with tenant_context(world.tenant):
        services.team_member_add(opportunity=opp, by=world.admin, member_id=world.sales_rep.pk)
    page = client.get(f"/shared/{opp.pk}/")
    assert page.status_code == 200
    assert find_all(client.get("/shared/"), "a", href=f"/shared/{opp.pk}/")
    resp = client.post(f"/shared/{opp.pk}/comments/", {"body": "I know their CFO."})
    assert resp.status_code == 302
    resp = client.post(f"/shared/{opp.pk}/tasks/", {"title": "Intro call"})
    assert resp.status_code == 302
    upload = SimpleUploadedFile("plan.pdf", PDF_BYTES, content_type="application/pdf")
    assert client.post(f"/shared/{opp.pk}/files/", {"file": upload}).status_code == 302
    with tenant_context(world.tenant):
        assert Comment.objects.get(opportunity=opp).author == world.sales_rep
        assert opp.tasks.get().title == "Intro call"
        assert opp.files.count() == 1
    api = api_client(world.tenant, world.sales_rep)
    assert api.get(f"/api/v1/shared-opportunities/{opp.pk}/comments/").status_code == 200


def test_a_rep_on_a_workspace_runs_nothing(world):
    opp = workspace(world)
    with tenant_context(world.tenant):
        services.team_member_add(opportunity=opp, by=world.admin, member_id=world.sales_rep.pk)
        row = TeamMember.objects.get(opportunity=opp, member=world.channel_manager)
    client = portal_client(world.tenant, world.sales_rep)
    assert client.post(f"/shared/{opp.pk}/close/").status_code == 403
    data = {"partner": world.other_partner.pk, "role": "si"}
    assert client.post(f"/shared/{opp.pk}/partners/", data).status_code == 403
    assert client.post(f"/shared/{opp.pk}/people/{row.pk}/remove/").status_code == 403
    page = client.get(f"/shared/{opp.pk}/")
    assert not find_all(page, "form", action=f"/shared/{opp.pk}/close/")
    api = api_client(world.tenant, world.sales_rep)
    assert api.post(f"/api/v1/shared-opportunities/{opp.pk}/close/").status_code == 403
    with tenant_context(world.tenant):
        assert SharedOpportunity.objects.get(pk=opp.pk).status == "open"


def test_a_partner_admin_may_bring_a_rep_in_and_the_rep_hears_of_it(world):
    opp = workspace(world)
    client = portal_client(world.tenant, world.partner_admin)
    resp = client.post(f"/shared/{opp.pk}/people/", {"member": world.sales_rep.pk})
    assert resp.status_code == 302
    with tenant_context(world.tenant):
        assert TeamMember.objects.filter(opportunity=opp, member=world.sales_rep).exists()
        assert AuditEvent.objects.filter(action="cosell.person_added").exists()
    page = portal_client(world.tenant, world.sales_rep).get("/notifications/")
    assert page.status_code == 200
    assert "added to a shared opportunity" in page.content.decode()


def test_the_rep_who_sells_the_customer_opens_and_sees_the_deals_workspace(world):
    deal = _sold_deal(world)
    client = portal_client(world.tenant, world.sales_rep)
    resp = client.post(f"/shared/open/deal/{deal.pk}/")
    assert resp.status_code == 302
    with tenant_context(world.tenant):
        opp = SharedOpportunity.objects.get(deal=deal)
        assert TeamMember.objects.filter(opportunity=opp, member=world.sales_rep).exists()
    assert resp["Location"] == f"/shared/{opp.pk}/"
    assert client.post(f"/shared/{opp.pk}/comments/", {"body": "Hi"}).status_code == 302


def test_the_selling_rep_sees_a_workspace_the_partner_opened_without_being_added(world):
    deal = _sold_deal(world)
    with tenant_context(world.tenant):
        opp, _new = services.opportunity_open(by=world.partner_admin, deal=deal)
    client = portal_client(world.tenant, world.sales_rep)
    assert client.get(f"/shared/{opp.pk}/").status_code == 200
    panel = client.get(f"/deals/{deal.pk}/")
    assert find_all(panel, "a", href=f"/shared/{opp.pk}/")
    api = api_client(world.tenant, world.sales_rep)
    ids = [o["id"] for o in api.get("/api/v1/shared-opportunities/").json()["results"]]
    assert ids == [opp.pk]


def test_a_rep_who_does_not_sell_the_customer_neither_opens_nor_learns_of_its_workspace(world):
    other_rep = MemberFactory(tenant=world.tenant, role=Role.SALES_REP)
    deal = _sold_deal(world, rep=other_rep)
    client = portal_client(world.tenant, world.sales_rep)
    assert client.post(f"/shared/open/deal/{deal.pk}/").status_code == 403
    with tenant_context(world.tenant):
        opp, _new = services.opportunity_open(by=world.partner_admin, deal=deal)
    assert client.get(f"/shared/{opp.pk}/").status_code == 404
    assert client.post(f"/shared/open/deal/{deal.pk}/").status_code == 403
    api = api_client(world.tenant, world.sales_rep)
    # Opening an existing workspace returns it: not to a rep who does not sell the customer.
    resp = api.post("/api/v1/shared-opportunities/", {"deal": deal.pk}, format="json")
    assert resp.status_code == 403
    assert "id" not in resp.json()
    assert api.get(f"/api/v1/shared-opportunities/{opp.pk}/").status_code == 404
    # The rep who sells it does.
    assert portal_client(world.tenant, other_rep).get(f"/shared/{opp.pk}/").status_code == 200


def _known(world, *, level, rep=None, name="Initech"):
    with tenant_context(world.tenant):
        mine = account(world.tenant, name, status="customer", owner_member=rep or world.sales_rep)
        theirs = account(
            world.tenant, name, partner=world.partner, status="customer", owner_name="Pat"
        )
        overlap(mine, theirs)
        share(
            world.tenant,
            side="partner",
            partner=world.partner,
            status="customer",
            level=level,
            fields=("status", "owner"),
        )
    return mine


def test_a_rep_sees_which_partners_know_their_account_within_what_is_shared(world):
    mine = _known(world, level="overlaps")
    client = portal_client(world.tenant, world.sales_rep)
    page = client.get(f"/accounts/{mine.pk}/partners/")
    assert page.status_code == 200
    assert world.partner.name in find(page, "tbody").text()
    assert "Pat" in find(page, "tbody").text()
    # The rep is not staff: no link into the staff's overlap pages.
    assert not find_all(page, "a", href=f"/accounts/overlaps/partners/{world.partner.pk}/")
    listed = client.get("/my-accounts/")
    assert find_all(listed, "a", href=f"/accounts/{mine.pk}/partners/")
    body = api_client(world.tenant, world.sales_rep).get(
        f"/api/v1/account-overlaps/known-by/?account={mine.pk}"
    )
    assert [p["partner_name"] for p in body.json()["partners"]] == [world.partner.name]


def test_a_partner_that_shares_only_counts_is_not_named_to_the_rep(world):
    mine = _known(world, level="counts")
    page = portal_client(world.tenant, world.sales_rep).get(f"/accounts/{mine.pk}/partners/")
    assert page.status_code == 200
    assert world.partner.name.encode() not in page.content
    body = api_client(world.tenant, world.sales_rep).get(
        f"/api/v1/account-overlaps/known-by/?account={mine.pk}"
    )
    assert body.json()["partners"] == []


def test_another_reps_account_is_not_found_for_a_rep(world):
    other_rep = MemberFactory(tenant=world.tenant, role=Role.SALES_REP)
    theirs = _known(world, level="all", rep=other_rep)
    client = portal_client(world.tenant, world.sales_rep)
    assert client.get(f"/accounts/{theirs.pk}/partners/").status_code == 404
    resp = api_client(world.tenant, world.sales_rep).get(
        f"/api/v1/account-overlaps/known-by/?account={theirs.pk}"
    )
    assert resp.status_code == 400
    assert "account" in resp.json()["errors"]
    # Staff see every vendor account's partners.
    staff = portal_client(world.tenant, world.channel_manager)
    assert staff.get(f"/accounts/{theirs.pk}/partners/").status_code == 200


def test_a_rep_still_may_not_run_the_sharing_matrix_or_overlap_pages(world):
    client = portal_client(world.tenant, world.sales_rep)
    assert client.get("/accounts/sharing/").status_code == 403
    assert client.get(f"/accounts/overlaps/partners/{world.partner.pk}/").status_code == 403
    assert client.get("/accounts/intros/").status_code == 403
