"""Portal views for the actions on one deal: one URL each, POST only (dealreg/urls.py).

Every view loads the deal through the member's visible deals (another partner's deal, or
another tenant's, is a 404), answers 403 when the member may never take the action on it
(dealreg/states.py: role and ownership), then calls its one service; a refusal by the state
(say, approving a deal already decided) comes back as a message on the deal page."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from dealreg import selectors, services
from dealreg.forms import CloseForm, InfluencerForm, InfluencerSettingsForm
from dealreg.models import DealInfluencer, ExtensionRequest
from dealreg.queue_nav import queue_nav
from dealreg.states import DEAL, EXTENSION, INFLUENCER
from prm.confirm import confirmation_for, confirmation_page
from prm.decorators import member_required
from prm.errors import DomainError
from prm.portal import apply_error, require_action


def deal_action(machine_action: str | None, *, confirm: str | None = None, target=None):
    """A view acting on one visible deal. With `machine_action`, 403 unless the member may
    take that DEAL action; the view itself returns a message (or raises a DomainError, shown
    as an error) and the answer is the deal page.

    With `confirm` (an irreversible action, prm/confirm.py), a GET is the confirmation page
    and a POST whose reason is missing or too long is that page again with the error: nothing
    is done. `target(request, deal, **kwargs)` returns the object confirmed (default: the deal; 403
    when the member may not take the action on it)."""

    def decorator(view):
        # Not functools.wraps: the wrapper (its methods) is what inspection should find.
        @member_required("deals.view")
        @require_http_methods(["GET", "POST"] if confirm else ["POST"])
        def wrapper(request, pk: int, **kwargs):
            deal = get_object_or_404(selectors.deals_visible_to(request.member), pk=pk)
            if machine_action:
                require_action(DEAL, deal, request.member, machine_action)
            form = c = None
            try:
                if confirm:
                    obj = target(request, deal, **kwargs) if target else deal
                    c = confirmation_for(confirm, obj)
                    if request.method != "POST" and machine_action:
                        # already decided: say so on the deal page rather than offer it
                        DEAL.check(deal, request.member, machine_action)
                    form = c.form(request.POST if request.method == "POST" else None)
                    if not form.is_bound or not form.is_valid():
                        return confirmation_page(request, c, form)
                done = view(request, deal, **kwargs)
            except DomainError as exc:
                if form is not None and exc.field and exc.field in form.fields:
                    apply_error(form, exc)
                    return confirmation_page(request, c, form)
                messages.error(request, exc.message)
            else:
                if done:
                    messages.success(request, done)
                if done and machine_action in _DECISIONS:
                    return _after_decision(request, deal)
            queue = queue_nav(request)
            if queue:  # stay in the queue's context on the deal page
                return redirect(queue.deal_url(deal.pk))
            return redirect("deal-detail", pk=deal.pk)

        wrapper.__name__, wrapper.__qualname__ = view.__name__, view.__qualname__
        wrapper.__doc__ = view.__doc__
        return wrapper

    return decorator


_DECISIONS = {"approve", "reject"}


def _after_decision(request, deal):
    """Decided from the review queue: on to the queue's next deal, or back to the queue once
    it is empty. Otherwise the deal page."""
    queue = queue_nav(request)
    if queue is None:
        return redirect("deal-detail", pk=deal.pk)
    next_pk = queue.next_deal(after_pk=deal.pk)
    if next_pk is None:
        messages.info(request, _("No more registrations wait in the review queue."))
        return redirect(queue.back_url)
    return redirect(queue.deal_url(next_pk))


def _reason(request) -> str:
    return request.POST.get("reason", "").strip()


@deal_action("submit")
def deal_submit(request, deal):
    services.deal_submit(deal=deal, by=request.member)
    return _("Submitted.")


@deal_action("withdraw", confirm="deal-withdraw")
def deal_withdraw(request, deal):
    services.deal_withdraw(deal=deal, by=request.member, reason=_reason(request))
    return _("Withdrawn.")


@deal_action("approve")
def deal_approve(request, deal):
    services.deal_approve(deal=deal, by=request.member, reason=_reason(request))
    return _("%(number)s approved.") % {"number": deal.number}


@deal_action("reject", confirm="deal-reject")
def deal_reject(request, deal):
    services.deal_reject(deal=deal, by=request.member, reason=_reason(request))
    return _("%(number)s rejected.") % {"number": deal.number}


@deal_action("recheck")
def deal_recheck(request, deal):
    found = services.deal_recheck(deal=deal, by=request.member)
    return _("%(n)s matches found.") % {"n": len(found)}


@deal_action("win")  # closing won or lost: the same people ("win" and "lose" share `who`)
def deal_close(request, deal):
    form = CloseForm(request.POST)
    if not form.is_valid():
        raise DomainError(_("Check the close details."))
    d = form.cleaned_data
    services.deal_close(
        deal=deal,
        by=request.member,
        won=d["outcome"] == "won",
        amount=d["amount"],
        closed_at=d["closed_at"],
        reason=d["reason"],
    )
    return _("Deal closed.")


@deal_action("extend")
def deal_extend(request, deal):
    services.extension_request(deal=deal, by=request.member, reason=_reason(request))
    return _("Extension requested.")


def _extension_decision(request, deal, ext: int, *, approve: bool):
    req = _extension(deal, ext)
    require_action(EXTENSION, req, request.member, "approve" if approve else "reject")
    services.extension_decide(request=req, by=request.member, approve=approve)
    return _("Extension decided.")


@deal_action(None)
def extension_approve(request, deal, ext: int):
    return _extension_decision(request, deal, ext, approve=True)


def _extension(deal, ext: int) -> ExtensionRequest:
    return get_object_or_404(ExtensionRequest, deal=deal, pk=ext)


def _influencer(deal, influencer: int) -> DealInfluencer:
    return get_object_or_404(DealInfluencer, deal=deal, pk=influencer)


def _extension_to_reject(request, deal, ext: int) -> ExtensionRequest:
    req = _extension(deal, ext)
    require_action(EXTENSION, req, request.member, "reject")
    return req


def _influencer_to_reject(request, deal, influencer: int) -> DealInfluencer:
    inf = _influencer(deal, influencer)
    require_action(INFLUENCER, inf, request.member, "reject")
    return inf


@deal_action(None, confirm="deal-extension-reject", target=_extension_to_reject)
def extension_reject(request, deal, ext: int):
    return _extension_decision(request, deal, ext, approve=False)


@deal_action("add_influencer")
def influencer_add(request, deal):
    form = InfluencerForm(request.POST)
    if not form.is_valid():
        raise DomainError(_("Choose a partner."), field="partner")
    services.influencer_add(deal=deal, by=request.member, partner=form.cleaned_data["partner"])
    return _("Influencer added.")


def _influencer_decision(request, deal, influencer: int, *, approve: bool):
    inf = _influencer(deal, influencer)
    require_action(INFLUENCER, inf, request.member, "approve" if approve else "reject")
    services.influencer_decide(influencer=inf, by=request.member, approve=approve)
    return _("Influencer approved.") if approve else _("Influencer rejected.")


@deal_action(None)
def influencer_approve(request, deal, influencer: int):
    return _influencer_decision(request, deal, influencer, approve=True)


@deal_action(None, confirm="deal-influencer-reject", target=_influencer_to_reject)
def influencer_reject(request, deal, influencer: int):
    return _influencer_decision(request, deal, influencer, approve=False)


@deal_action(None)
def influencer_edit(request, deal, influencer: int):
    """Staff set an influencer's weight and role (403 for anyone else)."""
    inf = get_object_or_404(DealInfluencer, deal=deal, pk=influencer)
    require_action(INFLUENCER, inf, request.member, "edit")
    form = InfluencerSettingsForm(request.POST)
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        raise DomainError(f"{form.fields[field].label}: {errors[0]}", field=field)
    services.influencer_set(influencer=inf, by=request.member, **form.cleaned_data)
    return _("Influencer updated.")
