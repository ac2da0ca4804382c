"""Portal pages of the sharing matrix, the overlap pages and acting on a shared overlap.
Everything shown of the other side's accounts comes from accountmap.visibility."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.db.models.functions import Lower
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accountmap import sharing, visibility
from accountmap.forms_sharing import DeclineForm, IntroForm, MatrixForm
from accountmap.models import AccountStatus, IntroRequest, Overlap, Side
from accountmap.states_sharing import INTRO_REQUEST
from dealreg.forms import DealForm
from dealreg.precheck import PrecheckRateLimited, deal_precheck
from partners.models import Partner
from prm import portal
from prm.audit import log_action
from prm.csv_export import csv_response, wants_csv
from prm.decorators import member_required
from prm.errors import DomainError
from prm.portal import apply_error, require_action
from prm.roles import STAFF_ROLES, has_perm
from prm.sorting import Sorting

OVERLAP_COLUMNS = {
    "own": (Lower("own_name"),),
    "other": (Lower("other_name"),),
    "own_status": ("own_status",),
    "matched": ("matched_on",),
    "found": ("created_at",),
}
GREENFIELD_COLUMNS = {"name": (Lower("other_name"),), "domain": ("other_domain",)}


def _is_staff(member) -> bool:
    return member.role in STAFF_ROLES


def _partner_or_404(pk: int) -> Partner:
    return get_object_or_404(Partner.objects.all(), pk=pk)


# --- The sharing matrix --------------------------------------------------------------------


@member_required("account_sharing.view")
@require_http_methods(["GET", "POST"])
def sharing_page(request):
    """Staff: the vendor's defaults (the admin edits them) and the partners to override
    for. Partner people: what their company shares with the vendor (the partner admin edits
    it) beside what the vendor shares with them."""
    member = request.member
    if _is_staff(member):
        side, partner, capability = Side.VENDOR, None, "account_sharing.manage_vendor"
    else:
        side, partner, capability = Side.PARTNER, member.partner, "account_sharing.manage_partner"
    may_edit = has_perm(member.role, capability)
    if request.method == "POST" and not may_edit:
        raise PermissionDenied
    ours = visibility.cells(side, partner, with_implicit_custom=True)
    form = MatrixForm(request.POST or None, cells=ours)
    if request.method == "POST" and form.is_valid():
        try:
            n = sharing.sharing_rules_save(
                by=member, side=side, partner=partner, cells=form.cell_data()
            )
        except (DomainError, ValidationError) as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Sharing saved (%(n)d changed).") % {"n": n})
            return redirect("account-sharing")
    context = {"form": form, "may_edit": may_edit, "side": side}
    if _is_staff(member):
        context["partners"] = portal.page(
            request, Partner.objects.order_by(Lower("name"), "pk"), 50
        )
    else:
        context["theirs"] = [
            c for c in visibility.cells(Side.VENDOR, partner) if c.level != "hidden"
        ]
    return render(request, "accountmap/sharing/sharing.html", context)


@member_required("account_sharing.view_all")
@require_http_methods(["GET", "POST"])
def sharing_partner(request, pk: int):
    """Staff: the vendor's overrides for one partner (the admin edits them), beside what
    that partner shares with the vendor."""
    partner = _partner_or_404(pk)
    may_edit = has_perm(request.member.role, "account_sharing.manage_vendor")
    if request.method == "POST" and not may_edit:
        raise PermissionDenied
    ours = visibility.cells(Side.VENDOR, partner, with_implicit_custom=True)
    defaults = visibility.cells(Side.VENDOR, None, with_implicit_custom=True)
    form = MatrixForm(request.POST or None, cells=ours, inherit_from=defaults)
    if request.method == "POST" and form.is_valid():
        try:
            n = sharing.sharing_rules_save(
                by=request.member, side=Side.VENDOR, partner=partner, cells=form.cell_data()
            )
        except (DomainError, ValidationError) as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Sharing saved (%(n)d changed).") % {"n": n})
            return redirect("account-sharing-partner", pk=partner.pk)
    theirs = [c for c in visibility.cells(Side.PARTNER, partner) if c.level != "hidden"]
    return render(
        request,
        "accountmap/sharing/sharing_partner.html",
        {"form": form, "may_edit": may_edit, "partner": partner, "theirs": theirs},
    )


# --- Overlaps ------------------------------------------------------------------------------


def _filtered(request, rows):
    q = " ".join(request.GET.get("q", "").split())[:100]
    status = request.GET.get("status", "")
    if q:
        rows = rows.filter(
            Q(own_name__icontains=q)
            | Q(own_domain__icontains=q)
            | Q(other_name__icontains=q)
            | Q(other_domain__icontains=q)
        )
    if status in AccountStatus.values:
        rows = rows.filter(own_status=status)  # the viewer's own population: their own data
    return rows, q, status


def _overlap_page(request, view, template: str, extra: dict):
    rows, q, status = _filtered(request, visibility.overlaps(view))
    sorting = Sorting.from_request(request, OVERLAP_COLUMNS, default="own")
    rows = sorting.apply(rows)
    if wants_csv(request):
        return _overlaps_csv(request, view, rows)
    query = request.GET.copy()
    query.pop("page", None)
    page = portal.page(request, rows, 50)
    for row in page.object_list:
        row["shared"] = visibility.shared_row(row)
    return render(
        request,
        template,
        {
            "page": page,
            "counts": visibility.overlap_counts(view),
            "sorting": sorting,
            "q": q,
            "status": status,
            "statuses": AccountStatus.choices,
            "query": query.urlencode(),
            "field_labels": visibility.FIELD_LABELS,
            **extra,
        },
    )


CSV_HEADER = [
    "our_account", "our_domain", "our_population", "their_account", "their_domain",
    "their_population", "their_owner_name", "their_owner_email", "their_industry",
    "their_region", "their_country", "their_employees", "matched_on",
]  # fmt: skip


def _overlaps_csv(request, view, rows):
    """The overlaps as the page lists them: the other side's cells through visibility."""

    def line(row):
        s = visibility.shared_row(row)
        return (
            row["own_name"], row["own_domain"], row["own_status"], s["name"], s["domain"],
            s["status"], s["owner_name"], s["owner_email"], s["industry"], s["region"],
            s["country"], s["employees"], row["matched_on"],
        )  # fmt: skip

    resp = csv_response("account-overlaps", CSV_HEADER, (line(r) for r in rows.iterator()))
    log_action(
        "account_overlaps.exported",
        object_type="partners.partner",
        object_id=view.partner.pk,
        object_label=view.partner.name,
    )
    return resp


