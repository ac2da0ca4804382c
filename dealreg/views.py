"""Portal views for deal registration, review, rules, named accounts and leads."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.db.models.functions import Lower
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from dealreg import checks, selectors, services
from dealreg.forms import (
    CloseForm,
    DealForm,
    DecisionForm,
    ExtensionForm,
    InfluencerForm,
    NamedAccountForm,
    ReviewFilterForm,
    RulesForm,
)
from dealreg.models import (
    Deal,
    DealInfluencer,
    DealMatch,
    DealStatus,
    InfluencerRole,
    NamedAccount,
    RulesVersion,
)
from dealreg.precheck import PrecheckRateLimited, deal_precheck
from dealreg.queue_nav import FROM_QUEUE, queue_nav
from dealreg.states import (
    DEAL,
    EXTENSION,
    INFLUENCER,
    extension_opens_on,
    extensions_left,
    pending_extension,
)
from partners.models import Tier
from prm import portal
from prm.audit import log_action
from prm.confirm import Confirmation, ConfirmForm
from prm.csv_export import csv_stream, wants_csv
from prm.decorators import member_required
from prm.errors import DomainError
from prm.pagination import CappedPaginator
from prm.portal import apply_error, require_action
from prm.roles import STAFF_ROLES, has_perm
from prm.search import search, search_term
from prm.sorting import Sorting


def _deal_or_404(request, pk: int) -> Deal:
    return get_object_or_404(selectors.deals_visible_to(request.member), pk=pk)


# --- Partner and shared pages -------------------------------------------------------------


# The deal list's sortable columns (prm.sorting): ?sort=amount, ?sort=-amount.
DEAL_LIST_COLUMNS = {
    "number": "pk",
    "customer": Lower("customer_name"),
    "partner": Lower("partner__name"),
    "amount": "amount",
    "status": "status",
    "protection": "protected_until",
    "created": "created_at",
}


@member_required("deals.view")
def deal_list(request):
    sorting = Sorting.from_request(request, DEAL_LIST_COLUMNS, default="-created")
    qs = sorting.apply(selectors.deals_visible_to(request.member))
    status = request.GET.get("status", "")
    q = request.GET.get("q", "").strip()
    if status in DealStatus.values:
        qs = qs.with_current_status(status)
    if q:
        qs = qs.filter(services.deal_search_filter(q))
    if request.GET.get("format") == "csv":
        return _deals_csv(request, qs)
    page = CappedPaginator(qs, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "dealreg/deal_list.html",
        {
            "page": page,
            "status": status,
            "q": q,
            "statuses": DealStatus.choices,
            "query": query.urlencode(),
            "today": timezone.now().date(),
            "sorting": sorting,
        },
    )


def _deals_csv(request, qs):
    header = (
        "number",
        "partner",
        "customer",
        "domain",
        "country",
        "status",
        "amount",
        "currency",
        "expected_close",
        "protected_until",
        "submitted_at",
        "won_amount",
        "closed_at",
        "source",
    )

    def row(d):
        return (
            d.number,
            d.partner.name,
            d.customer_name,
            d.customer_domain,
            d.country,
            d.current_status,
            d.amount or "",
            d.currency,
            d.expected_close_date,
            d.protected_until,
            d.submitted_at,
            d.won_amount or "",
            d.closed_at,
            d.source,
        )

    resp = csv_stream(request, "deals", header, qs, row)
    log_action("deals.exported", object_type="dealreg.deal", after={"rows": resp.rows})
    return resp


@member_required("deals.register")
def deal_new(request):
    """The form, and its "Save draft" button."""
    return _deal_form(request, None, submit=False)


@member_required("deals.register")
@require_POST
def deal_new_submit(request):
    """The form's "Submit for approval" button (formaction): save and submit at once."""
    return _deal_form(request, None, submit=True)


@member_required("deals.register")
def deal_edit(request, pk: int):
    deal = _deal_or_404(request, pk)
    require_action(DEAL, deal, request.member, "edit")
    if "edit" not in DEAL.allowed(deal, request.member):
        messages.error(request, _("Only drafts can be edited."))
        return redirect("deal-detail", pk=pk)
    return _deal_form(request, deal, submit=False)


@member_required("deals.register")
@require_POST
def deal_edit_submit(request, pk: int):
    """The edit form's "Submit for approval" button (formaction)."""
    deal = _deal_or_404(request, pk)
    require_action(DEAL, deal, request.member, "edit")
    return _deal_form(request, deal, submit=True)


