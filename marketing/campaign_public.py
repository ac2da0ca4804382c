"""Public campaign pages on the tenant's host (no sign-in): a partner's co-branded landing page
(`/c/<partner>/<code>/`) with its lead form, and tracked links (`/t/<code>/<target>/`).

A tracked link counts a click and redirects only to one of the campaign's own targets: its
landing page (`page`), the partner's website (`site`) or one of the kit's assets the partner
may see (`a<id>`). The target is a name, never a URL, so the link can never send a visitor
anywhere else. The lead form is protected like the locator's contact form: a honeypot field,
a signed time trap and per-address and per-campaign rate limits; the visitor ticks consent."""

from __future__ import annotations

import hashlib
import secrets
from types import SimpleNamespace

from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.middleware.csrf import get_token
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
from prm.tenancy import tenant_context, tenant_hit

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


def _page(request, campaign, form=None, trap=None, status=200, context=None):
    partner = campaign.partner
    brand = selectors.brand_kit(partner)
    # The logo by its public address (as in the campaign's e-mails), not inlined: a logo may
    # be 2 MB, and the page is kept in memory per content. The version busts browsers' copies.
    logo = (
        f"{cs.landing_path(campaign)}logo?v={brand.updated_at.timestamp():.0f}"
        if brand is not None and brand.logo
        else ""
    )
    html = cobrand.render(campaign.kit.landing_body, partner, brand, logo_src=logo)
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
            **(context or {}),
        },
        status=status,
    )


# Stand-ins for the two values a landing page's form carries per visitor (the CSRF token and
# the signed time it was shown): a cached page holds them and each request fills in its own.
# Random per process, so no text a partner writes can ever match one.
_CSRF_HOLE = f"csrf-{secrets.token_hex(12)}"
_STARTED_HOLE = f"started-{secrets.token_hex(12)}"


def _cached_page(request, campaign_id: int, fingerprint: str):
    """The anonymous visitor's landing page: rendered once per content fingerprint and kept in
    the process's memory (the rendering, co-branding and logo inlining are most of its cost),
    with this request's CSRF token and form start time filled in."""
    tenant = request.tenant  # its name and logo head the page
    chrome = hashlib.md5(f"{tenant.name}\x1f{tenant.logo.name}".encode(), usedforsecurity=False)
    key = f"mkt:landing:{tenant.pk}:{campaign_id}:{fingerprint}:{chrome.hexdigest()}"
    cache = caches["pages"]
    page = cache.get(key)
    if page is None:
        with tenant_context(tenant):  # the request may be a hit, with no transaction
            campaign = cs.public_campaign_by_id(campaign_id)
            if campaign is None:  # gone since the lookup
                raise Http404
            with content_language(campaign.kit.language):
                response = _page(
                    request,
                    campaign,
                    form=LandingLeadForm(
                        initial={"started": _STARTED_HOLE}, partner_name=campaign.partner.name
                    ),
                    context={"csrf_token": _CSRF_HOLE},
                )
        page = response.content.decode(response.charset)
        cache.set(key, page)
    content = page
    if _STARTED_HOLE in content:
        content = content.replace(_STARTED_HOLE, GUARD.started(SimpleNamespace(pk=campaign_id)))
    if _CSRF_HOLE in content:
        content = content.replace(_CSRF_HOLE, get_token(request))
    return HttpResponse(content)


@tenant_hit  # an anonymous visitor's view is one statement (prm.tenancy, "Hits")
@require_safe
def landing(request, slug: str, code: str):
    if request.user.is_authenticated:
        # A signed-in person (the partner checking its page) sees the page under its own menu.
        campaign = _campaign(code)
        canonical = cs.landing_path(campaign)
        if request.path != canonical:
            return redirect(canonical, permanent=True)
        if request.method == "GET":
            campaign_services.campaign_count(campaign_id=campaign.pk, counter="views")
        with content_language(campaign.kit.language):
            return _page(request, campaign)
    if not (code.isascii() and code.isalnum()):
        raise Http404  # product-issued codes are letters and digits
    code = code.upper()
    # The partner's name this process saw last for the code: when the path is that name's
    # canonical one, the statement that finds the campaign also counts the view.
    names = caches["pages"]
    name_key = f"mkt:landing-name:{request.tenant.pk}:{code}"
    seen = names.get(name_key)
    counting = request.method == "GET"
    if not counting or seen is None or request.path != cs.landing_path_of(seen, code):
        seen = None
    found = campaign_services.campaign_landing_view(
        tenant_id=request.tenant.pk, code=code, count_if_named=seen
    )
    if found is None:
        raise Http404
    campaign_id, partner_name, fingerprint, counted = found
    if partner_name != seen:
        names.set(name_key, partner_name)
    canonical = cs.landing_path_of(partner_name, code)
    if request.path != canonical:
        return redirect(canonical, permanent=True)
    if counting and not counted:
        campaign_services.campaign_count(campaign_id=campaign_id, counter="views")
    return _cached_page(request, campaign_id, fingerprint)


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


@tenant_hit  # an anonymous visitor's click on the page link is one statement
@require_safe
def tracked(request, code: str, target: str):
    """Count a click and redirect to one of the campaign's own targets (else 404)."""
    if target == "page" and request.method == "GET":
        # The busiest link (every e-mail and post carries it): one statement.
        partner_name = campaign_services.campaign_click(tenant_id=request.tenant.pk, code=code)
        if partner_name is None:
            raise Http404
        return HttpResponseRedirect(cs.landing_path_of(partner_name, code.upper()))
    with tenant_context(request.tenant):  # the request may be a hit, with no transaction
        return _tracked_other(request, code, target)


def _tracked_other(request, code: str, target: str):
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
