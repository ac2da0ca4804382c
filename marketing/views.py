"""Portal pages of the asset library: the library (partners: what their type and tier may
see, with search, filters and what is new since their last visit; staff: every asset with
its status and downloads), an asset's page, and one URL per action (marketing.states.ASSET).
Files are served only through the download views, which check visibility first."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from marketing import selectors, services
from marketing.forms import AssetForm, LibraryFilterForm, VersionForm
from marketing.models import AssetKind, AssetStatus
from marketing.states import ASSET
from prm import errors, portal
from prm.decorators import member_required
from prm.portal import apply_error, page, require_action, run_move
from prm.roles import has_perm
from prm.sorting import Sorting
from prm.states import ActionNotAllowed

SORTS = {"title": "title", "published": "published_at", "type": "kind", "language": "language"}


def _asset(request, pk: int):
    """The asset, if this member may see it; else 404 (another tenant's, a draft, one their
    partner type or tier may not see, or expired)."""
    asset = selectors.asset_detail(request.member, pk)
    if asset is None:
        raise Http404
    return asset


def run_form(request, form, run, *, back: str, done: str):
    """Run a service with the form's data: refused moves go back with a message, bad input
    shows on the form; success goes back with `done`. A response, or None (render again)."""
    if not form.is_valid():
        return None
    try:
        result = run(form.cleaned_data)
    except ActionNotAllowed as exc:
        messages.error(request, exc.message)
        return redirect(back)
    except errors.PermissionDenied:
        raise PermissionDenied
    except (errors.DomainError, ValidationError) as exc:
        apply_error(form, exc)
        return None
    messages.success(request, done)
    return redirect(result.get_absolute_url() if hasattr(result, "get_absolute_url") else back)


@require_safe
@member_required("marketing.view")
def library(request):
    member = request.member
    staff = selectors.is_staff(member)
    form = LibraryFilterForm(request.GET or None, products=selectors.product_choices(member))
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.library(
        member,
        q=(filters.get("q") or "").strip(),
        kind=filters.get("kind") or "",
        product=filters.get("product") or "",
        language=filters.get("language") or "",
    )
    status = request.GET.get("status", "")
    if staff and status in AssetStatus.values:
        qs = qs.filter(status=status)
    if staff:
        qs = selectors.with_download_count(qs)
    sorting = Sorting.from_request(request, SORTS, default="-published")
    assets = page(request, sorting.apply(qs))
    new_ids = (
        set(
            selectors.new_assets(member)
            .filter(pk__in=[a.pk for a in assets.object_list])
            .values_list("pk", flat=True)
        )
        if not staff
        else set()
    )
    services.library_visit(member=member)
    return render(
        request,
        "marketing/library.html",
        {
            "page": assets,
            "form": form,
            "sorting": sorting,
            "staff": staff,
            "status": status,
            "statuses": AssetStatus.choices,
            "new_ids": new_ids,
            "filtered": bool(
                request.GET.get("q") or any(filters.get(k) for k in ("kind", "product", "language"))
            ),
            "can_manage": has_perm(member.role, "marketing.manage"),
        },
    )


@require_http_methods(["GET", "POST"])
@member_required("marketing.manage")
def asset_new(request):
    form = AssetForm(request.POST or None)
    if request.method == "POST":
        resp = run_form(
            request,
            form,
            lambda d: services.asset_create(by=request.member, **d),
            back=reverse("marketing-library"),
            done=_("Asset saved as a draft. Add its file or link, then publish it."),
        )
        if resp:
            return resp
    return render(request, "marketing/asset_form.html", {"form": form, "asset": None})


def _detail(request, asset, *, version_form=None):
    member = request.member
    staff = selectors.is_staff(member)
    allowed = ASSET.allowed(asset, member)
    versions = list(asset.versions.select_related("uploaded_by__user"))
    return render(
        request,
        "marketing/asset_detail.html",
        {
            "asset": asset,
            "allowed": allowed,
            "staff": staff,
            "current": versions[0] if versions else None,
            "versions": versions if staff else versions[:1],
            "version_form": (version_form or VersionForm()) if "add_version" in allowed else None,
            "is_video": asset.kind == AssetKind.VIDEO,
            "downloads": selectors.download_counts(asset) if staff else None,
            "tiers": list(asset.tiers.all()) if staff else None,
        },
    )


@require_safe
@member_required("marketing.view")
def asset_detail(request, pk: int):
    return _detail(request, _asset(request, pk))


@require_http_methods(["GET", "POST"])
@member_required("marketing.manage")
def asset_edit(request, pk: int):
    asset = _asset(request, pk)
    require_action(ASSET, asset, request.member, "edit")
    initial = {
        "title": asset.title,
        "kind": asset.kind,
        "language": asset.language,
        "product": asset.product_id,
        "product_name": asset.product_name,
        "expires_on": asset.expires_on,
        "tags": ", ".join(asset.tags),
        "partner_types": asset.partner_types,
        "tiers": list(asset.tiers.all()),
        "description": asset.description,
    }
    form = AssetForm(request.POST or None, initial=initial)
    if request.method == "POST":
        resp = run_form(
            request,
            form,
            lambda d: services.asset_update(asset=asset, by=request.member, **d),
            back=asset.get_absolute_url(),
            done=_("Asset saved."),
        )
        if resp:
            return resp
    return render(request, "marketing/asset_form.html", {"form": form, "asset": asset})


@require_POST
@member_required("marketing.manage")
def version_add(request, pk: int):
    asset = _asset(request, pk)
    require_action(ASSET, asset, request.member, "add_version")
    form = VersionForm(request.POST, request.FILES)
    resp = run_form(
        request,
        form,
        lambda d: services.asset_version_add(
            asset=asset, by=request.member, upload=d["file"], url=d["url"], notes=d["notes"]
        ),
        back=asset.get_absolute_url(),
        done=_("New version added."),
    )
    if resp:
        return redirect(asset.get_absolute_url())
    return _detail(request, asset, version_form=form)


def _move(request, pk: int, name: str, service, done: str):
    asset = _asset(request, pk)
    return run_move(request, ASSET, asset, name, service, done=done, asset=asset)


@require_POST
@member_required("marketing.manage")
def asset_publish(request, pk: int):
    return _move(
        request,
        pk,
        "publish",
        services.asset_publish,
        _("Published: the partners it is for see it and are told."),
    )


@require_POST
@member_required("marketing.manage")
def asset_archive(request, pk: int):
    return _move(
        request, pk, "archive", services.asset_archive, _("Archived: partners no longer see it.")
    )


def _serve(request, asset, version):
    services.asset_download_record(asset=asset, version=version, member=request.member)
    if version.url:
        # A video link: counted, then the browser goes to the link staff entered (https only).
        return HttpResponseRedirect(version.url)
    return portal.file_attachment(
        version.file, filename=version.original_name, content_type=version.content_type
    )


@require_safe
@member_required("marketing.view")
def asset_download(request, pk: int):
    """The newest version of an asset the member may see (counted)."""
    asset = _asset(request, pk)
    version = selectors.current_version(asset)
    if version is None:
        raise Http404
    return _serve(request, asset, version)


@require_safe
@member_required("marketing.manage")
def version_download(request, pk: int, version_pk: int):
    """Any version, for staff (older versions stay available to them)."""
    asset = _asset(request, pk)
    version = get_object_or_404(asset.versions, pk=version_pk)
    return _serve(request, asset, version)
