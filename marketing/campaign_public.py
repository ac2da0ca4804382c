"""Public campaign pages on the tenant's host (no sign-in): a partner's co-branded landing page
(`/c/<partner>/<code>/`) with its lead form, and tracked links (`/t/<code>/<target>/`).

A tracked link counts a click and redirects only to one of the campaign's own targets: its
landing page (`page`), the partner's website (`site`) or one of the kit's assets the partner
may see (`a<id>`). The target is a name, never a URL, so the link can never send a visitor
anywhere else. The lead form is protected like the locator's contact form: a honeypot field,
a signed time trap and per-address and per-campaign rate limits; the visitor ticks consent."""

from __future__ import annotations

import logging
import time
from types import SimpleNamespace

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from locator.forms import HoneypotForm
from marketing import campaign_selectors as cs
from marketing import campaign_services, cobrand, selectors
from marketing.campaign_forms import LandingLeadForm
from prm import portal
from prm.errors import DomainError
from prm.middleware import client_ip
from prm.portal import apply_error
from prm.roles import Role

log = logging.getLogger(__name__)

MIN_FILL_SECONDS = 3
FORM_MAX_AGE = 24 * 3600
RATE_PER_IP = 5
RATE_PER_CAMPAIGN = 50
RATE_WINDOW = 3600
SALT = "marketing.campaign.lead"


def _limits() -> tuple[int, int, int]:
    return (
        getattr(settings, "PRM_CAMPAIGN_RATE_PER_IP", RATE_PER_IP),
        getattr(settings, "PRM_CAMPAIGN_RATE_PER_CAMPAIGN", RATE_PER_CAMPAIGN),
        getattr(settings, "PRM_CAMPAIGN_RATE_WINDOW", RATE_WINDOW),
    )


def _campaign(code: str):
    campaign = cs.public_campaign(code)
    if campaign is None:
        raise Http404
    return campaign


def form_started(campaign, at: float | None = None) -> str:
    """The signed time the form was shown (tests pass `at` to act as a patient person)."""
    return signing.dumps({"c": campaign.pk, "t": time.time() if at is None else at}, salt=SALT)


def _too_fast(campaign, token: str) -> bool:
    try:
        data = signing.loads(token or "", salt=SALT, max_age=FORM_MAX_AGE)
    except signing.BadSignature:
        return True
    return data.get("c") != campaign.pk or time.time() - data.get("t", 0) < MIN_FILL_SECONDS


def _over(key: str, limit: int, window: int) -> bool:
    if cache.add(key, 1, window):
        return limit < 1
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        count = 1
    return count > limit


def _rate_limited(request, campaign) -> bool:
    per_ip, per_campaign, window = _limits()
    tenant = f"{request.tenant.pk}:{request.tenant.created_at.timestamp():.0f}"
    born = f"{campaign.launched_at.timestamp():.0f}"
    over_ip = _over(f"mkt:lead:ip:{tenant}:{client_ip(request) or 'unknown'}", per_ip, window)
    over_campaign = _over(f"mkt:lead:c:{tenant}:{campaign.pk}:{born}", per_campaign, window)
    return over_ip or over_campaign


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
    return _page(request, campaign)


@require_http_methods(["GET", "POST"])
def lead(request, slug: str, code: str):
    campaign = _campaign(code)
    if request.method != "POST" or not campaign.kit.lead_form:
        return redirect(cs.landing_path(campaign))
    partner_name = campaign.partner.name
    form = LandingLeadForm(request.POST, partner_name=partner_name)
    trap = HoneypotForm(request.POST)
    thanks = f"{cs.landing_path(campaign)}thanks/"
    if trap.is_spam():
        # Look like success, so the bot learns nothing; keep nothing.
        log.info("campaign honeypot triggered from %s", client_ip(request))
        return redirect(thanks)
    if _rate_limited(request, campaign):
        form.is_valid()
        form.add_error(
            None,
            _("Too many requests were sent in a short time. Please try again in an hour."),
        )
        return _page(request, campaign, form, trap, status=429)
    if _too_fast(campaign, request.POST.get("started", "")):
        form.is_valid()
        form.add_error(None, _("Please take a moment to fill in the form, then send it again."))
        form.data = form.data.copy()
        form.data["started"] = form_started(campaign)
        return _page(request, campaign, form, trap, status=400)
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