@member_required("deals.register")
@require_POST
def deal_precheck_view(request, pk: int | None = None):
    """The form's "Check availability" button (formaction): what the pre-check finds for
    the customer typed so far, shown above the same form."""
    deal = _deal_or_404(request, pk) if pk is not None else None
    if deal is not None:
        require_action(DEAL, deal, request.member, "edit")
    form = DealForm(request.POST, instance=deal, tenant=request.tenant)
    precheck, status = None, 200
    if form.is_valid():
        try:
            precheck = deal_precheck(
                member=request.member,
                customer_name=form.cleaned_data["customer_name"],
                customer_domain_input=checks.customer_domain(
                    form.cleaned_data.get("customer_domain_input", ""),
                    form.cleaned_data.get("contact_email", ""),
                )[0],
                exclude_deal_id=deal.pk if deal else None,
            )
        except PrecheckRateLimited as exc:
            form.add_error(None, exc.message)
            status = 429
    return render(
        request,
        "dealreg/deal_form.html",
        {"form": form, "deal": deal, "precheck": precheck},
        status=status,
    )


def _deal_form(request, deal: Deal | None, *, submit: bool):
    """Save a draft, or save and submit it (the API's `submit` field); each has its own URL."""
    form = DealForm(request.POST or None, instance=deal, tenant=request.tenant, submit=submit)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "products"}
        try:
            saved = services.deal_save(
                by=request.member,
                data=data,
                deal=deal,
                products=form.cleaned_data["products"],
                submit=submit,
            )
        except (DomainError, ValidationError) as exc:
            apply_error(form, exc)
        else:
            if saved.customer_domain and not form.cleaned_data.get("customer_domain_input"):
                messages.info(
                    request,
                    _("The customer's domain %(d)s was taken from the contact's e-mail.")
                    % {"d": saved.customer_domain},
                )
            messages.success(
                request,
                _("Submitted. You will see the decision here in a moment.")
                if submit
                else _("Draft saved."),
            )
            return redirect("deal-detail", pk=saved.pk)
    return render(request, "dealreg/deal_form.html", {"form": form, "deal": deal})


# How the side-by-side names each registration's place in time (computed from the exact
# timestamps, so two submissions within the same minute still say who was first).
_ORDINALS = [
    gettext_lazy("first"),
    gettext_lazy("second"),
    gettext_lazy("third"),
    gettext_lazy("fourth"),
]
_COMPARED = 3  # other registrations shown beside this one


def _side_by_side(deal: Deal, matches) -> list[Deal]:
    """This deal and the registrations it conflicts with (up to _COMPARED), each with
    `submitted_rank` (1 = submitted first), `submitted_order` (its word) and `compare_label`,
    this deal first."""
    other_ids = []
    for m in matches:
        if m.matched_deal_id and m.matched_deal_id not in other_ids:
            other_ids.append(m.matched_deal_id)
    if not other_ids:
        return []
    other_ids = other_ids[:_COMPARED]
    by_pk = {
        d.pk: d
        for d in Deal.objects.filter(pk__in=[deal.pk, *other_ids])
        .select_related("partner")
        .prefetch_related("products")
    }
    compared = [by_pk[pk] for pk in [deal.pk, *other_ids] if pk in by_pk]
    for d in compared:  # names each value when the comparison stacks on a phone
        d.compare_label = (
            _("%(number)s (this registration)") % {"number": d.number}
            if d.pk == deal.pk
            else d.number
        )
    timed = sorted((d for d in compared if d.submitted_at), key=lambda d: (d.submitted_at, d.pk))
    for rank, d in enumerate(timed, start=1):
        d.submitted_rank = rank
        d.submitted_order = (
            _ORDINALS[rank - 1] if rank <= len(_ORDINALS) else _("no. %(n)s") % {"n": rank}
        )
    return compared


def _extension_note(deal: Deal, member, allowed) -> str:
    """For the partner who may ask for extensions: when asking becomes possible (the box is
    shown only once `extend` is allowed)."""
    if "extend" in allowed or not DEAL["extend"].may(deal, member) or not deal.is_protected:
        return ""
    if pending_extension(deal) is not None:
        return ""  # the page says the request is waiting
    if not extensions_left(deal):
        return _("This registration has used all the extensions the rules allow.")
    opens_on = extension_opens_on(deal)
    if opens_on is None:
        return ""
    return _("You can ask for an extension from %(date)s.") % {
        "date": date_format(opens_on, "DATE_FORMAT")
    }


