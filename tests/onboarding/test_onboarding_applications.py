"""Applications: the public form (spam defences, field errors), scoring, duplicates, the
status machine, approval and rejection (portal, API, automatic)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from onboarding import services
from onboarding.models import Application, ApplicationStatus, Workflow
from onboarding.views import APPLY_RATE_LIMIT
from partners.models import Partner, PartnerSpecialty, PartnerStatus
from prm.errors import DomainError, PermissionDenied
from prm.models import AuditEvent, Invitation
from prm.tenancy import tenant_context
from tests.conftest import api_client, portal_client
from tests.factories import PartnerDomainFactory, PartnerFactory
from tests.onboarding_helpers import (
    make_template,
    public_client,
    reload,
    set_profile,
    set_rules,
    specialty,
    submit,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def form_data(world, **overrides):
    data = {
        "company_name": "Globex Partners",
        "website": "https://www.globex.example",
        "country": "de",
        "partner_type": "system_integrator",
        "specialties": [specialty(world).pk],
        "size_band": "50-249",
        "expected_revenue": "250000",
        "contact_name": "Gill Globex",
        "contact_email": "Gill@Globex.example",
        "contact_phone": "+49 30 123456",
        "homepage": "",
    }
    data.update(overrides)
    return data


def count_applications(world) -> int:
    with tenant_context(world.tenant):
        return Application.objects.count()


# --- The public form ----------------------------------------------------------------------


def test_the_form_is_public_and_hides_its_honeypot_with_a_class(world):
    specialty(world)
    resp = public_client(world.tenant).get("/apply/")
    html = resp.content.decode()
    assert resp.status_code == 200
    assert 'class="hp"' in html and 'name="homepage"' in html
    # Strict CSP: no inline style or script (our own static files with src= are allowed).
    assert "style=" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert 'for="id_country"' in html and "Security" in html


def test_a_valid_application_is_stored_scored_and_acknowledged(
    world, django_capture_on_commit_callbacks
):
    set_profile(world, countries=["DE"], partner_types=["system_integrator"])
    client = public_client(world.tenant)
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post("/apply/", form_data(world), HTTP_USER_AGENT="Browser/1.0")
    assert resp.status_code == 302 and resp["Location"] == "/apply/thanks/"
    with tenant_context(world.tenant):
        app = Application.objects.get()
        assert app.country == "DE" and app.contact_email == "gill@globex.example"
        assert app.fit_score == 100 and len(app.fit_reasons) == 2
        assert app.website_domain == "globex.example" and app.email_domain == "globex.example"
        assert app.ip == client.defaults["REMOTE_ADDR"] and app.user_agent == "Browser/1.0"
        assert app.currency == world.tenant.default_currency
        assert [s.name for s in app.specialties.all()] == ["Security"]
        assert AuditEvent.objects.filter(action="application.submitted").exists()
    assert mail.outbox[-1].to == ["gill@globex.example"]
    assert client.get("/apply/thanks/").status_code == 200


def test_bad_input_gives_field_errors_and_stores_nothing(world):
    resp = public_client(world.tenant).post(
        "/apply/",
        form_data(
            world,
            country="XX",
            expected_revenue="-5",
            contact_email="not-an-address",
            contact_phone="call me",
            website="",
            specialties=["999999"],
            partner_type="wizard",
        ),
    )
    assert resp.status_code == 200
    errors = resp.context["form"].errors
    for field in (
        "country",
        "expected_revenue",
        "contact_email",
        "contact_phone",
        "website",
        "specialties",
        "partner_type",
    ):
        assert field in errors, field
    assert "ISO country code" in resp.content.decode()
    assert count_applications(world) == 0


def test_a_filled_honeypot_looks_like_success_but_keeps_nothing(world):
    resp = public_client(world.tenant).post(
        "/apply/", form_data(world, homepage="http://spam.example")
    )
    assert resp.status_code == 302 and resp["Location"] == "/apply/thanks/"
    assert count_applications(world) == 0


def test_more_than_five_submissions_in_ten_minutes_are_refused_with_429(world):
    client = public_client(world.tenant)
    for _ in range(APPLY_RATE_LIMIT):
        assert client.post("/apply/", form_data(world, country="XX")).status_code == 200
    resp = client.post("/apply/", form_data(world))
    assert resp.status_code == 429
    assert "Please wait 10 minutes" in resp.content.decode()
    assert count_applications(world) == 0
    # Another address is not affected.
    assert public_client(world.tenant).post("/apply/", form_data(world)).status_code == 302
    cache.delete(f"onboarding:apply:{world.tenant.pk}:{client.defaults['REMOTE_ADDR']}")


def test_the_rate_limit_is_per_tenant(world, stranger):
    client = public_client(world.tenant)
    for _ in range(APPLY_RATE_LIMIT + 1):
        client.post("/apply/", {})
    other = portal_client(stranger.tenant)
    other.defaults["REMOTE_ADDR"] = client.defaults["REMOTE_ADDR"]
    assert other.post("/apply/", form_data(stranger)).status_code == 302


# --- Fit score and duplicates -------------------------------------------------------------


def test_fit_score_uses_the_tenants_profile_and_lists_reasons(world):
    sec = specialty(world, "Security")
    specialty(world, "Cloud")
    set_profile(
        world,
        countries=["US"],
        regions=["emea"],
        partner_types=["reseller"],
        specialties=[sec],
        size_bands=["50-249"],
        revenue_min=Decimal("500000"),
    )
    app = submit(world, specialties=[sec], expected_revenue=Decimal("250000"))
    # geography 20 + type 0 + specialties 20 + size 20 + revenue 10 = 70 of 100
    assert app.fit_score == 70
    details = " ".join(r["detail"] for r in app.fit_reasons)
    assert "target region" in details and "not a target partner type" in details
    assert "below the target minimum" in details


def test_an_application_matching_a_partner_domain_is_a_possible_duplicate(world):
    with tenant_context(world.tenant):
        PartnerDomainFactory(tenant=world.tenant, partner=world.partner, domain="acme.de")
    app = submit(world, website="https://shop.acme.de/", contact_email="a@other.example")
    assert app.is_possible_duplicate
    assert app.duplicate_matches == [
        {
            "kind": "partner",
            "id": world.partner.pk,
            "name": world.partner.name,
            "matched_on": "domain",
            "value": "acme.de",
            "status": "active",
        }
    ]


def test_an_application_matching_another_applications_email_domain_is_flagged(world):
    first = submit(world, website="https://one.example", contact_email="x@initech.example")
    second = submit(
        world,
        company_name="Initech Two",
        website="https://two.example",
        contact_email="y@initech.example",
    )
    assert not first.is_possible_duplicate
    assert second.is_possible_duplicate
    (match,) = second.duplicate_matches
    assert (match["kind"], match["id"], match["value"]) == (
        "application",
        first.pk,
        "initech.example",
    )


def test_the_same_company_name_with_another_legal_suffix_is_flagged(world):
    first = submit(world, company_name="Globex GmbH", website="https://a.example")
    second = submit(
        world, company_name="Globex", website="https://b.example", contact_email="c@c.example"
    )
    assert second.duplicate_matches[0]["id"] == first.pk
    assert second.duplicate_matches[0]["matched_on"] == "name"


def test_free_mail_addresses_are_never_duplicates(world):
    submit(world, website="https://a.example", contact_email="one@gmail.com")
    second = submit(
        world,
        company_name="Other Co",
        website="https://b.example",
        contact_email="two@gmail.com",
    )
    assert not second.is_possible_duplicate


# --- The status machine -------------------------------------------------------------------


def _to(world, app, state):
    """Bring an application into `state` through the services."""
    with tenant_context(world.tenant):
        if state == "in_review":
            services.application_start_review(application=app, by=world.channel_manager)
        elif state == "rejected":
            services.application_reject(application=app, by=world.channel_manager, reason="No")
        elif state == "approved":
            services.application_approve(application=app, by=world.channel_manager)
    return reload(app)


ACTIONS = {
    "review": lambda w, a: services.application_start_review(application=a, by=w.channel_manager),
    "approve": lambda w, a: services.application_approve(application=a, by=w.channel_manager),
    "reject": lambda w, a: services.application_reject(
        application=a, by=w.channel_manager, reason="Not now"
    ),
    "reopen": lambda w, a: services.application_reopen(application=a, by=w.channel_manager),
}
LEGAL = [
    ("submitted", "review", "in_review"),
    ("submitted", "approve", "approved"),
    ("submitted", "reject", "rejected"),
    ("in_review", "approve", "approved"),
    ("in_review", "reject", "rejected"),
    ("rejected", "reopen", "in_review"),
]
ILLEGAL = [
    ("submitted", "reopen"),
    ("in_review", "review"),
    ("in_review", "reopen"),
    ("approved", "reject"),
    ("approved", "approve"),
    ("approved", "reopen"),
    ("rejected", "approve"),
    ("rejected", "reject"),
    ("rejected", "review"),
]


@pytest.mark.parametrize(("start", "action", "end"), LEGAL)
def test_legal_application_moves_are_applied_and_audited(world, start, action, end):
    app = _to(world, submit(world), start)
    with tenant_context(world.tenant):
        ACTIONS[action](world, app)
        assert Application.objects.get(pk=app.pk).status == end
        event = AuditEvent.objects.filter(object_id=str(app.pk)).order_by("-id").first()
        assert event.before == {"status": start} and event.after["status"] == end


@pytest.mark.parametrize(("start", "action"), ILLEGAL)
def test_illegal_application_moves_are_refused(world, start, action):
    app = _to(world, submit(world), start)
    with tenant_context(world.tenant):
        with pytest.raises(DomainError):
            ACTIONS[action](world, app)
        assert Application.objects.get(pk=app.pk).status == start


def test_partner_roles_cannot_decide(world):
    app = submit(world)
    with tenant_context(world.tenant):
        with pytest.raises(PermissionDenied):
            services.application_approve(application=app, by=world.partner_admin)
        with pytest.raises(PermissionDenied):
            services.application_reject(application=app, by=world.partner_user, reason="x")


# --- Approve and reject -------------------------------------------------------------------


def test_approval_creates_the_partner_invites_the_contact_and_starts_onboarding(
    world, django_capture_on_commit_callbacks
):
    make_template(
        world,
        [{"kind": "accept_agreement"}, {"kind": "manual", "title": "Kick-off"}],
        partner_type="system_integrator",
    )
    sec = specialty(world)
    app = submit(world, specialties=[sec])
    with django_capture_on_commit_callbacks(execute=True):
        with tenant_context(world.tenant):
            app = services.application_approve(application=app, by=world.channel_manager)
    with tenant_context(world.tenant):
        partner = Partner.objects.get(pk=app.partner_id)
        assert partner.status == PartnerStatus.ONBOARDING and partner.approved_at is not None
        assert partner.name == "Globex Partners" and partner.partner_type == "system_integrator"
        assert partner.country == "DE" and partner.region == "emea"
        assert partner.owner_id == world.channel_manager.pk
        assert partner.domains == ["globex.example"]
        assert list(
            PartnerSpecialty.objects.filter(partner=partner).values_list("specialty_id", flat=True)
        ) == [sec.pk]
        invitation = Invitation.objects.get(email="gill@globex.example")
        assert invitation.role == "partner_admin" and invitation.partner_id == partner.pk
        assert invitation.invited_by is None
        workflow = Workflow.objects.get(partner=partner)
        assert workflow.steps.count() == 2 and workflow.status == "running"
        assert app.status == "approved" and app.decided_by_id == world.channel_manager.pk
        event = AuditEvent.objects.get(action="application.approved")
        assert event.after == {"status": "approved", "partner": partner.pk, "automatic": False}
    assert any("invited" in m.subject for m in mail.outbox)


def test_an_approval_that_cannot_complete_leaves_nothing_behind(world):
    PartnerFactory(tenant=world.tenant, name="Globex Partners")
    app = submit(world)
    with tenant_context(world.tenant):
        with pytest.raises(DomainError) as exc:
            services.application_approve(application=app, by=world.channel_manager)
        assert exc.value.field == "name"
        assert Application.objects.get(pk=app.pk).status == "submitted"
        assert not Invitation.objects.filter(email="gill@globex.example").exists()


def test_approving_a_duplicate_of_a_partners_domain_is_refused(world):
    with tenant_context(world.tenant):
        PartnerDomainFactory(tenant=world.tenant, partner=world.partner, domain="globex.example")
    app = submit(world)
    with tenant_context(world.tenant):
        with pytest.raises(DomainError, match="already belongs to another partner"):
            services.application_approve(application=app, by=world.admin)
        assert not Partner.objects.filter(name="Globex Partners").exists()


def test_rejection_needs_a_reason_and_emails_it(world, django_capture_on_commit_callbacks):
    app = submit(world)
    with tenant_context(world.tenant):
        with pytest.raises(DomainError) as exc:
            services.application_reject(application=app, by=world.admin, reason="  ")
        assert exc.value.field == "reason"
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        with tenant_context(world.tenant):
            services.application_reject(
                application=app, by=world.admin, reason="We have enough partners in Berlin."
            )
    (msg,) = mail.outbox
    assert msg.to == ["gill@globex.example"]
    assert "We have enough partners in Berlin." in msg.body
    assert reload(app).decision_reason == "We have enough partners in Berlin."


def test_low_scores_are_rejected_automatically_and_audited_as_automatic(
    world, django_capture_on_commit_callbacks
):
    set_profile(world, countries=["US"], partner_types=["reseller"])
    set_rules(world, auto_reject_below=40, auto_reject_reason="Outside our focus markets.")
    with django_capture_on_commit_callbacks(execute=True):
        app = submit(world)
    assert app.status == "rejected" and app.decided_automatically and app.decided_by is None
    with tenant_context(world.tenant):
        event = AuditEvent.objects.get(action="application.rejected")
        assert event.after["automatic"] is True and event.actor_id is None
    assert mail.outbox[-1].to == ["gill@globex.example"]
    assert "Outside our focus markets." in mail.outbox[-1].body


def test_high_scores_are_approved_automatically_unless_possible_duplicates(world):
    set_profile(world, countries=["DE"])
    set_rules(world, auto_approve_above=80)
    app = submit(world)
    assert app.status == "approved" and app.decided_automatically
    with tenant_context(world.tenant):
        assert Partner.objects.get(pk=app.partner_id).status == "onboarding"
        assert AuditEvent.objects.get(action="application.approved").after["automatic"] is True
    dup = submit(world, company_name="Globex Partners Two", contact_email="z@globex.example")
    assert dup.is_possible_duplicate and dup.status == "submitted"


def test_rules_refuse_an_approval_score_below_the_rejection_score(world):
    with tenant_context(world.tenant):
        with pytest.raises(DomainError):
            services.onboarding_settings_update(
                by=world.admin, auto_reject_below=60, auto_approve_above=50
            )


# --- Review queue (portal) ----------------------------------------------------------------


def test_the_queue_lists_open_applications_best_fit_first(world):
    set_profile(world, countries=["DE"], partner_types=["reseller"])
    low = submit(
        world,
        company_name="Low Fit",
        country="JP",
        contact_email="a@low.example",
        website="https://low.example",
    )
    high = submit(
        world,
        company_name="High Fit",
        partner_type="reseller",
        contact_email="a@high.example",
        website="https://high.example",
    )
    mid = submit(
        world, company_name="Mid Fit", contact_email="a@mid.example", website="https://mid.example"
    )
    done = submit(
        world, company_name="Done", contact_email="a@done.example", website="https://done.example"
    )
    _to(world, done, "rejected")
    resp = portal_client(world.tenant, world.channel_manager).get("/applications/")
    assert resp.status_code == 200
    assert [a.pk for a in resp.context["page"].object_list] == [high.pk, mid.pk, low.pk]
    everything = portal_client(world.tenant, world.channel_manager).get("/applications/?status=all")
    assert len(everything.context["page"].object_list) == 4


def test_the_queue_is_empty_with_a_hint(world):
    resp = portal_client(world.tenant, world.admin).get("/applications/")
    assert "Share your public application page" in resp.content.decode()


def test_staff_approve_and_reject_in_the_portal(world, django_capture_on_commit_callbacks):
    app = submit(world)
    client = portal_client(world.tenant, world.channel_manager)
    page = client.get(f"/applications/{app.pk}/")
    assert page.status_code == 200 and "Fit score" in page.content.decode()
    resp = client.post(f"/applications/{app.pk}/reject/", {"reason": ""})
    # the confirmation page again (prm/confirm.py), with the error at the reason
    assert resp.status_code == 200 and "reason" in resp.context["form"].errors
    assert client.post(f"/applications/{app.pk}/review/").status_code == 302
    assert reload(app).reviewer_id == world.channel_manager.pk
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post(f"/applications/{app.pk}/approve/")
    assert resp.status_code == 302 and reload(app).status == "approved"
    again = client.post(f"/applications/{app.pk}/approve/", follow=True)
    assert "cannot be done while the item is approved" in again.content.decode()
    assert client.post(f"/applications/{app.pk}/bogus/").status_code == 404


@pytest.mark.parametrize(
    ("status", "offered"),
    [
        ("submitted", {"review", "approve", "reject"}),
        ("in_review", {"approve", "reject"}),
        ("rejected", {"reopen"}),
        ("approved", set()),
    ],
)
def test_application_page_offers_exactly_the_allowed_actions(world, status, offered):
    from onboarding.states import APPLICATION

    app = submit(world)
    with tenant_context(world.tenant):
        type(app).objects.filter(pk=app.pk).update(status=status)
    html = portal_client(world.tenant, world.channel_manager).get(f"/applications/{app.pk}/")
    html = html.content.decode()
    for name in APPLICATION.actions:
        assert (f'action="/applications/{app.pk}/{name}/"' in html) == (name in offered), name


def test_application_actions_are_403_for_partner_roles_and_404_across_tenants(world, stranger):
    own, foreign = submit(world), submit(stranger)
    for member in (world.partner_admin, world.partner_user):
        client = portal_client(world.tenant, member)
        assert client.post(f"/applications/{own.pk}/review/").status_code == 403
    staff = portal_client(world.tenant, world.channel_manager)
    assert staff.post(f"/applications/{foreign.pk}/review/").status_code == 404
    assert reload(own).status == reload(foreign).status == "submitted"


def test_the_detail_page_shows_what_a_duplicate_matched(world):
    first = submit(world)
    second = submit(world, company_name="Globex Again", contact_email="q@globex.example")
    html = portal_client(world.tenant, world.admin).get(f"/applications/{second.pk}/")
    text = html.content.decode()
    assert "Possible duplicate" in text and f"/applications/{first.pk}/" in text


def test_the_queue_runs_a_fixed_number_of_queries(world):
    client = portal_client(world.tenant, world.admin)
    submit(world, company_name="A0", contact_email="a@a0.example", website="https://a0.example")
    client.get("/applications/")
    with CaptureQueriesContext(connection) as one:
        client.get("/applications/")
    for i in range(1, 6):
        submit(
            world,
            company_name=f"A{i}",
            contact_email=f"a@a{i}.example",
            website=f"https://a{i}.example",
        )
    with CaptureQueriesContext(connection) as many:
        client.get("/applications/")
    assert len(many) == len(one), [q["sql"] for q in many.captured_queries]


# --- API ----------------------------------------------------------------------------------


def test_api_lists_applications_best_fit_first_and_filters(world):
    set_profile(world, partner_types=["reseller"])
    a = submit(world, company_name="A", contact_email="a@a.example", website="https://a.example")
    b = submit(
        world,
        company_name="B",
        partner_type="reseller",
        contact_email="b@b.example",
        website="https://b.example",
    )
    client = api_client(world.tenant, world.channel_manager)
    data = client.get("/api/v1/applications/").json()
    assert [r["id"] for r in data["results"]] == [b.pk, a.pk]
    assert data["results"][0]["fit_score"] == 100 and data["results"][0]["fit_reasons"]
    only = client.get("/api/v1/applications/?status=rejected").json()
    assert only["results"] == []
    assert client.get("/api/v1/applications/?status=nonsense").status_code == 400


def test_api_list_query_count_does_not_grow_with_rows(world):
    client = api_client(world.tenant, world.admin)
    submit(world, company_name="A0", contact_email="a@a0.example", website="https://a0.example")
    client.get("/api/v1/applications/")
    with CaptureQueriesContext(connection) as one:
        client.get("/api/v1/applications/")
    for i in range(1, 6):
        submit(
            world,
            company_name=f"A{i}",
            contact_email=f"a@a{i}.example",
            website=f"https://a{i}.example",
            specialties=[specialty(world)],
        )
    with CaptureQueriesContext(connection) as many:
        client.get("/api/v1/applications/")
    assert len(many) == len(one)


def test_api_approve_and_reject(world, django_capture_on_commit_callbacks):
    client = api_client(world.tenant, world.channel_manager)
    app = submit(world)
    resp = client.post(f"/api/v1/applications/{app.pk}/approve/", format="json")
    assert resp.status_code == 200 and resp.json()["status"] == "approved"
    assert resp.json()["partner"] is not None
    again = client.post(f"/api/v1/applications/{app.pk}/approve/", format="json")
    assert again.status_code == 400 and again.json()["type"] == "validation_error"

    other = submit(
        world, company_name="Other", contact_email="o@other.example", website="https://o.example"
    )
    bad = client.post(f"/api/v1/applications/{other.pk}/reject/", {}, format="json")
    assert bad.status_code == 400
    assert bad.json() == {
        "type": "validation_error",
        "detail": "Invalid input.",
        "errors": {"reason": ["This field is required."]},
    }
    with django_capture_on_commit_callbacks(execute=True):
        ok = client.post(
            f"/api/v1/applications/{other.pk}/reject/", {"reason": "Not now"}, format="json"
        )
    assert ok.status_code == 200 and ok.json()["decision_reason"] == "Not now"
    assert mail.outbox[-1].to == ["o@other.example"]


def test_api_unknown_or_malformed_ids_are_404(world):
    client = api_client(world.tenant, world.admin)
    assert client.get("/api/v1/applications/999999/").status_code == 404
    assert client.get("/api/v1/applications/abc/").status_code == 404
    assert client.post("/api/v1/applications/abc/approve/", format="json").status_code == 404


# --- Demo seed ----------------------------------------------------------------------------


def test_demo_seed_adds_onboarding_data(db, settings, tmp_path):
    import io

    from django.core.management import call_command

    from onboarding.models import Agreement, AgreementAcceptance, WorkflowTemplate
    from prm.models import Tenant

    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", stdout=io.StringIO())
    tenant = Tenant.objects.get(slug="acme")
    with tenant_context(tenant):
        assert Agreement.objects.count() == 6
        assert AgreementAcceptance.objects.count() == 3
        assert set(WorkflowTemplate.objects.values_list("partner_type", flat=True)) == {
            "reseller",
            "system_integrator",
        }
        pending = Application.objects.filter(status__in=["submitted", "in_review"])
        assert pending.count() == 2
        dup = pending.get(is_possible_duplicate=True)
        assert dup.duplicate_matches[0]["name"] == "Northwind Resellers"
        assert pending.get(is_possible_duplicate=False).fit_score >= 80
        proseware = Partner.objects.get(name="Proseware Solutions")
        assert proseware.status == "onboarding"
        workflow = Workflow.objects.get(partner=proseware)
        assert workflow.status == "running"
        assert workflow.steps.filter(completed_at__isnull=False).count() == 1
        assert Application.objects.get(partner=proseware).status == ApplicationStatus.APPROVED