@member_required("account_overlaps.view")
def overlaps_page(request):
    """Partner people: their overlaps with the vendor as the vendor shares them. Staff: the
    partners, each with its overlap count as that partner shares it."""
    member = request.member
    if not _is_staff(member):
        view = visibility.view_for(member)
        return _overlap_page(request, view, "accountmap/sharing/overlaps.html", {})
    page = portal.page(request, Partner.objects.order_by(Lower("name"), "pk"), 25)
    counts = visibility.overlap_counts_for_partners(page.object_list)
    rows = [(partner, counts[partner.pk]) for partner in page.object_list]
    return render(request, "accountmap/sharing/overlaps_staff.html", {"page": page, "rows": rows})


@member_required("account_overlaps.view_all")
def overlaps_partner(request, pk: int):
    partner = _partner_or_404(pk)
    view = visibility.view_for(request.member, partner)
    return _overlap_page(request, view, "accountmap/sharing/overlaps.html", {"partner": partner})


def _greenfield(request, view, extra):
    rows = visibility.greenfield(view)
    q = " ".join(request.GET.get("q", "").split())[:100]
    if q:
        rows = rows.filter(Q(other_name__icontains=q) | Q(other_domain__icontains=q))
    sorting = Sorting.from_request(request, GREENFIELD_COLUMNS, default="name")
    rows = sorting.apply(rows)
    if wants_csv(request):
        return csv_response(
            "account-greenfield",
            ["account", "domain", "population", "owner_name", "owner_email", "industry",
             "region", "country", "employees"],
            (
                (s["name"], s["domain"], s["status"], s["owner_name"], s["owner_email"],
                 s["industry"], s["region"], s["country"], s["employees"])
                for s in (visibility.shared_row(r) for r in rows.iterator())
            ),
        )  # fmt: skip
    query = request.GET.copy()
    query.pop("page", None)
    page = portal.page(request, rows, 50)
    for row in page.object_list:
        row["shared"] = visibility.shared_row(row)
    return render(
        request,
        "accountmap/sharing/greenfield.html",
        {
            "page": page,
            "q": q,
            "sorting": sorting,
            "query": query.urlencode(),
            "field_labels": visibility.FIELD_LABELS,
            **extra,
        },
    )


@member_required("account_overlaps.view")
def greenfield_page(request):
    if _is_staff(request.member):
        return redirect("account-overlaps")
    return _greenfield(request, visibility.view_for(request.member), {})


@member_required("account_overlaps.view_all")
def greenfield_partner(request, pk: int):
    partner = _partner_or_404(pk)
    return _greenfield(request, visibility.view_for(request.member, partner), {"partner": partner})


# --- Acting on a shared overlap ------------------------------------------------------------


def _shared_overlap_or_404(request, pk: int) -> tuple[dict, visibility.View]:
    """A shared overlap (at `overlaps` or more) of the member's view; anything else is a
    404, like a missing one (the same query either way)."""
    member = request.member
    if _is_staff(member):
        overlap = get_object_or_404(Overlap.objects.select_related("partner"), pk=pk)
        view = visibility.view_for(member, overlap.partner)
    else:
        view = visibility.view_for(member)
    row = visibility.overlap_or_none(view, pk)
    if row is None:
        raise Http404
    return row, view


