"""Writes for applications: submission from the public form (scored against the ideal
partner profile, checked for duplicates, decided automatically where the tenant's rules
say so), review, rejection, reopening and approval (which creates the partner)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onboarding import rules, selectors
from onboarding.models import (
    Application,
    ApplicationSpecialty,
    ApplicationStatus,
    OnboardingSettings,
)
from onboarding.services.workflows import workflow_start
from onboarding.states import APPLICATION
from partners import services as partner_services
from partners.domains import normalise_company_name, registrable_domain
from partners.models import (
    PartnerSpecialty,
    PartnerStatus,
    Specialty,
)
from prm import events
from prm.audit import current_context, log_action
from prm.errors import DomainError, limited
from prm.i18n import lazy_format
from prm.models import Member
from prm.notifications import send_mandatory
from prm.roles import Role, require
from prm.services import member_invite

# --- Applications -------------------------------------------------------------------------


def application_submit(
    *,
    tenant,
    company_name: str,
    website: str,
    country: str,
    partner_type: str,
    specialties: Iterable[Specialty],
    size_band: str,
    expected_revenue: Decimal,
    contact_name: str,
    contact_email: str,
    contact_phone: str,
    language: str = "",
    referral_code: str = "",
) -> Application:
    """Record an application from the public form: score it against the IPP, flag possible
    duplicates, then apply the tenant's automatic rules (audited as automatic). `language`
    is the portal language the applicant used; their e-mails are written in it."""
    country = (country or "").strip().upper()
    if not rules.is_country_code(country):
        raise DomainError(_("Enter a two-letter ISO country code, e.g. DE."), field="country")
    if expected_revenue is None or expected_revenue < 0:
        raise DomainError(_("Enter an amount of 0 or more."), field="expected_revenue")
    specialties = list(specialties)
    website_domain = registrable_domain(website)
    email_domain = registrable_domain(contact_email)
    name_key = normalise_company_name(company_name)
    matches = selectors.duplicate_matches(
        domains=[website_domain, email_domain], name_key=name_key, company_name=company_name
    )
    fit = rules.fit_score(
        selectors.ideal_profile(tenant),
        rules.Candidate(
            country=country,
            partner_type=partner_type,
            specialties=frozenset(s.name for s in specialties),
            size_band=size_band,
            expected_revenue=expected_revenue,
        ),
    )
    ctx = current_context()
    application = Application(
        tenant=tenant,
        company_name=company_name.strip(),
        name_key=name_key[:200],
        website=website.strip(),
        country=country,
        partner_type=partner_type,
        size_band=size_band,
        expected_revenue=expected_revenue,
        currency=tenant.default_currency,
        contact_name=contact_name.strip(),
        contact_email=contact_email.strip().lower(),
        contact_phone=contact_phone.strip(),
        language=language if language in dict(settings.LANGUAGES) else "",
        website_domain=website_domain,
        email_domain=email_domain,
        fit_score=fit.score,
        fit_reasons=fit.reasons,
        duplicate_matches=matches,
        is_possible_duplicate=bool(matches),
        ip=ctx.ip,
        user_agent=(ctx.user_agent or "")[:300],
        referral_code=(referral_code or "").strip()[:40],
    )
    application.full_clean(exclude=["tenant"])
    with transaction.atomic():
        application.save()
        ApplicationSpecialty.objects.bulk_create(
            [
                ApplicationSpecialty(tenant=tenant, application=application, specialty=s)
                for s in specialties
            ]
        )
        log_action(
            "application.submitted",
            obj=application,
            after={
                "company": application.company_name,
                "partner_type": partner_type,
                "fit_score": fit.score,
                "possible_duplicate": bool(matches),
                "contact_email": application.contact_email,
                "language": application.language,
            },
        )
        events.emit("application.received", application)
    onb = OnboardingSettings.for_tenant(tenant)
    decision = rules.automatic_decision(
        fit=fit,
        possible_duplicate=bool(matches),
        reject_below=onb.auto_reject_below,
        approve_at_or_above=onb.auto_approve_above,
    )
    if decision == "reject":
        return application_reject(
            application=application,
            by=None,
            reason=onb.auto_reject_reason or _("Not a fit for the program at this time."),
        )
    if decision == "approve":
        try:
            return application_approve(application=application, by=None)
        except DomainError as exc:
            # Left for a person to decide, with the reason on record.
            log_action(
                "application.auto_approve_failed", obj=application, after={"error": exc.message}
            )
    send_mandatory(
        tenant=tenant,
        subject=lazy_format(
            gettext_lazy("We received your application to %(t)s's partner program"),
            t=tenant.name,
        ),
        template="onboarding/emails/application_received.txt",
        context={"application": application},
        to=[application.contact_email],
        language=application.language or None,
    )
    return application


def _move(application: Application, *, by: Member | None, name: str) -> tuple[Application, str]:
    """Lock the application and check action `name` against onboarding.states.APPLICATION
    (the member's role and the application's current status)."""
    app = Application.objects.select_for_update().get(pk=application.pk)
    APPLICATION.check(app, by, name)
    return app, app.status


def application_start_review(*, application: Application, by: Member) -> Application:
    """A reviewer takes the application (submitted -> in review)."""
    app, old = _move(application, by=by, name="review")
    app.status, app.reviewer = ApplicationStatus.IN_REVIEW, by
    app.save(update_fields=["status", "reviewer"])
    log_action(
        "application.review_started",
        obj=app,
        before={"status": old},
        after={"status": app.status, "reviewer": by.pk},
    )
    return app


def application_reopen(*, application: Application, by: Member) -> Application:
    """Take a rejected application back into review (e.g. an automatic rejection)."""
    app, old = _move(application, by=by, name="reopen")
    app.status, app.reviewer = ApplicationStatus.IN_REVIEW, by
    app.decided_at, app.decided_by, app.decided_automatically = None, None, False
    app.save(
        update_fields=["status", "reviewer", "decided_at", "decided_by", "decided_automatically"]
    )
    log_action(
        "application.reopened", obj=app, before={"status": old}, after={"status": app.status}
    )
    return app


def application_reject(*, application: Application, by: Member | None, reason: str) -> Application:
    """Reject with a reason, which is e-mailed to the contact. `by=None`: automatic."""
    require(by, "applications.review")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason; it is sent to the applicant."), field="reason")
    app, old = _move(application, by=by, name="reject")
    app.status = ApplicationStatus.REJECTED
    app.decided_at, app.decided_by = timezone.now(), by
    app.decided_automatically = by is None
    app.decision_reason = limited(reason, 1000, "reason")
    app.save(
        update_fields=[
            "status",
            "decided_at",
            "decided_by",
            "decided_automatically",
            "decision_reason",
        ]
    )
    log_action(
        "application.rejected",
        obj=app,
        before={"status": old},
        after={"status": app.status, "reason": app.decision_reason, "automatic": by is None},
    )
    send_mandatory(
        tenant=app.tenant,
        subject=lazy_format(
            gettext_lazy("Your application to %(t)s's partner program"), t=app.tenant.name
        ),
        template="onboarding/emails/application_rejected.txt",
        context={"application": app},
        to=[app.contact_email],
        language=app.language or None,
    )
    return app


def application_approve(*, application: Application, by: Member | None) -> Application:
    """Approve: create the partner (applicant -> onboarding), set its domains and specialties,
    invite the contact as its partner admin and start the onboarding workflow. `by=None`:
    automatic. All or nothing: a refusal (name or domain taken, contact already a member)
    leaves no partner behind."""
    require(by, "applications.review")
    with transaction.atomic():
        app, old = _move(application, by=by, name="approve")
        specialties = list(
            Specialty.objects.filter(applicationspecialty__application=app).distinct()
        )
        partner = partner_services.partner_create(
            tenant=app.tenant,
            by=by,
            name=app.company_name,
            partner_type=app.partner_type,
            status=PartnerStatus.APPLICANT,
            website=app.website,
            country=app.country,
            region=rules.region_of(app.country),
            size_band=app.size_band,
            owner=by if by is not None and by.role == Role.CHANNEL_MANAGER else None,
            domains=rules.company_domains([app.email_domain]),
        )
        # Linked at once, so a welcome sent during this approval finds the contact.
        app.partner = partner
        app.save(update_fields=["partner"])
        if specialties:
            PartnerSpecialty.objects.bulk_create(
                [
                    PartnerSpecialty(tenant_id=partner.tenant_id, partner=partner, specialty=s)
                    for s in specialties
                ]
            )
            log_action(
                "partner.specialties_changed",
                obj=partner,
                before={"specialties": []},
                after={"specialties": sorted(s.pk for s in specialties)},
            )
        partner_services.partner_transition(
            partner=partner,
            by=by,
            to=PartnerStatus.ONBOARDING,
            reason=_("Application approved"),
        )
        member_invite(
            tenant=app.tenant,
            by=None,
            email=app.contact_email,
            role=Role.PARTNER_ADMIN,
            partner=partner,
            language=app.language or None,
        )
        workflow_start(partner=partner)
        app.status, app.partner = ApplicationStatus.APPROVED, partner
        app.decided_at, app.decided_by = timezone.now(), by
        app.decided_automatically = by is None
        app.save(
            update_fields=["status", "partner", "decided_at", "decided_by", "decided_automatically"]
        )
        log_action(
            "application.approved",
            obj=app,
            before={"status": old},
            after={"status": app.status, "partner": partner.pk, "automatic": by is None},
        )
    return app
