"""Public campaign pages on the tenant's host (no sign-in): a partner's co-branded landing page
(`/c/<partner>/<code>/`) with its lead form, and tracked links (`/t/<code>/<target>/`).

A tracked link counts a click and redirects only to one of the campaign's own targets: its
landing page (`page`), the partner's website (`site`) or one of the kit's assets the partner
may see (`a<id>`). The target is a name, never a URL, so the link can never send a visitor
anywhere else. The lead form is protected like the locator's contact form: a honeypot field,
a signed time trap and per-address and per-campaign rate limits; the visitor ticks consent."""

from __future__ import annotations

from types import SimpleNamespace

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from marketing import campaign_selectors as cs
from marketing import campaign_services, cobrand, selectors
from marketing.campaign_forms import LandingLeadForm
from prm import portal
from prm.errors import DomainError
from prm.i18n import content_language
from prm.portal import apply_error
from prm.roles import Role
from prm.spam import SPAM, HoneypotForm, PublicFormGuard

GUARD = PublicFormGuard(
    name="campaign",
    salt="marketing.campaign.lead",
    id_key="c",
    counter="mkt:lead",
    target_kind="c",
    settings_names=(
        "PRM_CAMPAIGN_RATE_PER_IP",
        "PRM_CAMPAIGN_RATE_PER_CAMPAIGN",
        "PRM_CAMPAIGN_RATE_WINDOW",
    ),
    # Per client address (every campaign of the tenant) and per campaign, per hour.
    defaults=(5, 50, 3600),
)
form_started = GUARD.started


def _campaign(code: str):
    campaign = cs.public_campaign(code)
    if campaign is None:
        raise Http404
    return campaign


def _page(request, campaign, form=None, trap=None, status=200):
    partner = campaign.partner
    brand = selectors.brand_kit(partner)
    html = cobrand.render(
        campaign.kit.landing_body, partner, brand, logo_src=cobrand.logo_data_url(brand)
    )
    form = form or LandingLeadForm(
        initial={"started": form_started(campaign)}, partner_name=partner.name
    )
    return render(
        request,
        "marketing/campaign_landing.html",
        {
            "campaign": campaign,
            "partner": partner,
            "kit_brand": brand,
            "html": html,
            "form": form if campaign.kit.lead_form else None,
            "trap": trap or HoneypotForm(),
            "slug": cs.partner_slug(partner),
        },
        status=status,
    )


@require_safe
def landing(request, slug: str, code: str):
    campaign = _campaign(code)
    canonical = cs.landing_path(campaign)
    if request.path != canonical:
        return redirect(canonical, permanent=True)
    if request.method == "GET":
        campaign_services.campaign_count(campaign_id=campaign.pk, counter="views")
    with content_language(campaign.kit.language):
        return _page(request, campaign)


@require_http_methods(["GET", "POST"])
def lead(request, slug: str, code: str):
    campaign = _campaign(code)
    if request.method != "POST" or not campaign.kit.lead_form:
        return redirect(cs.landing_path(campaign))
    with content_language(campaign.kit.language):
        partner_name = campaign.partner.name
        form = LandingLeadForm(request.POST, partner_name=partner_name)
        trap = HoneypotForm(request.POST)
        thanks = f"{cs.landing_path(campaign)}thanks/"
        refused = GUARD.screen(
            request,
            campaign,
            target=f"{campaign.pk}:{campaign.launched_at.timestamp():.0f}",
            form=form,
            trap=trap,
            too_many=_("Too many requests were sent in a short time. Please try again in an hour."),
        )
        if refused == SPAM:
            return redirect(thanks)
        if refused:
            return _page(request, campaign, form, trap, status=refused)
        if form.is_valid():
            data = form.cleaned_data
            try:
                campaign_services.campaign_lead_submit(
                    campaign=campaign,
                    name=data["name"],
                    email=data["email"],
                    company=data["company"],
                    message=data["message"],
                    consent=data["consent"],
                    consent_text=LandingLeadForm.consent_text(partner_name),
                )
            except (DomainError, ValidationError) as exc:
                apply_error(form, exc)
            else:
                return redirect(thanks)
        return _page(request, campaign, form, trap, status=400)


@require_safe
def thanks(request, slug: str, code: str):
    campaign = _campaign(code)
    with content_language(campaign.kit.language):
        return render(
            request,
            "marketing/campaign_thanks.html",
            {
                "campaign": campaign,
                "partner": campaign.partner,
                "slug": cs.partner_slug(campaign.partner),
            },
        )


def _partner_viewer(partner):
    """The library's visibility rules read a member's role and company: a campaign's public
    asset is one a person of its partner may see."""
    return SimpleNamespace(role=Role.PARTNER_USER, partner=partner, partner_id=partner.pk)


def _asset_of(campaign, asset_id: int):
    viewer = _partner_viewer(campaign.partner)
    return (
        selectors.assets_visible_to(viewer)
        .filter(pk=asset_id, pk__in=campaign.kit.assets.values("pk"))
        .first()
    )


@require_safe
def tracked(request, code: str, target: str):
    """Count a click and redirect to one of the campaign's own targets (else 404)."""
    if target == "page" and request.method == "GET":
        # The busiest link (every e-mail and post carries it): one statement.
        partner_name = campaign_services.campaign_click(tenant_id=request.tenant.pk, code=code)
        if partner_name is None:
            raise Http404
        return HttpResponseRedirect(cs.landing_path_of(partner_name, code.upper()))
    campaign = _campaign(code)
    if target == "page":
        to = cs.landing_path(campaign)
    elif target == "site":
        to = cs.partner_website(campaign) or cs.landing_path(campaign)
    elif target.startswith("a") and target[1:].isdigit():
        asset = _asset_of(campaign, int(target[1:]))
        if asset is None:
            raise Http404
        to = f"{cs.landing_path(campaign)}assets/{asset.pk}/"
    else:
        raise Http404
    if request.method == "GET":
        campaign_services.campaign_count(campaign_id=campaign.pk, counter="clicks")
    return HttpResponseRedirect(to)


@require_safe
def asset(request, slug: str, code: str, pk: int):
    """A kit's asset, as the campaign's partner may see it (newest version; a video: its
    link)."""
    campaign = _campaign(code)
    found = _asset_of(campaign, pk)
    version = selectors.current_version(found) if found else None
    if version is None:
        raise Http404
    if version.url:
        return HttpResponseRedirect(version.url)
    return portal.file_attachment(
        version.file, filename=version.original_name, content_type=version.content_type
    )
