"""Acting on a shared overlap: register a deal prefilled with the pre-check shown, request
an introduction (told to the owner rep or the channel manager, decided, audited, visible to
both), offer the account as a lead (vendor), and who knows a vendor account."""

from __future__ import annotations

import pytest

from accountmap.models import IntroRequest
from dealreg.models import Lead, LeadOffer
from prm.models import AuditEvent, Notification
from prm.roles import Role
from prm.tenancy import tenant_context
from tests.accountmap import sharing_world as sw
from tests.conftest import api_client, portal_client
from tests.factories import DealFactory, MemberFactory
from tests.html_helpers import find, find_all


def _audits(world, action):
    with tenant_context(world.tenant):
        return list(AuditEvent.objects.filter(action=action))


@pytest.mark.django_db
def test_register_a_deal_from_a_shared_overlap_is_prefilled_and_prechecked(world):
    m = sw.build(world)
    sw.share(world, side="vendor", level="overlaps", fields=["country"])
    client = portal_client(world.tenant, world.partner_user)
    page = client.get("/accounts/overlaps/")
    link = find(page, "a", href=f"/accounts/overlaps/{m.overlap.pk}/register-deal/")
    resp = client.get(link.attrs["href"])
    assert resp.status_code == 200
    # The partner's own account fills the form (their data); the form posts to the
    # deal registration's own URLs.
    assert find(resp, "input", name="customer_name").attrs["value"] == sw.P_NAME
    assert find(resp, "input", name="customer_domain_input").attrs["value"] == sw.P_DOMAIN
    assert find(resp, "form", action="/deals/new/")
    assert "Likely available" in find(resp, "div", role="status").text()
    assert len(_audits(world, "deal.prechecked")) == 1


@pytest.mark.django_db
def test_the_precheck_of_a_prefilled_deal_shows_a_conflict_without_naming_anyone(world):
    m = sw.build(world)
    sw.share(world, side="vendor", level="overlaps")
    with tenant_context(world.tenant):
        DealFactory(
            tenant=world.tenant,
            partner=world.other_partner,
            customer_name=sw.P_NAME,
            customer_domain=sw.P_DOMAIN,
            status="approved",
        )
    resp = portal_client(world.tenant, world.partner_admin).get(
        f"/accounts/overlaps/{m.overlap.pk}/register-deal/"
    )
    status = find(resp, "div", role="status").text()
    assert "Possible conflict" in status
    assert world.other_partner.name not in resp.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("level", ["hidden", "counts"])
def test_an_overlap_not_shared_cannot_be_acted_on(world, level):
    m = sw.build(world)
    sw.share(world, side="vendor", level=level)
    client = portal_client(world.tenant, world.partner_admin)
    assert client.get(f"/accounts/overlaps/{m.overlap.pk}/register-deal/").status_code == 404
    assert client.get(f"/accounts/overlaps/{m.overlap.pk}/intro/").status_code == 404
    assert client.post(f"/accounts/overlaps/{m.overlap.pk}/intro/", {}).status_code == 404
    api = api_client(world.tenant, world.partner_admin)
    assert api.post(f"/api/v1/account-overlaps/{m.overlap.pk}/intro/", {}).status_code == 404
    # Another partner's overlap answers the same.
    assert client.get(f"/accounts/overlaps/{m.overlap_b.pk}/register-deal/").status_code == 404
    with tenant_context(world.tenant):
        assert not IntroRequest.objects.exists()


@pytest.mark.django_db
def test_an_introduction_is_asked_told_to_the_owner_rep_decided_and_seen_by_both(world):
    m = sw.build(world)
    sw.share(world, side="vendor", level="overlaps")
    with tenant_context(world.tenant):
        rep = MemberFactory(tenant=world.tenant, role=Role.CHANNEL_MANAGER)
        m.vc.owner_member = rep
        m.vc.save(update_fields=["owner_member"])
    partner = portal_client(world.tenant, world.partner_user)
    resp = partner.post(
        f"/accounts/overlaps/{m.overlap.pk}/intro/", {"message": "We run their fleet."}
    )
    assert resp.status_code == 302 and resp["Location"] == "/accounts/intros/"
    with tenant_context(world.tenant):
        intro = IntroRequest.objects.get()
        told = list(Notification.objects.filter(object_type="accountmap.introrequest"))
    assert intro.status == "requested" and intro.requested_by_id == world.partner_user.pk
    assert [n.member_id for n in told] == [rep.pk]  # the owner rep, not every manager
    assert len(_audits(world, "account_intro.requested")) == 1
    # A second request while one is open: a form error, nothing written.
    again = partner.post(f"/accounts/overlaps/{m.overlap.pk}/intro/", {"message": "Again"})
    assert again.status_code == 200 and find(again, "div", role="alert")

    # Both sides see it; staff decide with a reason.
    assert sw.V_NAME in partner.get("/accounts/intros/").content.decode()
    staff = portal_client(world.tenant, rep)
    assert sw.V_NAME in staff.get("/accounts/intros/").content.decode()
    no_reason = staff.post(f"/accounts/intros/{intro.pk}/decline/", {"reason": ""})
    assert no_reason.status_code == 302
    with tenant_context(world.tenant):
        intro.refresh_from_db()
    assert intro.status == "requested"
    staff.post(f"/accounts/intros/{intro.pk}/decline/", {"reason": "Customer is in a freeze"})
    with tenant_context(world.tenant):
        intro.refresh_from_db()
        partner_told = set(
            Notification.objects.filter(
                object_type="accountmap.introrequest", object_id=intro.pk
            ).values_list("member_id", flat=True)
        )
    assert intro.status == "declined" and intro.reason == "Customer is in a freeze"
    assert {world.partner_admin.pk, world.partner_user.pk} <= partner_told
    assert _audits(world, "account_intro.declined")[0].after["status"] == "declined"
    # A partner cannot decide; a decided request cannot be decided again.
    assert partner.post(f"/accounts/intros/{intro.pk}/accept/").status_code == 403
    resp = api_client(world.tenant, rep).post(f"/api/v1/account-intros/{intro.pk}/accept/")
    assert resp.status_code == 400


