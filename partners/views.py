"""Portal views for partners (directory, detail, company profile, tier) and the program
(tiers, what-if, approvals, catalogue, settings)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.db.models.functions import Lower
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from partners import selectors, services, tiering, tiering_preview
from partners.confirmations import CONFIRMED_STATUS_ACTIONS
from partners.forms import (
    CatalogueForm,
    DirectoryFilterForm,
    ManualTierForm,
    PartnerCreateForm,
    PartnerProfileForm,
    ProgramSettingsForm,
    StatusActionForm,
    TierForm,
    WhatIfTierForm,
)
from partners.models import (
    Partner,
    PartnerStatus,
    Product,
    ProgramSettings,
    Specialty,
    Tier,
    TierChange,
)
from partners.states import DOMAIN_PROPOSAL, PARTNER_STATUS, TIER_CHANGE, status_tone
from prm import portal
from prm.audit import log_action
from prm.confirm import (
    confirm_first,
    confirmation_for,
    confirmation_page,
    confirmed,
    success_with_undo,
)
from prm.csv_export import csv_stream
from prm.decorators import member_required
from prm.errors import DomainError
from prm.models import Member
from prm.portal import apply_error, require_action
from prm.roles import has_perm
from prm.sorting import Sorting
from prm.states import ActionNotAllowed

# --- Staff: directory and partner pages ---------------------------------------------------


def _directory(request):
    form = DirectoryFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    return form, selectors.partner_directory(**{k: v for k, v in filters.items() if v})


# The partner directory's sortable columns (prm.sorting).
PARTNER_LIST_COLUMNS = {
    "partner": Lower("name"),
    "type": "partner_type",
    "tier": "tier__rank",
    "country": "country",
    "status": "status",
    "manager": Lower("owner__user__full_name"),
}


@member_required("partners.view")
def partner_list(request):
    form, qs = _directory(request)
    sorting = Sorting.from_request(request, PARTNER_LIST_COLUMNS, default="partner")
    qs = sorting.apply(qs)
    page = portal.page(request, qs)
    page.object_list = list(page.object_list)
    for p in page.object_list:
        p.tone = status_tone(p)
    query = request.GET.copy()
    query.pop("page", None)
    # Sales reps read the directory; adding a partner is for those who manage partners.
    can_manage = has_perm(request.member.role, "partners.manage")
    create_form = PartnerCreateForm() if can_manage else None
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        create_form = PartnerCreateForm(request.POST)
        if create_form.is_valid():
            try:
                partner = services.partner_create(
                    tenant=request.tenant, by=request.member, **create_form.cleaned_data
                )
            except (DomainError, ValidationError) as exc:
                apply_error(create_form, exc)
            else:
                messages.success(request, _("Partner %(p)s added.") % {"p": partner.name})
                return redirect("partner-detail", pk=partner.pk)
    return render(
        request,
        "partners/partner_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "create_form": create_form,
            "can_manage": can_manage,
            "counts": dict(Partner.objects.values_list("status").annotate(n=Count("id"))),
            "pending_domain_proposals": selectors.pending_domain_proposals().count(),
            "sorting": sorting,
        },
    )


@member_required("partners.view")
def partner_export(request):
    _form, qs = _directory(request)
    qs = qs.select_related("metrics")
    header = (
        "id",
        "name",
        "legal_name",
        "type",
        "status",
        "tier",
        "country",
        "region",
        "website",
        "channel_manager",
        "won_revenue_12m",
        "won_deals_12m",
        "approved_at",
        "activated_at",
    )

    def row(p):
        metrics = getattr(p, "metrics", None)
        return (
            p.pk,
            p.name,
            p.legal_name,
            p.partner_type,
            p.status,
            p.tier.name if p.tier else "",
            p.country,
            p.region,
            p.website,
            p.owner.user.email if p.owner else "",
            metrics.won_revenue_12m if metrics else "",
            metrics.won_deals_12m if metrics else "",
            p.approved_at,
            p.activated_at,
        )

    resp = csv_stream(request, "partners", header, qs, row)
    log_action(
        "partners.exported",
        object_type="partners.partner",
        after={"rows": resp.rows, "filters": request.GET.dict()},
    )
    return resp


def _partner_context(partner: Partner) -> dict:
    nxt = (
        Tier.objects.filter(rank__gt=partner.tier.rank if partner.tier else -1)
        .order_by("rank")
        .first()
    )
    return {
        "partner": partner,
        "metrics": selectors.metrics_for(partner),
        "next_tier": nxt,
        "members": Member.objects.filter(partner=partner)
        .select_related("user")
        .order_by("-is_active", "user__email"),
        "tier_history": selectors.tier_history(partner)[:20],
    }


def _detail_page(request, partner: Partner, *, status_forms=None, tier_form=None):
    """The partner page: the status actions the member may take now (one form each, posting
    to the action's own URL) and, for admins, the manual tier form."""
    allowed = PARTNER_STATUS.allowed(partner, request.member)
    status_forms = status_forms or {}
    actions = [
        (act, status_forms.get(act.name) or _status_form(act))
        for act in PARTNER_STATUS.allowed_actions(partner, request.member)
    ]
    offboarded = partner.status == PartnerStatus.OFFBOARDED
    ctx = _partner_context(partner)
    ctx.update(
        {
            "allowed": allowed,
            "can_manage": has_perm(request.member.role, "partners.manage"),
            "status_actions": actions,
            "confirmed_actions": CONFIRMED_STATUS_ACTIONS,
            "tier_form": (tier_form or ManualTierForm(initial={"tier": partner.tier_id}))
            if request.member.role == "admin"
            else None,
            "show_open_items": offboarded,
            "open_items": services.open_items(partner) if offboarded else [],
            "pending_domains": selectors.pending_domain_proposals().filter(partner=partner).first(),
        }
    )
    return render(request, "partners/partner_detail.html", ctx)


def _status_form(act, data=None) -> StatusActionForm:
    # Field names stay plain (`reason`); ids are per action, as the page shows several forms.
    return StatusActionForm(data, reason_required=act.reason, auto_id=f"id_{act.name}_%s")


@member_required("partners.view")
def partner_detail(request, pk: int):
    partner = get_object_or_404(Partner.objects.select_related("tier", "owner__user"), pk=pk)
    return _detail_page(request, partner)


# What undoes a confirmed status action, by the status the partner had before it
UNDO = {
    ("suspend", PartnerStatus.ACTIVE): "reactivate",
    ("suspend", PartnerStatus.ONBOARDING): "reonboard",
}


@require_http_methods(["GET", "POST"])
@member_required("partners.manage")
def partner_status_action(request, pk: int, action: str):
    """One URL per action of PARTNER_STATUS (partners/<pk>/<action>/): 404 for a partner the
    member cannot see, 403 for an action their role may never take, a form error when the
    partner's status does not allow it now. Suspend and offboard ask first (prm/confirm.py:
    a GET is their confirmation page); a suspension offers its Undo."""
    partner = get_object_or_404(Partner.objects.select_related("tier", "owner__user"), pk=pk)
    require_action(PARTNER_STATUS, partner, request.member, action)
    act = PARTNER_STATUS[action]
    confirmation = None
    if action in CONFIRMED_STATUS_ACTIONS:
        confirmation = confirmation_for(f"partner-{action}", partner)
        if request.method != "POST" and action not in PARTNER_STATUS.allowed(
            partner, request.member
        ):
            return redirect("partner-detail", pk=pk)  # nothing to confirm any more
        form, page = confirmed(request, confirmation)
        if page is not None:
            return page
    elif request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    else:
        form = _status_form(act, request.POST)
    before = partner.status
    if form.is_valid():
        try:
            partner = services.partner_transition(
                partner=partner, by=request.member, action=action, **form.cleaned_data
            )
        except ActionNotAllowed as exc:  # the status moved on: no form to show it on
            messages.error(request, exc.message)
            if confirmation is not None:
                return redirect("partner-detail", pk=pk)
        except DomainError as exc:
            apply_error(form, exc)
        else:
            undo = UNDO.get((action, before))
            if undo and undo in PARTNER_STATUS.allowed(partner, request.member):
                url = reverse(f"partner-{undo}", args=[pk])
                success_with_undo(request, _("Status changed."), undo_url=url)
            else:
                messages.success(request, _("Status changed."))
            return redirect("partner-detail", pk=pk)
    if confirmation is not None:
        return confirmation_page(request, confirmation, form)
    return _detail_page(request, partner, status_forms={action: form})


@require_POST
@member_required("program.manage")
def partner_set_tier(request, pk: int):
    partner = get_object_or_404(Partner.objects.select_related("tier", "owner__user"), pk=pk)
    form = ManualTierForm(request.POST)
    if form.is_valid():
        try:
            services.partner_set_tier(partner=partner, by=request.member, **form.cleaned_data)
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Tier set."))
            return redirect("partner-detail", pk=pk)
    return _detail_page(request, partner, tier_form=form)


def _profile_changes(form, staff: bool) -> dict:
    data = dict(form.cleaned_data)
    if not staff:
        data.pop("owner", None)
        data.pop("allow_any_email_domain", None)
    return data


def _edit(request, partner: Partner, *, staff: bool, done_url: str):
    form = PartnerProfileForm(request.POST or None, instance=partner, staff=staff)
    if request.method == "POST" and form.is_valid():
        try:
            services.partner_update(
                partner=partner, by=request.member, **_profile_changes(form, staff)
            )
        except (DomainError, ValidationError) as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Profile saved."))
            if not staff and selectors.pending_domain_proposals().filter(partner=partner):
                messages.info(
                    request,
                    _("The domain change waits for your channel manager's approval."),
                )
            return redirect(done_url)
    return render(request, "partners/partner_edit.html", {"form": form, "partner": partner})


@member_required("partners.manage")
def partner_edit(request, pk: int):
    partner = get_object_or_404(Partner, pk=pk)
    return _edit(request, partner, staff=True, done_url=f"/partners/{pk}/")


@member_required("partners.manage")
def partner_domain_proposals(request):
    """Staff decide the company domains partner admins proposed (they limit invitations)."""
    proposals = list(selectors.pending_domain_proposals()[:200])
    for p in proposals:
        current = set(p.partner.domains)
        p.added = sorted(set(p.domains) - current)
        p.removed = sorted(current - set(p.domains))
        p.allowed = DOMAIN_PROPOSAL.allowed(p, request.member)
    return render(request, "partners/domain_proposals.html", {"proposals": proposals})


def _confirm_reject(request, name: str, obj, action: str):
    """For a reject/approve pair at one URL each: a reject not yet confirmed answers its
    confirmation page; an approve answers GET with 405. None: go on and act."""
    if action == "reject":
        _form, page = confirmed(request, confirmation_for(name, obj))
        return page
    return None if request.method == "POST" else HttpResponseNotAllowed(["POST"])


@require_http_methods(["GET", "POST"])
@member_required("partners.manage")
def partner_domain_proposal_action(request, pk: int, action: str):
    """One URL per DOMAIN_PROPOSAL action (partners/domain-proposals/<pk>/<action>/); reject
    asks first (prm/confirm.py: a GET is its confirmation page), approve is POST only."""
    proposal = get_object_or_404(selectors.domain_proposals(), pk=pk)
    require_action(DOMAIN_PROPOSAL, proposal, request.member, action)
    page = _confirm_reject(request, "partner-domain-proposal-reject", proposal, action)
    if page is not None:
        return page
    try:
        services.domain_proposal_decide(
            proposal=proposal,
            by=request.member,
            approve=action == "approve",
            reason=request.POST.get("reason", ""),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Decision saved."))
    return redirect("partner-domain-proposals")


# --- Partner side: my company, my tier ----------------------------------------------------


@member_required("company.view")
def company(request):
    partner = Partner.objects.select_related("tier", "owner__user").get(
        pk=request.member.partner_id
    )
    ctx = _partner_context(partner)
    ctx["pending_domains"] = selectors.pending_domain_proposals().filter(partner=partner).first()
    return render(request, "partners/company.html", ctx)


@member_required("company.edit")
def company_edit(request):
    partner = Partner.objects.get(pk=request.member.partner_id)
    return _edit(request, partner, staff=False, done_url="/company/")


@member_required("company.view")
def my_tier(request):
    partner = Partner.objects.select_related("tier").get(pk=request.member.partner_id)
    metrics = selectors.metrics_for(partner)
    tiers = list(selectors.tiers())
    nxt = next((t for t in tiers if t.rank > (partner.tier.rank if partner.tier else -1)), None)
    grace_days = ProgramSettings.for_tenant(request.tenant).tier_downgrade_grace_days
    grace_ends = None
    if partner.below_tier_since:
        grace_ends = partner.below_tier_since + timezone.timedelta(days=grace_days)
    return render(
        request,
        "partners/my_tier.html",
        {
            "partner": partner,
            "metrics": metrics,
            "tiers": tiers,
            "next_tier": nxt,
            "progress": selectors.tier_progress(metrics, nxt),
            "current_progress": selectors.tier_progress(metrics, partner.tier),
            "grace_ends": grace_ends,
        },
    )


# --- Program administration ---------------------------------------------------------------


@member_required("program.manage")
def program_tiers(request):
    """The tiers, and the form adding one (posted here)."""
    form = TierForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.tier_save(by=request.member, **form.cleaned_data)
        except (DomainError, ValidationError) as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Tier added."))
            return redirect("program-tiers")
    tiers = Tier.objects.annotate(partner_count=Count("partners")).order_by("rank")
    return render(
        request,
        "partners/program_tiers.html",
        {
            "tiers": tiers,
            "form": form,
            "pending": selectors.pending_tier_changes().count(),
        },
    )


@require_POST
@member_required("program.manage")
def program_tiers_evaluate(request):
    try:
        services.tiers_evaluation_request(tenant=request.tenant, by=request.member)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Evaluation started; changes appear in a moment."))
    return redirect("program-tiers")


def _tier_edit_page(request, tier: Tier, form, preview=None):
    return render(
        request,
        "partners/program_tier_edit.html",
        {"form": form, "tier": tier, "preview": preview},
    )


@member_required("program.manage")
def program_tier_edit(request, pk: int):
    """The tier's form; saving posts here, the preview and the deletion have their URLs."""
    tier = get_object_or_404(Tier, pk=pk)
    form = TierForm(request.POST or None, instance=tier)
    if request.method == "POST" and form.is_valid():
        try:
            services.tier_save(by=request.member, obj=tier, **form.cleaned_data)
        except (DomainError, ValidationError) as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Tier saved."))
            return redirect("program-tiers")
    return _tier_edit_page(request, tier, form)


@require_POST
@member_required("program.manage")
def program_tier_preview(request, pk: int):
    """Who would move if the posted values were saved on the tier (saves nothing)."""
    tier = get_object_or_404(Tier, pk=pk)
    form = TierForm(request.POST, instance=tier)
    preview = None
    if form.is_valid():
        preview = _tier_edit_preview(request.tenant, tier, form.cleaned_data)
    return _tier_edit_page(request, tier, form, preview)


@require_http_methods(["GET", "POST"])
@member_required("program.manage")
@confirm_first("program-tier-delete", lambda request, pk: get_object_or_404(Tier, pk=pk))
def program_tier_delete(request, pk: int):
    tier = get_object_or_404(Tier, pk=pk)
    try:
        services.tier_delete(by=request.member, tier=tier)
    except DomainError as exc:  # no form to show it on: the tier's page, with the message
        messages.error(request, exc.message)
        return redirect("program-tier-edit", pk=pk)
    messages.success(request, _("Tier deleted."))
    return redirect("program-tiers")


def _tier_edit_preview(tenant, edited: Tier, data: dict):
    """The next evaluation with every tier as it is, against the one with `data` saved on
    `edited`: who moves because of the edit, and who would move anyway. Saves nothing, so
    the admin sees the effect before saving."""

    def what_if_tier(t: Tier, src: dict) -> tiering.WhatIfTier:
        return tiering.WhatIfTier(
            id=t.pk,
            rank=src["rank"],
            name=src["name"],
            min_rev=src["min_won_revenue_12m"],
            min_deals=src["min_won_deals_12m"],
            min_certs=src["min_certified_people"],
            min_health=src["min_health_score"],
            discount_pct=src["discount_pct"],
            mdf_allocation=src["mdf_allocation"],
            mdf_accrual_pct=src["mdf_accrual_pct"],
        )

    tiers = list(Tier.objects.order_by("rank"))
    stored = [what_if_tier(t, {f: getattr(t, f) for f in TierForm.Meta.fields}) for t in tiers]
    proposed = [
        what_if_tier(t, data) if t.pk == edited.pk else s
        for t, s in zip(tiers, stored, strict=True)
    ]
    return tiering_preview.change_preview(tenant=tenant, current=stored, edited=proposed)


@member_required("program.manage")
def program_what_if(request):
    tiers = list(Tier.objects.order_by("rank"))
    forms_ = []
    for t in tiers:
        initial = {f: getattr(t, f) for f in WhatIfTierForm.base_fields}
        forms_.append((t, WhatIfTierForm(request.POST or None, prefix=f"t{t.pk}", initial=initial)))
    preview = figures = None
    if request.method == "POST" and all(f.is_valid() for _t, f in forms_):
        proposed = [
            tiering.WhatIfTier(
                id=t.pk,
                rank=t.rank,
                name=t.name,
                min_rev=f.cleaned_data["min_won_revenue_12m"],
                min_deals=f.cleaned_data["min_won_deals_12m"],
                min_certs=f.cleaned_data["min_certified_people"],
                min_health=f.cleaned_data["min_health_score"],
                discount_pct=f.cleaned_data["discount_pct"],
                mdf_allocation=f.cleaned_data["mdf_allocation"],
                mdf_accrual_pct=f.cleaned_data["mdf_accrual_pct"],
            )
            for t, f in forms_
        ]
        # Who moves because of the proposed values, who would move anyway; and what the
        # outcome under them costs against today.
        preview = tiering_preview.what_if_preview(tenant=request.tenant, proposed=proposed)
        figures = tiering.what_if(tenant=request.tenant, tiers=proposed, limit=0)
    return render(
        request,
        "partners/program_what_if.html",
        {"forms": forms_, "preview": preview, "figures": figures},
    )


@member_required("program.manage")
def program_tier_changes(request):
    changes = list(selectors.pending_tier_changes()[:200])
    for change in changes:
        change.allowed = TIER_CHANGE.allowed(change, request.member)
    return render(request, "partners/program_tier_changes.html", {"changes": changes})


@require_http_methods(["GET", "POST"])
@member_required("program.manage")
def program_tier_change_action(request, pk: int, action: str):
    """One URL per TIER_CHANGE action (program/tier-changes/<pk>/<action>/); reject asks
    first (prm/confirm.py: a GET is its confirmation page), approve is POST only."""
    change = get_object_or_404(TierChange, pk=pk)
    require_action(TIER_CHANGE, change, request.member, action)
    page = _confirm_reject(request, "program-tier-change-reject", change, action)
    if page is not None:
        return page
    try:
        services.tier_change_decide(
            change=change,
            by=request.member,
            approve=action == "approve",
            reason=request.POST.get("reason", ""),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Decision saved."))
    return redirect("program-tier-changes")


CATALOGUES = {"products": Product, "specialties": Specialty}


def _catalogue_page(request, forms_=None):
    forms_ = {name: CatalogueForm(prefix=name) for name in CATALOGUES} | (forms_ or {})
    return render(
        request,
        "partners/program_catalogue.html",
        {
            "forms": forms_,
            "products": Product.objects.order_by("name"),
            "specialties": Specialty.objects.order_by("name"),
        },
    )


@member_required("program.manage")
def program_catalogue(request):
    return _catalogue_page(request)


@require_POST
@member_required("program.manage")
def program_catalogue_add(request, kind: str):
    """Add a product or a specialty (program/catalogue/<kind>/)."""
    form = CatalogueForm(request.POST, prefix=kind)
    if form.is_valid():
        try:
            services.catalogue_save(
                by=request.member, model=CATALOGUES[kind], name=form.cleaned_data["name"]
            )
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Added."))
            return redirect("program-catalogue")
    return _catalogue_page(request, {kind: form})


@require_POST
@member_required("program.manage")
def program_product_active(request, pk: int, active: bool):
    """Retire a product (partners and deals no longer pick it) or restore it."""
    product = get_object_or_404(Product, pk=pk)
    services.catalogue_save(
        by=request.member, model=Product, obj=product, name=product.name, is_active=active
    )
    return redirect("program-catalogue")


@member_required("program.manage")
def program_settings(request):
    current = ProgramSettings.for_tenant(request.tenant)
    form = ProgramSettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.program_settings_update(by=request.member, **form.cleaned_data)
        except (DomainError, ValidationError) as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Program settings saved."))
            return redirect("program-settings")
    return render(request, "partners/program_settings.html", {"form": form})
