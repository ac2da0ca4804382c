"""The public partner locator on the tenant's host (no sign-in): search, profile pages with
their SEO metadata and contact form, an embeddable search for the vendor's website, logos.

Only `public_profile()` turns a profile into what a page shows, from the profile's own
published fields (and the partner's name): every page, the JSON-LD and the embed read that
dictionary, so nothing a partner did not publish can reach them. Anonymous pages follow
Accept-Language like the rest of the portal."""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_http_methods, require_safe

from locator import selectors, services
from locator.forms import ContactForm, SearchForm
from locator.languages import language_name
from partners.models import Product, Region, Specialty
from prm.errors import DomainError
from prm.middleware import ContentSecurityPolicyMiddleware
from prm.portal import apply_error
from prm.spam import SPAM, HoneypotForm, PublicFormGuard

GUARD = PublicFormGuard(
    name="locator",
    salt="locator.contact",
    id_key="p",
    counter="locator:contact",
    target_kind="profile",
    settings_names=(
        "PRM_LOCATOR_RATE_PER_IP",
        "PRM_LOCATOR_RATE_PER_PROFILE",
        "PRM_LOCATOR_RATE_WINDOW",
    ),
    # Per client address (every profile of the tenant) and per profile, per hour.
    defaults=(5, 20, 3600),
)
# The signed time the contact form was shown (tests pass `at` to act as a person who took
# their time).
form_started = GUARD.started


def public_cards(request, profiles) -> list[dict]:
    """`public_profile()` of each profile, with the settings and the specialty and product
    names read once for the whole list (a results page costs the same few queries whatever
    the number of results)."""
    profiles = list(profiles)
    allow_tier = selectors.settings_for(request.tenant).allow_tier
    named = {
        Specialty: selectors.name_map(Specialty, {i for p in profiles for i in p.specialties}),
        Product: selectors.name_map(Product, {i for p in profiles for i in p.products}),
    }
    return [public_profile(request, p, allow_tier=allow_tier, named=named) for p in profiles]


def public_profile(request, profile, *, allow_tier: bool | None = None, named=None) -> dict:
    """What the public may see of `profile`: its published fields only."""
    if allow_tier is None:
        allow_tier = selectors.settings_for(request.tenant).allow_tier

    def names(model, ids):
        if named is None:
            return selectors.names(model, ids)
        return sorted((named[model][i] for i in ids if i in named[model]), key=str.lower)

    partner = profile.partner
    return {
        "name": partner.name,
        "slug": profile.slug,
        "url": profile.get_absolute_url(),
        "absolute_url": request.build_absolute_uri(profile.get_absolute_url()),
        "headline": profile.headline,
        "description": mark_safe(services.sanitise(profile.description)),  # noqa: S308  (sanitised)
        "summary": Truncator(profile.headline or services.plain_text(profile.description)).chars(
            200
        ),
        "services": list(profile.services),
        "specialties": names(Specialty, profile.specialties),
        "products": names(Product, profile.products),
        "regions": [str(Region(r).label) for r in profile.regions if r in Region.values],
        "languages": [language_name(code) for code in profile.languages],
        "certificates": [
            {
                "name": c.certification.name,
                "url": reverse("training-verify", args=[c.code]),
            }
            for c in selectors.shown_certificates(profile)
        ],
        "website": profile.website,
        "logo_url": reverse("locator-logo", args=[profile.slug]) if profile.logo else "",
        "tier": partner.tier.name if allow_tier and profile.show_tier and partner.tier else "",
    }


def json_ld(request, card: dict) -> str:
    """schema.org Organization for the profile, from the public card only; `<`, `>` and `&`
    escaped so the text can never close the script element."""
    data = {
        "@context": "https://schema.org",
        "@type": "Organization",
        "name": card["name"],
        "url": card["absolute_url"],
    }
    if card["summary"]:
        data["description"] = card["summary"]
    if card["website"]:
        data["sameAs"] = [card["website"]]
    if card["logo_url"]:
        data["logo"] = request.build_absolute_uri(card["logo_url"])
    if card["services"] or card["specialties"]:
        data["knowsAbout"] = card["services"] + card["specialties"]
    if card["languages"]:
        data["knowsLanguage"] = card["languages"]
    if card["regions"]:
        data["areaServed"] = card["regions"]
    text = json.dumps(data, ensure_ascii=False)
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escaped)
    return mark_safe(text)  # noqa: S308  (JSON with the HTML-significant characters escaped)