def _zone_in_words(name: str) -> str:
    """'America/New_York' -> 'New York': the timeline says its zone as people do."""
    return name.rsplit("/", 1)[-1].replace("_", " ")


@member_required("deals.view")
def deal_detail(request, pk: int):
    deal = get_object_or_404(
        selectors.deals_visible_to(request.member)
        .select_related("rules_version", "decided_by__user", "partner__owner__user")
        .prefetch_related("products"),
        pk=pk,
    )
    member = request.member
    staff = member.role in STAFF_ROLES
    matches = list(
        DealMatch.objects.filter(deal=deal)
        .select_related("matched_deal__partner", "matched_account")
        .order_by("-score")
    )
    influencers = list(DealInfluencer.objects.filter(deal=deal).select_related("partner"))
    for i in influencers:
        i.allowed = INFLUENCER.allowed(i, member)
    extension = pending_extension(deal)
    allowed = DEAL.allowed(deal, member)
    queue = queue_nav(request)
    next_pk = queue.next_deal(after_pk=deal.pk) if queue else None
    return render(
        request,
        "dealreg/deal_detail.html",
        {
            "deal": deal,
            "staff": staff,
            "allowed": allowed,
            "matches": matches,
            "compared": _side_by_side(deal, matches) if staff else [],
            "events": selectors.timeline(deal, staff=staff),
            "influencers": influencers,
            "influencer_roles": InfluencerRole.choices,
            "extension": extension,
            "extension_allowed": EXTENSION.allowed(extension, member) if extension else (),
            "extension_note": _extension_note(deal, member, allowed),
            "decision_form": DecisionForm(),
            "close_form": CloseForm(),
            "extension_form": ExtensionForm(),
            "influencer_form": InfluencerForm() if "add_influencer" in allowed else None,
            "today": timezone.now().date(),
            "queue": queue,
            "next_url": queue.deal_url(next_pk) if next_pk else "",
            "offer_influence_claim": not staff and deal.status == DealStatus.WON,
            "tz_place": _zone_in_words(timezone.get_current_timezone_name()),
        },
    )


@member_required("deals.view")
def deal_status(request, pk: int):
    """Polled by the deal page (static/js/deal-status.js) until a decision arrives."""
    deal = _deal_or_404(request, pk)
    return JsonResponse(
        {
            "status": deal.current_status,
            "label": deal.current_status_label,
            "decided": not deal.awaiting_rules,
        }
    )


# --- Staff pages --------------------------------------------------------------------------


@member_required("deals.review")
def review_queue(request):
    form = ReviewFilterForm(request.GET or None)
    filters = {
        k: v
        for k, v in (form.cleaned_data if form.is_valid() else {}).items()
        if v not in (None, "")
    }
    qs = selectors.review_queue(**filters).prefetch_related(
        Prefetch("matches", queryset=DealMatch.objects.order_by("-score"))
    )
    page = CappedPaginator(qs, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "dealreg/review_queue.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            # A deal opened from here leads back to this queue and on to its next deal.
            "deal_query": urlencode([("from", FROM_QUEUE), *query.items()]),
            "now": timezone.now(),
            "expiring": selectors.expiring_soon()[:20],
        },
    )


def _ticked(request) -> list[int]:
    return [int(i) for i in request.POST.getlist("deal") if i.isdigit()]


def _review_bulk(request, name: str, reason: str | None = None):
    """Approve or reject the deals ticked in the review queue, each through its service (a
    deal whose state no longer allows it is reported, the others are decided)."""
    ids = _ticked(request)
    reason = request.POST.get("reason", "") if reason is None else reason
    decide = services.deal_approve if name == "approve" else services.deal_reject
    done, failed = 0, []
    for deal in selectors.deals_visible_to(request.member).filter(pk__in=ids):
        try:
            decide(deal=deal, by=request.member, reason=reason)
            done += 1
        except DomainError as exc:
            failed.append(f"{deal.number}: {exc.message}")
    if done:
        messages.success(
            request,
            ngettext("%(n)s deal updated.", "%(n)s deals updated.", done) % {"n": done},
        )
    for f in failed:
        messages.error(request, f)
    query = request.GET.urlencode()
    return redirect(reverse("deal-review") + (f"?{query}" if query else ""))


