"""Portal pages of campaigns: campaign kits (staff build, publish and retire them; partner
people see the published ones with a preview of their own co-branded landing page; a partner
admin launches one in a click) and campaigns (a partner sees its own, staff every partner's,
filtered by partner) with their funnel, landing page, tracked links and copy-ready social
posts. One URL per action (marketing.states.CAMPAIGN_KIT)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from marketing import campaign_selectors as cs
from marketing import campaign_services, cobrand, selectors, sequence_selectors
from marketing.campaign_forms import (
    POST_SEPARATOR,
    CampaignKitForm,
    EmailStepFormSet,
    KitFilterForm,
    steps_of,
)
from marketing.states import CAMPAIGN_KIT, SEQUENCE
from mdf.models import ActivityType
from partners.models import Partner
from prm import errors
from prm.decorators import member_required
from prm.portal import apply_error, int_or_none, page, require_action, run_move
from prm.roles import has_perm
from prm.states import ActionNotAllowed


def _kit(request, pk: int):
    kit = cs.kit_detail(request.member, pk)
    if kit is None:
        raise Http404
    return kit


@require_safe
@member_required("marketing.view")
def kit_list(request):
    member = request.member
    staff = selectors.is_staff(member)
    form = KitFilterForm(request.GET or None, staff=staff)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = cs.kits(
        member,
        q=(filters.get("q") or "").strip(),
        language=filters.get("language") or "",
        status=filters.get("status") or "",
    )
    launched = set(
        cs.campaigns_visible_to(member).values_list("kit_id", flat=True)
        if member.partner_id
        else ()
    )
    return render(
        request,
        "marketing/campaign_kit_list.html",
        {
            "page": page(request, qs),
            "form": form,
            "filtered": any(filters.values()),
            "staff": staff,
            "can_manage": has_perm(member.role, "marketing.manage"),
            "launched": launched,
        },
    )


def _preview(request, kit):
    """The landing page as this member's company will show it (staff: an example company)."""
    member = request.member
    if member.partner_id:
        partner, brand = member.partner, selectors.brand_kit(member.partner)
    else:
        partner = Partner(
            tenant=request.tenant, name=_("Example Partner Ltd"), website="https://example.com"
        )
        brand = None
    html = cobrand.render(kit.landing_body, partner, brand, logo_src=cobrand.logo_data_url(brand))
    return partner, brand, html


@require_safe
@member_required("marketing.view")
def kit_detail(request, pk: int):
    kit = _kit(request, pk)
    member = request.member
    partner, brand, html = _preview(request, kit)
    return render(
        request,
        "marketing/campaign_kit_detail.html",
        {
            "kit": kit,
            "html": html,
            "kit_brand": brand,
            "partner": partner,
            "staff": selectors.is_staff(member),
            "allowed": CAMPAIGN_KIT.allowed(kit, member),
            "campaign": cs.own_campaign(member, kit),
            "assets": cs.kit_assets(member, kit),
            "campaign_count": kit.campaigns.count() if selectors.is_staff(member) else None,
            "activity_label": ActivityType(kit.mdf_activity_type).label
            if kit.mdf_activity_type in ActivityType.values
            else "",
        },
    )


def _kit_initial(kit) -> tuple[dict, list[dict]]:
    values = campaign_services.kit_values(kit)
    steps = values.pop("email_steps")
    values["social_posts"] = POST_SEPARATOR.join(values["social_posts"])
    return values, steps


def _kit_form(request, kit=None):
    initial, steps = _kit_initial(kit) if kit else ({}, [])
    form = CampaignKitForm(request.POST or None, initial=initial)
    formset = EmailStepFormSet(request.POST or None, initial=steps, prefix="steps")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        fields = {**form.cleaned_data, "email_steps": steps_of(formset)}
        try:
            if kit is None:
                kit = campaign_services.campaign_kit_create(by=request.member, **fields)
            else:
                kit = campaign_services.campaign_kit_update(kit=kit, by=request.member, **fields)
        except ActionNotAllowed as exc:
            messages.error(request, exc.message)
            return redirect(kit.get_absolute_url())
        except errors.PermissionDenied:
            raise PermissionDenied from None
        except errors.DomainError as exc:
            if (exc.field or "").startswith("email_steps"):
                form.add_error(None, exc.message)
            else:
                apply_error(form, exc)
        else:
            messages.success(request, _("Campaign kit saved."))
            return redirect(kit.get_absolute_url())
    return render(
        request,
        "marketing/campaign_kit_form.html",
        {"form": form, "formset": formset, "kit": kit},
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
@member_required("marketing.manage")
def kit_new(request):
    return _kit_form(request)


@require_http_methods(["GET", "POST"])
@member_required("marketing.manage")
def kit_edit(request, pk: int):
    kit = _kit(request, pk)
    require_action(CAMPAIGN_KIT, kit, request.member, "edit")
    return _kit_form(request, kit)


def _kit_move(request, pk: int, name: str, service, done: str):
    kit = _kit(request, pk)
    return run_move(request, CAMPAIGN_KIT, kit, name, service, done=done, kit=kit)


@require_POST
@member_required("marketing.manage")
def kit_publish(request, pk: int):
    return _kit_move(
        request,
        pk,
        "publish",
        campaign_services.campaign_kit_publish,
        _("Published: partners can launch it."),
    )


@require_POST
@member_required("marketing.manage")
def kit_retire(request, pk: int):
    return _kit_move(
        request,
        pk,
        "retire",
        campaign_services.campaign_kit_retire,
        _("Retired: no new launches; running campaigns keep their pages."),
    )


@require_POST
@member_required("marketing.campaign")
def kit_launch(request, pk: int):
    return _kit_move(
        request,
        pk,
        "launch",
        campaign_services.campaign_launch,
        _("Campaign launched: share its landing page and social posts."),
    )


@require_safe
@member_required("marketing.view")
def campaign_list(request):
    member = request.member
    staff = selectors.is_staff(member)
    qs = cs.campaigns_visible_to(member)
    partner_id = int_or_none(request.GET.get("partner")) if staff else None
    if partner_id:
        qs = qs.filter(partner_id=partner_id)
    current = page(request, qs)
    figures = cs.funnel(current.object_list)
    rows = [(c, figures.get(c.pk, {})) for c in current.object_list]
    return render(
        request,
        "marketing/campaign_list.html",
        {
            "page": current,
            "rows": rows,
            "staff": staff,
            "partners": Partner.objects.order_by("name").only("pk", "name") if staff else (),
            "partner_id": partner_id,
        },
    )


def posts_with_link(campaign, link: str) -> list[str]:
    return [post.replace("{link}", link) for post in campaign.kit.social_posts]


@require_safe
@member_required("marketing.view")
def campaign_detail(request, pk: int):
    campaign = cs.campaign_detail(request.member, pk)
    if campaign is None:
        raise Http404
    landing = request.build_absolute_uri(cs.landing_path(campaign))
    tracked = request.build_absolute_uri(cs.tracked_path(campaign))
    return render(
        request,
        "marketing/campaign_detail.html",
        {
            "campaign": campaign,
            "figures": cs.funnel([campaign]).get(campaign.pk, {}),
            "landing": landing,
            "tracked": tracked,
            "posts": posts_with_link(campaign, tracked),
            "staff": selectors.is_staff(request.member),
            "back": reverse("marketing-campaign-list"),
            "progress": sequence_selectors.progress(campaign),
            "sequence_allowed": SEQUENCE.allowed(campaign, request.member),
            "own": request.member.partner_id == campaign.partner_id,
        },
    )