def _results(request, form):
    criteria = form.criteria()
    found = selectors.results(**criteria)
    return public_cards(request, found), bool(criteria) or "q" in request.GET


@require_safe
def search_page(request):
    form = SearchForm(request.GET or None)
    results, searched = _results(request, form)
    return render(
        request,
        "locator/public_search.html",
        {
            "form": form,
            "results": results,
            "searched": searched,
            "canonical": request.build_absolute_uri(reverse("locator-search")),
        },
    )


@require_safe
@xframe_options_exempt
def embed(request):
    """The search for an iframe on the vendor's website: frameable by the configured origin
    only (CSP frame-ancestors; no origin configured: by nobody)."""
    form = SearchForm(request.GET or None)
    results, searched = _results(request, form)
    resp = render(
        request,
        "locator/embed.html",
        {"form": form, "results": results, "searched": searched},
    )
    origin = selectors.settings_for(request.tenant).embed_origin
    ancestors = f"frame-ancestors {origin}" if origin else "frame-ancestors 'none'"
    resp["Content-Security-Policy"] = ContentSecurityPolicyMiddleware.POLICY.replace(
        "frame-ancestors 'none'", ancestors
    )
    if not origin:
        resp["X-Frame-Options"] = "DENY"
    return resp


def _live(slug: str):
    profile = selectors.live_profile(slug)
    if profile is None:
        raise Http404
    return profile


def _profile_page(request, profile, form=None, trap=None, status=200):
    card = public_profile(request, profile)
    form = form or ContactForm(initial={"started": form_started(profile)})
    return render(
        request,
        "locator/public_profile.html",
        {
            "card": card,
            "json_ld": json_ld(request, card),
            "form": form,
            "trap": trap or HoneypotForm(),
            "trail": [{"url": reverse("locator-search"), "label": _("Find a partner")}],
        },
        status=status,
    )


@require_safe
def profile_page(request, slug: str):
    return _profile_page(request, _live(slug))


@require_http_methods(["GET", "POST"])
def contact(request, slug: str):
    profile = _live(slug)
    if request.method != "POST":
        return redirect(profile.get_absolute_url())
    form = ContactForm(request.POST)
    trap = HoneypotForm(request.POST)
    refused = GUARD.screen(
        request,
        profile,
        # The partner's creation time keeps counters of a recreated database apart.
        target=f"{profile.pk}:{profile.partner.created_at.timestamp():.0f}",
        form=form,
        trap=trap,
        too_many=_(
            "Too many requests were sent from your network or to this partner in a short "
            "time. Please try again in an hour."
        ),
    )
    if refused == SPAM:
        return redirect("locator-contact-thanks", slug=slug)
    if refused:
        return _profile_page(request, profile, form, trap, status=refused)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.contact_submit(
                profile=profile,
                name=data["name"],
                email=data["email"],
                company=data["company"],
                message=data["message"],
            )
        except (DomainError, ValidationError) as exc:
            apply_error(form, exc)
        else:
            return redirect("locator-contact-thanks", slug=slug)
    return _profile_page(request, profile, form, trap, status=400)


@require_safe
def contact_thanks(request, slug: str):
    profile = _live(slug)
    return render(
        request, "locator/contact_thanks.html", {"card": public_profile(request, profile)}
    )


@require_safe
@cache_control(public=True, max_age=300)
def logo(request, slug: str):
    profile = _live(slug)
    if not profile.logo:
        raise Http404
    try:
        f = profile.logo.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    resp = FileResponse(
        f, content_type="image/png" if profile.logo.name.endswith(".png") else "image/jpeg"
    )
    resp["X-Content-Type-Options"] = "nosniff"
    return resp