@member_required("deals.register")
def overlap_register_deal(request, pk: int):
    """The deal form, prefilled from a shared overlap (the partner's own account first,
    else what the vendor shares), with the availability pre-check already run."""
    row, _view = _shared_overlap_or_404(request, pk)
    shared = visibility.shared_row(row)
    initial = {
        "customer_name": row["own_name"] or shared["name"],
        "customer_domain_input": row["own_domain"] or shared["domain"],
        "country": row["own_country"] or shared["country"] or "",
    }
    form = DealForm(initial=initial, tenant=request.tenant)
    precheck, status = None, 200
    try:
        precheck = deal_precheck(
            member=request.member,
            customer_name=initial["customer_name"],
            customer_domain_input=initial["customer_domain_input"],
        )
    except PrecheckRateLimited as exc:
        messages.error(request, exc.message)
        status = 429
    return render(
        request,
        "dealreg/deal_form.html",
        {"form": form, "deal": None, "precheck": precheck},
        status=status,
    )


@member_required("leads.manage")
@require_POST
def overlap_lead(request, pk: int):
    """Vendor staff: a lead of our account, offered to the partner that has it."""
    _row, view = _shared_overlap_or_404(request, pk)
    try:
        lead, _offer = sharing.overlap_lead_create(by=request.member, overlap_id=pk)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("account-overlaps-partner", pk=view.partner.pk)
    messages.success(
        request,
        _("Lead %(c)s offered to %(p)s.") % {"c": lead.company, "p": view.partner.name},
    )
    return redirect("lead-list")


@member_required("account_intros.request")
@require_http_methods(["GET", "POST"])
def overlap_intro(request, pk: int):
    row, _view = _shared_overlap_or_404(request, pk)
    form = IntroForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sharing.intro_request(
                by=request.member, overlap_id=row["id"], message=form.cleaned_data["message"]
            )
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Introduction requested. The account owner is told."))
            return redirect("account-intros")
    return render(
        request,
        "accountmap/sharing/intro_form.html",
        {"form": form, "row": row, "shared": visibility.shared_row(row)},
    )


def _intros_visible_to(member):
    qs = IntroRequest.objects.select_related(
        "partner", "overlap__vendor_account", "requested_by__user", "decided_by__user"
    )
    if _is_staff(member):
        return qs
    return qs.filter(partner_id=member.partner_id)


@member_required("account_overlaps.view")
def intro_list(request):
    member = request.member
    qs = _intros_visible_to(member).order_by("-created_at", "-pk")
    page = portal.page(request, qs, 50)
    shared_names = {}
    if not _is_staff(member):
        # The vendor's account as the vendor shares it now (it may have stopped sharing).
        ids = [i.overlap_id for i in page.object_list]
        shared_names = {
            r["id"]: r["other_name"]
            for r in visibility.overlaps(visibility.view_for(member)).filter(pk__in=ids)
        }
    for intro in page.object_list:
        intro.allowed = INTRO_REQUEST.allowed(intro, member)
        intro.account_label = (
            intro.overlap.vendor_account.name
            if _is_staff(member)
            else shared_names.get(intro.overlap_id, _("(no longer shared)"))
        )
    return render(
        request, "accountmap/sharing/intros.html", {"page": page, "decline_form": DeclineForm()}
    )


@member_required("account_intros.decide")
@require_POST
def intro_accept(request, pk: int):
    intro = get_object_or_404(_intros_visible_to(request.member), pk=pk)
    require_action(INTRO_REQUEST, intro, request.member, "accept")
    try:
        sharing.intro_decide(by=request.member, intro=intro, action="accept")
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Accepted. The partner is told, with your contact."))
    return redirect("account-intros")


@member_required("account_intros.decide")
@require_POST
def intro_decline(request, pk: int):
    intro = get_object_or_404(_intros_visible_to(request.member), pk=pk)
    require_action(INTRO_REQUEST, intro, request.member, "decline")
    form = DeclineForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason to decline."))
        return redirect("account-intros")
    try:
        sharing.intro_decide(
            by=request.member, intro=intro, action="decline", reason=form.cleaned_data["reason"]
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Declined. The partner is told."))
    return redirect("account-intros")


@member_required("accounts.known_by")
def account_partners(request, pk: int):
    """Vendor staff, and a sales rep for the accounts they sell: which partners know this
    vendor account, and as what, within what each partner shares (another rep's account is a
    404, like a missing one)."""
    account = get_object_or_404(visibility.accounts_known_visible_to(request.member), pk=pk)
    rows = visibility.partners_knowing(request.member, account)
    for row in rows:
        row["shared"] = visibility.shared_row(row)
    return render(
        request,
        "accountmap/sharing/account_partners.html",
        {
            "account": account,
            "rows": rows,
            "field_labels": visibility.FIELD_LABELS,
            "staff": has_perm(request.member.role, "account_overlaps.view_all"),
        },
    )


def intro_visible(member, pk: int) -> bool:
    """The notification link check of an introduction request."""
    return _intros_visible_to(member).filter(pk=pk).exists()
