"""Portal pages of the integrations area: webhook endpoints and their deliveries (admins),
notifications and notification preferences (every member)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from prm import events, notifications, webhooks
from prm.csv_export import csv_stream, wants_csv
from prm.decorators import member_required
from prm.errors import DomainError

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


class PreferencesForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for group, label in events.GROUPS.items():
            self.fields[group] = forms.ChoiceField(
                label=label, choices=notifications.modes_for(group), widget=forms.RadioSelect
            )


def _form_error(form, exc: DomainError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


# --- Webhooks -----------------------------------------------------------------------------


@member_required("webhooks.manage")
def webhook_list(request):
    form = WebhookEndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint = webhooks.webhook_endpoint_create(by=request.member, **form.cleaned_data)
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Endpoint added. Copy its signing secret below."))
            return redirect("webhook-detail", pk=endpoint.pk)
    return render(
        request,
        "integrations/webhook_list.html",
        {"form": form, "endpoints": webhooks.endpoints()[:200]},
    )


@member_required("webhooks.manage")
def webhook_detail(request, pk: int):
    endpoint = get_object_or_404(webhooks.endpoints(), pk=pk)
    initial = {
        "url": endpoint.url,
        "description": endpoint.description,
        "event_types": endpoint.event_types,
    }
    if wants_csv(request):
        return csv_stream(
            request,
            f"webhook-{endpoint.pk}-deliveries",
            [
                "event_type", "event_id", "status", "attempts", "response_code",
                "response_ms", "error", "created_at", "last_attempt_at", "delivered_at",
            ],
            webhooks.deliveries_for(endpoint),
            lambda d: (
                d.event.event_type, d.event.event_id, d.status, d.attempts,
                d.response_code, d.response_ms, d.error, d.created_at,
                d.last_attempt_at, d.delivered_at,
            ),
        )  # fmt: skip
    form = WebhookEndpointForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            webhooks.webhook_endpoint_update(
                by=request.member, endpoint=endpoint, **form.cleaned_data
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Endpoint saved."))
            return redirect("webhook-detail", pk=endpoint.pk)
    return render(
        request,
        "integrations/webhook_detail.html",
        {
            "endpoint": endpoint,
            "form": form,
            "deliveries": webhooks.deliveries_for(endpoint)[:100],
        },
    )


@member_required("webhooks.manage")
def webhook_action(request, pk: int):
    """POST op=disable|enable|rotate."""
    endpoint = get_object_or_404(webhooks.endpoints(), pk=pk)
    if request.method != "POST":
        return redirect("webhook-detail", pk=pk)
    op = request.POST.get("op")
    if op in ("disable", "enable"):
        webhooks.webhook_endpoint_set_active(
            by=request.member, endpoint=endpoint, active=op == "enable"
        )
        messages.success(
            request, _("Endpoint enabled.") if op == "enable" else _("Endpoint disabled.")
        )
    elif op == "rotate":
        webhooks.webhook_endpoint_rotate_secret(by=request.member, endpoint=endpoint)
        messages.success(request, _("New secret created; update your receiver."))
    else:
        messages.error(request, _("Unknown action."))
    return redirect("webhook-detail", pk=pk)


@member_required("webhooks.manage")
def webhook_delivery(request, pk: int):
    from prm.models import WebhookDelivery

    delivery = get_object_or_404(WebhookDelivery.objects.select_related("endpoint", "event"), pk=pk)
    if request.method == "POST":
        webhooks.webhook_redeliver(by=request.member, delivery=delivery)
        messages.success(request, _("Redelivery queued."))
        return redirect("webhook-delivery", pk=pk)
    return render(
        request,
        "integrations/webhook_delivery.html",
        {
            "delivery": delivery,
            "attempts": webhooks.attempts_for(delivery)[:100],
            "body": webhooks.body_of(delivery.event, request.tenant).decode(),
        },
    )


# --- Notifications ------------------------------------------------------------------------


@member_required("notifications.use")
def notification_list(request):
    if request.method == "POST":
        n = notifications.notifications_mark_read(member=request.member)
        messages.success(request, _("%(n)s marked as read.") % {"n": n})
        return redirect("notification-list")
    if wants_csv(request):
        return csv_stream(
            request,
            "notifications",
            ["created_at", "group", "event_type", "title", "url", "mode", "read_at"],
            notifications.notifications_for(request.member),
            lambda n: (n.created_at, n.group, n.event_type, n.title, n.url, n.mode, n.read_at),
        )
    return render(
        request,
        "integrations/notification_list.html",
        {"notifications": notifications.notifications_for(request.member)[:100]},
    )


@csrf_exempt  # the signed token is the credential; mail clients POST it (RFC 8058 one-click)
@require_http_methods(["GET", "POST"])
def notification_unsubscribe(request, token: str):
    """Public, no sign-in: GET asks for confirmation, POST turns the token's group off for
    the token's member (audited). Tampered tokens and other tenants' tokens: 404."""
    found = notifications.unsubscribe_read(token, tenant=request.tenant)
    if found is None:
        raise Http404
    member, group = found
    done = False
    if request.method == "POST":
        notifications.notification_unsubscribe(member=member, group=group)
        done = True
    resp = render(
        request,
        "integrations/unsubscribe.html",
        {
            "target": member,
            "group_label": events.GROUPS[group],
            "is_digest": group == notifications.DIGEST_GROUP,
            "done": done,
        },
    )
    resp["X-Robots-Tag"] = "noindex"
    return resp


@member_required("notifications.use")
def notification_preferences(request):
    current = notifications.preferences_for(request.member)
    form = PreferencesForm(request.POST or None, initial=current)
    if request.method == "POST" and form.is_valid():
        try:
            notifications.notification_preferences_set(
                member=request.member, modes=form.cleaned_data
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Preferences saved."))
            return redirect("notification-preferences")
    return render(request, "integrations/notification_preferences.html", {"form": form})
