"""Portal pages of webhooks (admins): endpoints, their deliveries and the delivery log.

Each action has its own URL, POST only (integrations/urls.py). Every view loads its object
through the selectors (another tenant's is a 404), answers 403 when the member may never take
the action (integrations/states.py), then calls one service; a refusal by the state comes
back as a message on the object's page."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db.models import Case, Value, When
from django.db.models.functions import Lower
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from integrations import relay, selectors, services
from integrations.states import DELIVERY, ENDPOINT
from prm import events
from prm.confirm import confirmation_for, confirmed, success_with_undo
from prm.csv_export import csv_stream, wants_csv
from prm.decorators import member_required
from prm.errors import DomainError
from prm.portal import apply_error, require_action
from prm.sorting import Sorting

EVENT_CHOICES = [(e, e) for e in events.EVENT_TYPES]


class WebhookEndpointForm(forms.Form):
    url = forms.CharField(
        label=gettext_lazy("URL"),
        max_length=500,
        help_text=gettext_lazy("An HTTPS address that accepts POST requests."),
    )
    description = forms.CharField(label=gettext_lazy("Description"), max_length=200, required=False)
    event_types = forms.MultipleChoiceField(
        label=gettext_lazy("Events"), choices=EVENT_CHOICES, widget=forms.CheckboxSelectMultiple
    )


# The endpoint list's sortable columns (prm.sorting); newest first unless asked. Status sorts
# active, failing, disabled.
ENDPOINT_COLUMNS = {
    "url": Lower("url"),
    "status": Case(
        When(is_active=False, then=Value(2)),
        When(failing_since__isnull=False, then=Value(1)),
        default=Value(0),
    ),
    "created": "created_at",
}
ENDPOINTS_SHOWN = 200

# The delivery log's sortable columns; newest first unless asked. The page sorts its latest
# deliveries; the CSV has every delivery in the same order.
DELIVERY_COLUMNS = {
    "event": "event__event_type",
    "status": "status",
    "attempts": "attempts",
    "response": "response_code",
    "ms": "response_ms",
    "next": "next_attempt_at",
    "created": "created_at",
}
DELIVERIES_SHOWN = 100


@member_required("webhooks.manage")
def webhook_list(request):
    form = WebhookEndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint = services.webhook_endpoint_create(by=request.member, **form.cleaned_data)
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Endpoint added. Copy its signing secret below."))
            return redirect("webhook-detail", pk=endpoint.pk)
    sorting = Sorting.from_request(request, ENDPOINT_COLUMNS, default="-created")
    endpoints = sorting.apply_within(selectors.endpoints(), ENDPOINTS_SHOWN)
    return render(
        request,
        "integrations/webhook_list.html",
        {"form": form, "endpoints": endpoints, "sorting": sorting},
    )


@member_required("webhooks.manage")
def webhook_detail(request, pk: int):
    """The endpoint, its recent deliveries (CSV with ?format=csv) and, on POST, its edit."""
    endpoint = get_object_or_404(selectors.endpoints(), pk=pk)
    initial = {
        "url": endpoint.url,
        "description": endpoint.description,
        "event_types": endpoint.event_types,
    }
    sorting = Sorting.from_request(request, DELIVERY_COLUMNS, default="-created")
    if wants_csv(request):
        return csv_stream(
            request,
            f"webhook-{endpoint.pk}-deliveries",
            [
                "event_type", "event_id", "status", "attempts", "response_code",
                "response_ms", "error", "created_at", "last_attempt_at", "delivered_at",
            ],
            sorting.apply(selectors.deliveries_for(endpoint)),
            lambda d: (
                d.event.event_type, d.event.event_id, d.status, d.attempts,
                d.response_code, d.response_ms, d.error, d.created_at,
                d.last_attempt_at, d.delivered_at,
            ),
        )  # fmt: skip
    form = WebhookEndpointForm(request.POST or None, initial=initial)
    if request.method == "POST":
        require_action(ENDPOINT, endpoint, request.member, "edit")
        if form.is_valid():
            try:
                services.webhook_endpoint_update(
                    by=request.member, endpoint=endpoint, **form.cleaned_data
                )
            except DomainError as exc:
                apply_error(form, exc)
            else:
                messages.success(request, _("Endpoint saved."))
                return redirect("webhook-detail", pk=endpoint.pk)
    return render(
        request,
        "integrations/webhook_detail.html",
        {
            "endpoint": endpoint,
            "allowed": ENDPOINT.allowed(endpoint, request.member),
            "form": form,
            "deliveries": sorting.apply_within(
                selectors.deliveries_for(endpoint), DELIVERIES_SHOWN
            ),
            "sorting": sorting,
        },
    )


def _endpoint_action(name: str, run, done: str, *, confirm: str = "", undo: str = ""):
    """A view taking the ENDPOINT action `name` on one visible endpoint: POST only, or, with
    `confirm` (an irreversible action, prm/confirm.py), GET for its confirmation page and a
    POST that acts only once the confirmation's form is valid. With `undo` (the inverse
    action's name), the success message offers it while the machine allows it."""

    @member_required("webhooks.manage")
    @require_http_methods(["GET", "POST"] if confirm else ["POST"])
    def view(request, pk: int):
        endpoint = get_object_or_404(selectors.endpoints(), pk=pk)
        require_action(ENDPOINT, endpoint, request.member, name)
        reason = ""
        if confirm:
            form, page = confirmed(request, confirmation_for(confirm, endpoint))
            if page is not None:
                return page
            reason = form.cleaned_data.get("reason", "")
        try:
            endpoint = run(request.member, endpoint, reason)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            if undo and undo in ENDPOINT.allowed(endpoint, request.member):
                url = reverse(f"webhook-{undo.replace('_', '-')}", args=[endpoint.pk])
                success_with_undo(request, str(done), undo_url=url)
            else:
                messages.success(request, str(done))
        return redirect("webhook-detail", pk=endpoint.pk)

    view.__name__ = view.__qualname__ = f"webhook_{name}"
    return view


webhook_disable = _endpoint_action(
    "disable",
    lambda by, e, reason: services.webhook_endpoint_set_active(
        by=by, endpoint=e, active=False, reason=reason
    ),
    gettext_lazy("Endpoint disabled."),
    confirm="webhook-disable",
    undo="enable",
)
webhook_enable = _endpoint_action(
    "enable",
    lambda by, e, _reason: services.webhook_endpoint_set_active(by=by, endpoint=e, active=True),
    gettext_lazy("Endpoint enabled."),
)
webhook_rotate_secret = _endpoint_action(
    "rotate_secret",
    lambda by, e, _reason: services.webhook_endpoint_rotate_secret(by=by, endpoint=e),
    gettext_lazy("New secret created; update your receiver."),
    confirm="webhook-rotate-secret",
)


@member_required("webhooks.manage")
@require_safe
def webhook_delivery(request, pk: int):
    delivery = get_object_or_404(selectors.deliveries(), pk=pk)
    return render(
        request,
        "integrations/webhook_delivery.html",
        {
            "delivery": delivery,
            "allowed": DELIVERY.allowed(delivery, request.member),
            "attempts": selectors.attempts_for(delivery)[:100],
            "body": relay.body_of(delivery.event, request.tenant).decode(),
        },
    )


@member_required("webhooks.manage")
@require_POST
def webhook_redeliver(request, pk: int):
    delivery = get_object_or_404(selectors.deliveries(), pk=pk)
    require_action(DELIVERY, delivery, request.member, "redeliver")
    try:
        services.webhook_redeliver(by=request.member, delivery=delivery)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Redelivery queued."))
    return redirect("webhook-delivery", pk=pk)
