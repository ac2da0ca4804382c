"""Portal and public pages of content syndication.

Portal: a partner admin's settings page (switch on, websites allowed to embed, filters), the
copy-ready snippet, a preview and the views per asset; rotating the token (confirmed first);
staff see the views per partner.

Public, on the tenant's host, no sign-in: the embed page (`/syndication/<token>/`), the
script that writes its iframe, its stylesheet in the partner's colours, and opening one asset.
Every one of them looks the feed up by its token (a switched-off feed, an inactive partner or
an unknown token is 404) and shows only `syndication.feed_assets(feed)`: what the partner's
own people may see and what is published. The embed may be framed only by the partner's
origins (CSP frame-ancestors)."""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.clickjacking import xframe_options_exempt, xframe_options_sameorigin
from django.views.decorators.http import require_http_methods, require_safe

from marketing import cobrand, selectors
from marketing import syndication as synd
from marketing.models import AssetLanguage
from marketing.services import COLOUR
from partners.models import Product
from prm import errors
from prm.confirm import confirmation_for, confirmation_page
from prm.decorators import member_required
from prm.middleware import ContentSecurityPolicyMiddleware
from prm.portal import apply_error, file_attachment
from prm.sorting import Sorting

REPORT_COLUMNS = {"partner": "partner__name", "views": "views", "opens": "opens"}