@member_required("deals.review")
@require_POST
def review_approve(request):
    return _review_bulk(request, "approve")


@member_required("deals.review")
@require_POST
def review_reject(request):
    """Rejecting is not undone, so the ticked deals are confirmed first: the queue's POST
    answers a confirmation page naming them, with the reason (required, shown to the
    partners); that page's POST (`confirmed`) rejects them."""
    query = request.GET.urlencode()
    queue_url = reverse("deal-review") + (f"?{query}" if query else "")
    deals = list(
        selectors.deals_visible_to(request.member)
        .filter(pk__in=_ticked(request))
        .select_related("partner")
        .order_by("pk")
    )
    if not deals:
        messages.error(request, _("Tick the registrations to reject first."))
        return redirect(queue_url)
    c = Confirmation(
        name="deal-review-reject",
        url=reverse("deal-review-reject") + (f"?{query}" if query else ""),
        title=ngettext(
            "Reject %(n)s deal registration?", "Reject %(n)s deal registrations?", len(deals)
        )
        % {"n": len(deals)},
        consequence=_(
            "Each partner is told, with your reason, and loses any claim to the customer. "
            "A rejected registration cannot be reopened."
        ),
        button=_("Reject selected"),
        confirm=_("Reject"),
        back_url=queue_url,
        reason="required",
        reason_label=_("Reason (shown to the partners)"),
        reason_missing=_("Give the partners a reason."),
    )
    if request.POST.get("confirmed") == "1":
        form = c.form(request.POST)
        if form.is_valid():
            return _review_bulk(request, "reject", reason=form.cleaned_data["reason"])
    else:
        form = ConfirmForm(
            initial={"reason": request.POST.get("reason", "")},
            confirmation=c,
            auto_id=c.dom_id + "-%s",
        )
    return render(
        request, "dealreg/review_reject_confirm.html", {"c": c, "form": form, "deals": deals}
    )


# --- Rules --------------------------------------------------------------------------------


@member_required("rules.view")
def rules(request):
    current = services.current_rules(request.tenant)
    form = None
    if request.method == "POST" and not has_perm(request.member.role, "rules.manage"):
        raise PermissionDenied  # only admins publish rules (rules_publish refuses the rest)
    if request.member.role == "admin":
        form = RulesForm(request.POST or None, instance=current)
        if request.method == "POST" and form.is_valid():
            values = {
                k: v
                for k, v in form.cleaned_data.items()
                if k not in ("auto_approve_tiers", "effective_from")
            }
            values["auto_approve_tier_ids"] = [
                t.pk for t in form.cleaned_data["auto_approve_tiers"]
            ]
            try:
                services.rules_publish(
                    by=request.member, effective_from=form.cleaned_data["effective_from"], **values
                )
            except (DomainError, ValidationError) as exc:
                apply_error(form, exc)
            else:
                messages.success(request, _("New rules version published."))
                return redirect("rules")

    return render(
        request,
        "dealreg/rules.html",
        {
            "rules": current,
            "form": form,
            "tiers": Tier.objects.filter(pk__in=current.auto_approve_tier_ids),
            "history": RulesVersion.objects.order_by("-version")[:50]
            if request.member.role in STAFF_ROLES
            else [],
        },
    )


# --- Named accounts -----------------------------------------------------------------------


@member_required("named_accounts.manage")
def named_accounts(request):
    form = NamedAccountForm()
    if request.method == "POST":
        # CSV uploads go to the import framework (prm.imports): the box posts there.
        form = NamedAccountForm(request.POST)
        if form.is_valid():
            try:
                services.named_account_upsert(by=request.member, **form.cleaned_data)
            except DomainError as exc:
                apply_error(form, exc)
            else:
                messages.success(request, _("Account saved."))
                return redirect("named-accounts")
    q = search_term(request)
    accounts = search(NamedAccount.objects.order_by("name"), q, ("name", "domain", "external_id"))
    if wants_csv(request):
        return csv_stream(
            request,
            "named-accounts",
            ["name", "domain", "kind", "owner", "external_id", "active", "created_at"],
            accounts,
            lambda a: (a.name, a.domain, a.kind, a.owner, a.external_id, a.is_active, a.created_at),
        )
    page = portal.page(request, accounts, 100)
    return render(
        request,
        "dealreg/named_accounts.html",
        {"form": form, "page": page, "q": q},
    )