@pytest.mark.django_db
def test_an_introduction_no_longer_shared_is_not_named_to_the_partner(world):
    m = sw.build(world)
    rule = sw.share(world, side="vendor", level="overlaps")
    api = api_client(world.tenant, world.partner_user)
    resp = api.post(f"/api/v1/account-overlaps/{m.overlap.pk}/intro/", {}, format="json")
    assert resp.status_code == 201 and resp.json()["account_name"] == sw.V_NAME
    with tenant_context(world.tenant):
        rule.level = "counts"
        rule.save()
    listed = api.get("/api/v1/account-intros/").json()["results"]
    assert listed[0]["account_name"] is None
    page = portal_client(world.tenant, world.partner_user).get("/accounts/intros/")
    assert sw.V_NAME not in page.content.decode()
    # The vendor still sees its own account.
    staff = api_client(world.tenant, world.admin).get("/api/v1/account-intros/").json()
    assert staff["results"][0]["account_name"] == sw.V_NAME


@pytest.mark.django_db
def test_the_vendor_offers_a_shared_overlap_as_a_lead_to_that_partner(world):
    m = sw.build(world)
    sw.share(world, side="partner", level="overlaps")
    resp = portal_client(world.tenant, world.channel_manager).post(
        f"/accounts/overlaps/{m.overlap.pk}/lead/"
    )
    assert resp.status_code == 302 and resp["Location"] == "/leads/"
    with tenant_context(world.tenant):
        lead = Lead.objects.get()
        offer = LeadOffer.objects.get()
    assert (lead.company, lead.domain, lead.country) == (sw.V_NAME, sw.V_DOMAIN, "NO")
    assert offer.partner_id == world.partner.pk and lead.status == "offered"


@pytest.mark.django_db
def test_a_lead_from_an_overlap_the_partner_does_not_share_is_404(world):
    m = sw.build(world)  # the partner shares nothing (counts)
    client = portal_client(world.tenant, world.admin)
    assert client.post(f"/accounts/overlaps/{m.overlap.pk}/lead/").status_code == 404
    api = api_client(world.tenant, world.admin)
    assert api.post(f"/api/v1/account-overlaps/{m.overlap.pk}/lead/").status_code == 404
    with tenant_context(world.tenant):
        assert not Lead.objects.exists()


@pytest.mark.django_db
def test_a_vendor_account_page_lists_the_partners_who_know_it_within_what_they_share(world):
    m = sw.build(world)
    sw.share(world, side="partner", level="overlaps", fields=["status"])
    # Partner B shares its customers as overlaps but not which population they are.
    sw.share(world, side="partner", level="overlaps", partner=world.other_partner)
    page = portal_client(world.tenant, world.admin).get(f"/accounts/{m.vc.pk}/partners/")
    rows = find_all(page, "tr")[1:]
    texts = [r.text() for r in rows]
    assert any(world.partner.name in t and "Customer" in t for t in texts)
    assert any(world.other_partner.name in t and "not shared" in t for t in texts)
    assert sw.P_OWNER not in page.content.decode()  # owner not chosen


@pytest.mark.django_db
def test_who_knows_an_account_through_the_api_answers_as_the_page(world):
    m = sw.build(world)
    sw.share(world, side="partner", level="overlaps", fields=["status"])
    api = api_client(world.tenant, world.channel_manager)
    body = api.get(f"/api/v1/account-overlaps/known-by/?account={m.vc.pk}").json()
    assert [(p["partner"], p["account"]["status"]) for p in body["partners"]] == [
        (world.partner.pk, "customer")
    ]  # partner B shares nothing: not listed
    assert body["partners"][0]["account"]["owner_name"] is None
    bad = api.get("/api/v1/account-overlaps/known-by/?account=x")
    assert bad.status_code == 400 and "account" in bad.json()["errors"]
    # A partner's account is not "ours".
    other = api.get(f"/api/v1/account-overlaps/known-by/?account={m.pa1.pk}")
    assert other.status_code == 400