class SyndicationForm(forms.Form):
    enabled = forms.BooleanField(
        label=gettext_lazy("Show the content on my website"), required=False
    )
    allowed_origins = forms.CharField(
        label=gettext_lazy("Websites allowed to embed it"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "One address per line, e.g. https://www.example.com. Only these websites can show "
            "the content."
        ),
    )
    product = forms.ModelChoiceField(
        label=gettext_lazy("Only this product"),
        queryset=Product.objects.none(),
        required=False,
        empty_label=gettext_lazy("Every product"),
    )
    language = forms.ChoiceField(label=gettext_lazy("Only this language"), required=False)
    max_items = forms.IntegerField(
        label=gettext_lazy("How many items"), min_value=1, max_value=synd.MAX_ITEMS
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = Product.objects.order_by("name")
        self.fields["language"].choices = [("", _("Every language")), *AssetLanguage.choices]


def snippets(request, feed) -> dict[str, str]:
    """The copy-ready snippets: an iframe, or a script that writes the same iframe."""
    if feed is None:
        return {}
    src = request.build_absolute_uri(reverse("syndication-embed", args=[feed.token]))
    script = request.build_absolute_uri(reverse("syndication-script", args=[feed.token]))
    title = _("Content from %(tenant)s") % {"tenant": request.tenant.name}
    return {
        "iframe": (
            f'<iframe src="{src}" title="{title}" width="100%" height="600" '
            'style="border:0" loading="lazy"></iframe>'
        ),
        "script": f'<script src="{script}" async></script>',
    }


@require_http_methods(["GET", "POST"])
@member_required("marketing.syndicate")
def settings_page(request):
    partner = request.member.partner
    feed = synd.feed_of(partner)
    initial = {
        "enabled": feed.enabled if feed else False,
        "allowed_origins": "\n".join(feed.allowed_origins) if feed else "",
        "product": feed.product_id if feed else None,
        "language": feed.language if feed else "",
        "max_items": feed.max_items if feed else 6,
    }
    form = SyndicationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            synd.syndication_feed_save(partner=partner, by=request.member, **data)
        except (errors.DomainError, ValidationError) as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Syndication settings saved."))
            return redirect("marketing-syndication")
    return render(
        request,
        "marketing/syndication_settings.html",
        {
            "form": form,
            "feed": feed,
            "snippets": snippets(request, feed),
            "rows": synd.views_by_asset(partner),
            "days": synd.REPORT_DAYS,
            "assets": synd.feed_assets(feed)[: feed.max_items] if feed else [],
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@member_required("marketing.syndicate")
def token_rotate(request):
    feed = synd.feed_of(request.member.partner)
    if feed is None:
        raise Http404
    c = confirmation_for("marketing-syndication-rotate", feed)
    if request.method != "POST":
        return confirmation_page(request, c)
    form = c.form(request.POST)
    if not form.is_valid():
        return confirmation_page(request, c, form)
    synd.syndication_token_rotate(partner=request.member.partner, by=request.member)
    messages.success(
        request, _("New snippet made. Replace the old one on your website: it no longer works.")
    )
    return redirect("marketing-syndication")


@require_safe
@member_required("marketing.syndicate")
@xframe_options_sameorigin
def preview(request):
    """The embed as the partner's website will show it (counts nothing; works while off)."""
    feed = synd.feed_of(request.member.partner)
    if feed is None:
        raise Http404
    resp = _embed_response(request, feed, preview=True)
    resp["Content-Security-Policy"] = ContentSecurityPolicyMiddleware.POLICY.replace(
        "frame-ancestors 'none'", "frame-ancestors 'self'"
    )
    return resp


@require_safe
@member_required("marketing.manage")
def report(request):
    sorting = Sorting.from_request(request, REPORT_COLUMNS, default="-views")
    rows = sorting.order_rows(synd.views_by_partner())
    return render(
        request,
        "marketing/syndication_report.html",
        {
            "rows": rows,
            "sorting": sorting,
            "days": synd.REPORT_DAYS,
            "total_views": sum(r["views"] for r in rows),
            "total_opens": sum(r["opens"] for r in rows),
        },
    )


# --- Public, on the tenant's host ---------------------------------------------------------


def _live(token: str):
    feed = synd.live_feed(token)
    if feed is None:
        raise Http404
    return feed


def _embed_response(request, feed, *, preview: bool = False) -> HttpResponse:
    assets = list(synd.feed_assets(feed)[: feed.max_items])
    kit = selectors.brand_kit(feed.partner)
    if not preview:
        synd.syndication_count(feed=feed, asset_ids=[a.pk for a in assets], views=1)
    resp = render(
        request,
        "marketing/syndication_embed.html",
        {
            "feed": feed,
            "partner": feed.partner,
            "kit": kit,
            "logo_src": cobrand.logo_data_url(kit),
            "assets": assets,
            "preview": preview,
        },
    )
    resp["Cache-Control"] = "no-store"
    return resp


@require_safe
@xframe_options_exempt
def embed(request, token: str):
    feed = _live(token)
    resp = _embed_response(request, feed)
    ancestors = " ".join(["'self'", *feed.allowed_origins])
    resp["Content-Security-Policy"] = ContentSecurityPolicyMiddleware.POLICY.replace(
        "frame-ancestors 'none'", f"frame-ancestors {ancestors}"
    )
    return resp


@require_safe
def script(request, token: str):
    feed = _live(token)
    body = render_to_string(
        "marketing/syndication_embed.js",
        {
            # JSON string literals: quotes and backslashes escaped, nothing can end the string.
            "src": json.dumps(
                request.build_absolute_uri(reverse("syndication-embed", args=[feed.token]))
            ),
            "title": json.dumps(_("Content from %(tenant)s") % {"tenant": request.tenant.name}),
        },
    )
    resp = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    resp["Cache-Control"] = "public, max-age=300"
    resp["Cross-Origin-Resource-Policy"] = "cross-origin"
    return resp


def _colour(value: str, default: str) -> str:
    # Written into CSS unescaped: only a #rrggbb value ever gets there.
    return value if COLOUR.match(value or "") else default


@require_safe
def brand_css(request, token: str):
    """The embed's colours: the partner's brand kit (colours checked as #rrggbb on save)."""
    feed = _live(token)
    kit = selectors.brand_kit(feed.partner)
    colours = {
        "primary_color": _colour(kit.primary_color if kit else "", "#1f4e79"),
        "secondary_color": _colour(kit.secondary_color if kit else "", "#f2a900"),
    }
    body = render_to_string("marketing/syndication_brand.css", {"kit": colours})
    resp = HttpResponse(body, content_type="text/css; charset=utf-8")
    resp["Cache-Control"] = "public, max-age=300"
    return resp


@require_safe
def open_asset(request, token: str, pk: int):
    """One asset from the embed: the current version's file, or its video link."""
    feed = _live(token)
    asset = synd.feed_assets(feed).filter(pk=pk).first()
    version = selectors.current_version(asset) if asset else None
    if version is None:
        raise Http404
    synd.syndication_count(feed=feed, asset_ids=[asset.pk], opens=1)
    if version.url:
        return HttpResponseRedirect(version.url)
    return file_attachment(
        version.file, filename=version.original_name, content_type=version.content_type
    )
