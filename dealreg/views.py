"""Portal views for deal registration, review, rules, named accounts and leads."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from dealreg import leads, selectors, services
from dealreg.forms import (
    CloseForm,
    DealForm,
    DecisionForm,
    ExtensionForm,
    InfluencerForm,
    LeadForm,
    NamedAccountForm,
    ReviewFilterForm,
    RulesForm,
)
from dealreg.models import (
    Deal,
    DealInfluencer,
    DealMatch,
    DealStatus,
    ExtensionRequest,
    LeadOffer,
    NamedAccount,
    RulesVersion,
)
from dealreg.precheck import PrecheckRateLimited, deal_precheck
from partners.views import _apply_error
from prm.audit import log_action
from prm.csv_export import csv_stream, wants_csv
from prm.decorators import member_required
from prm.errors import DomainError
from prm.pagination import CappedPaginator
from prm.roles import STAFF_ROLES
from prm.search import search, search_term


def _deal_or_404(request, pk: int) -> Deal:
    return get_object_or_404(selectors.deals_visible_to(request.member), pk=pk)


def _service_error(form, exc) -> None:
    errors = getattr(exc, "errors", None)
    if errors:
        for field, message in errors.items():
            form.add_error(field if field in form.fields else None, message)
    else:
        _apply_error(form, exc)


# --- Partner and shared pages -------------------------------------------------------------


@member_required("deals.view")
def deal_list(request):
    qs = selectors.deals_visible_to(request.member).order_by("-created_at")
    status = request.GET.get("status", "")
    q = request.GET.get("q", "").strip()
    if status in DealStatus.values:
        qs = qs.filter(status=status)
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
            d.status,
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
    return _deal_form(request, None)


@member_required("deals.register")
def deal_edit(request, pk: int):
    deal = _deal_or_404(request, pk)
    if deal.status != DealStatus.DRAFT:
        messages.error(request, _("Only drafts can be edited."))
        return redirect("deal-detail", pk=pk)
    return _deal_form(request, deal)


def _deal_form(request, deal: Deal | None):
    form = DealForm(request.POST or None, instance=deal, tenant=request.tenant)
    precheck, status = None, 200
    if request.method == "POST" and form.is_valid():
        op = request.POST.get("op", "draft")
        data = {k: v for k, v in form.cleaned_data.items() if k != "products"}
        if op == "precheck":
            try:
                precheck = deal_precheck(
                    member=request.member,
                    customer_name=data["customer_name"],
                    customer_domain_input=data.get("customer_domain_input", ""),
                    exclude_deal_id=deal.pk if deal else None,
                )
            except PrecheckRateLimited as exc:
                form.add_error(None, exc.message)
                status = 429
        else:
            try:
                saved = services.deal_save(
                    by=request.member,
                    data=data,
                    deal=deal,
                    products=form.cleaned_data["products"],
                    submit=op == "submit",
                )
            except (DomainError, ValidationError) as exc:
                _service_error(form, exc)
            else:
                messages.success(
                    request,
                    _("Submitted. You will see the decision here in a moment.")
                    if op == "submit"
                    else _("Draft saved."),
                )
                return redirect("deal-detail", pk=saved.pk)
    return render(
        request,
        "dealreg/deal_form.html",
        {"form": form, "deal": deal, "precheck": precheck},
        status=status,
    )


@member_required("deals.view")
def deal_detail(request, pk: int):
    deal = get_object_or_404(
        selectors.deals_visible_to(request.member).select_related(
            "rules_version", "decided_by__user", "partner__owner__user"
        ),
        pk=pk,
    )
    staff = request.member.role in STAFF_ROLES
    if request.method == "POST":
        return _deal_action(request, deal, staff)
    matches = (
        DealMatch.objects.filter(deal=deal)
        .select_related("matched_deal__partner", "matched_account")
        .order_by("-score")
    )
    return render(
        request,
        "dealreg/deal_detail.html",
        {
            "deal": deal,
            "staff": staff,
            "matches": matches,
            "events": selectors.timeline(deal, staff=staff),
            "influencers": DealInfluencer.objects.filter(deal=deal).select_related("partner"),
            "extension": ExtensionRequest.objects.filter(deal=deal, status="pending").first(),
            "decision_form": DecisionForm(),
            "close_form": CloseForm(),
            "extension_form": ExtensionForm(),
            "influencer_form": InfluencerForm() if staff else None,
            "today": timezone.now().date(),
            "rules": services.current_rules(request.tenant),
        },
    )


def _deal_action(request, deal: Deal, staff: bool):
    op = request.POST.get("op", "")
    member = request.member
    try:
        if op == "submit" and not staff:
            services.deal_submit(deal=deal, by=member)
            messages.success(request, _("Submitted."))
        elif op == "withdraw" and not staff:
            services.deal_withdraw(deal=deal, by=member, reason=request.POST.get("reason", ""))
            messages.success(request, _("Withdrawn."))
        elif op == "extend" and not staff:
            services.extension_request(deal=deal, by=member, reason=request.POST.get("reason", ""))
            messages.success(request, _("Extension requested."))
        elif op == "influence" and not staff:
            services.influencer_add(deal=deal, by=member, partner=member.partner)
            messages.success(request, _("Your request to be recorded was sent."))
        elif op == "approve" and staff:
            services.deal_approve(deal=deal, by=member, reason=request.POST.get("reason", ""))
            messages.success(request, _("Approved."))
        elif op == "reject" and staff:
            services.deal_reject(deal=deal, by=member, reason=request.POST.get("reason", ""))
            messages.success(request, _("Rejected."))
        elif op == "recheck" and staff:
            found = services.deal_recheck(deal=deal, by=member)
            messages.info(request, _("%(n)s matches found.") % {"n": len(found)})
        elif op == "close" and staff:
            form = CloseForm(request.POST)
            if not form.is_valid():
                raise DomainError(_("Check the close details."))
            d = form.cleaned_data
            services.deal_close(
                deal=deal,
                by=member,
                won=d["outcome"] == "won",
                amount=d["amount"],
                closed_at=d["closed_at"],
                reason=d["reason"],
            )
            messages.success(request, _("Deal closed."))
        elif op in ("extension_approve", "extension_reject") and staff:
            req = get_object_or_404(ExtensionRequest, deal=deal, status="pending")
            services.extension_decide(request=req, by=member, approve=op == "extension_approve")
            messages.success(request, _("Extension decided."))
        elif op == "add_influencer" and staff:
            form = InfluencerForm(request.POST)
            if not form.is_valid():
                raise DomainError(_("Choose a partner."), field="partner")
            services.influencer_add(deal=deal, by=member, partner=form.cleaned_data["partner"])
            messages.success(request, _("Influencer added."))
        elif op in ("influencer_approve", "influencer_reject") and staff:
            inf = get_object_or_404(
                DealInfluencer, deal=deal, pk=request.POST.get("influencer_id") or 0
            )
            services.influencer_decide(
                influencer=inf, by=member, approve=op == "influencer_approve"
            )
        else:
            raise Http404
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("deal-detail", pk=deal.pk)


@member_required("deals.view")
def deal_status(request, pk: int):
    """Polled by the deal page (static/js/deal-status.js) until a decision arrives."""
    deal = _deal_or_404(request, pk)
    return JsonResponse(
        {
            "status": deal.status,
            "label": deal.get_status_display(),
            "decided": deal.status not in ("submitted",),
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
    if request.method == "POST":
        ids = [int(i) for i in request.POST.getlist("deal") if i.isdigit()]
        op = request.POST.get("op")
        reason = request.POST.get("reason", "")
        done, failed = 0, []
        for deal in Deal.objects.filter(pk__in=ids):
            try:
                if op == "approve":
                    services.deal_approve(deal=deal, by=request.member, reason=reason)
                elif op == "reject":
                    services.deal_reject(deal=deal, by=request.member, reason=reason)
                else:
                    raise Http404
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
        return redirect(request.get_full_path())
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
            "now": timezone.now(),
            "expiring": selectors.expiring_soon()[:20],
        },
    )


# --- Rules --------------------------------------------------------------------------------


@member_required("rules.view")
def rules(request):
    current = services.current_rules(request.tenant)
    form = None
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
                _apply_error(form, exc)
            else:
                messages.success(request, _("New rules version published."))
                return redirect("rules")
    from partners.models import Tier

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
                _apply_error(form, exc)
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
    page = Paginator(accounts, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "dealreg/named_accounts.html",
        {"form": form, "page": page, "q": q},
    )


# --- Leads --------------------------------------------------------------------------------


@member_required("leads.manage")
def lead_list(request):
    form = LeadForm()
    if request.method == "POST":
        if request.POST.get("op") == "route":
            lead = get_object_or_404(selectors.leads(), pk=request.POST.get("lead_id") or 0)
            try:
                offer = leads.lead_route(lead=lead, by=request.member)
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(
                    request,
                    _("Offered to %(p)s.") % {"p": offer.partner.name}
                    if offer
                    else _("No partner is available for this lead."),
                )
            return redirect("lead-list")
        else:
            form = LeadForm(request.POST)
        if request.POST.get("op") != "route" and form.is_valid():
            try:
                lead = leads.lead_create(by=request.member, **form.cleaned_data)
                leads.lead_route(lead=lead, by=request.member)
            except (DomainError, ValidationError) as exc:
                _apply_error(form, exc)
            else:
                messages.success(request, _("Lead added and routed."))
                return redirect("lead-list")
    q = search_term(request)
    found = search(selectors.leads(), q, ("company", "domain", "contact_name", "contact_email"))
    if wants_csv(request):
        return csv_stream(
            request,
            "leads",
            [
                "company", "domain", "country", "region", "contact_name", "contact_email",
                "amount", "currency", "status", "offered_to", "deal", "external_id", "created_at",
            ],
            found,
            lambda lead: (
                lead.company, lead.domain, lead.country, lead.region, lead.contact_name,
                lead.contact_email, lead.amount, lead.currency, lead.status,
                next((o.partner.name for o in lead.offers.all() if o.status == "open"), ""),
                f"DR-{lead.deal_id}" if lead.deal_id else "", lead.external_id,
                lead.created_at,
            ),
        )  # fmt: skip
    page = Paginator(found, 50).get_page(request.GET.get("page"))
    for lead in page.object_list:
        lead.current_offer = next((o for o in lead.offers.all() if o.status == "open"), None)
    return render(
        request,
        "dealreg/lead_list.html",
        {"form": form, "page": page, "q": q},
    )


@member_required("leads.respond")
def lead_inbox(request):
    if request.method == "POST":
        offer = get_object_or_404(
            LeadOffer, pk=request.POST.get("offer_id") or 0, partner_id=request.member.partner_id
        )
        try:
            if request.POST.get("op") == "accept":
                deal = leads.lead_accept(offer=offer, by=request.member)
                messages.success(request, _("Accepted: the lead is now your protected deal."))
                return redirect("deal-detail", pk=deal.pk)
            leads.lead_decline(
                offer=offer, by=request.member, reason=request.POST.get("reason", "")
            )
            messages.success(request, _("Declined. Thank you for the reason."))
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("lead-inbox")
    if wants_csv(request):
        # offers_for() holds only the member's own partner's offers.
        return csv_stream(
            request,
            "lead-offers",
            ["company", "country", "status", "score", "offered_at", "respond_by", "why"],
            selectors.offers_for(request.member),
            lambda o: (
                o.lead.company, o.lead.country, o.status, o.score, o.offered_at,
                o.respond_by, "; ".join(o.explanation or []),
            ),
        )  # fmt: skip
    return render(
        request,
        "dealreg/lead_inbox.html",
        {"offers": selectors.offers_for(request.member)[:100], "now": timezone.now()},
    )
