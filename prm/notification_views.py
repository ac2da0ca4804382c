"""Portal pages of notifications: the member's notifications, their preferences, and the
public one-click unsubscribe link. Notifications are the core's (prm.notifications); the
relay that makes them from outbox events is the integrations app's."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from prm import events, notifications
from prm.csv_export import csv_stream, wants_csv
from prm.decorators import member_required
from prm.errors import DomainError
from prm.portal import apply_error


class PreferencesForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for group, label in events.GROUPS.items():
            self.fields[group] = forms.ChoiceField(
                label=label, choices=notifications.modes_for(group), widget=forms.RadioSelect
            )


@member_required("notifications.use")
@require_http_methods(["GET", "HEAD"])
def notification_list(request):
    if wants_csv(request):
        return csv_stream(
            request,
            "notifications",
            ["created_at", "group", "event_type", "title", "url", "mode", "read_at"],
            notifications.notifications_for(request.member),
            lambda n: (n.created_at, n.group, n.event_type, n.title, n.url, n.mode, n.read_at),
        )
    shown = list(notifications.notifications_for(request.member)[:100])
    return render(
        request,
        "notifications/notification_list.html",
        {
            "notifications": shown,
            "days": notifications.by_day(shown),
            "unread": notifications.unread_count(request.member),
        },
    )


@member_required("notifications.use")
@require_http_methods(["POST"])
def notification_mark_all_read(request):
    n = notifications.notifications_mark_read(member=request.member)
    messages.success(request, _("%(n)s marked as read.") % {"n": n})
    return redirect("notification-list")


@member_required("notifications.use")
@require_http_methods(["GET", "HEAD"])
def notification_open(request, pk: int):
    """Follow a notification's link: it is marked read, and the member lands on its object
    when they may still see it (another member's notification: 404)."""
    note = notifications.notifications_for(request.member).filter(pk=pk).first()
    if note is None:
        raise Http404
    target = notifications.notification_open(member=request.member, note=note)
    if not target and note.url:
        messages.info(request, _("What this notification was about is no longer available."))
    return redirect(target or "notification-list")


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
        "notifications/unsubscribe.html",
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
            apply_error(form, exc)
        else:
            messages.success(request, _("Preferences saved."))
            return redirect("notification-preferences")
    return render(request, "notifications/notification_preferences.html", {"form": form})
