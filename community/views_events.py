"""Portal pages of community events: the list, an event's page (register, cancel, and for
staff the registrations with attendance), and one URL per action (community.states.EVENT)."""

from __future__ import annotations

import zoneinfo

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from community import selectors
from community.forms import AttendanceImportForm, EventForm
from community.models import RegistrationStatus
from community.services import events as event_services
from community.states import EVENT
from community.views import run
from prm import errors
from prm.confirm import confirmation_for, confirmation_page
from prm.decorators import member_required
from prm.portal import apply_error, page, require_action
from prm.roles import has_perm

MAX_IMPORT_BYTES = 2 * 1024 * 1024


def _event(request, pk: int):
    e = selectors.event_detail(request.member, pk)
    if e is None:
        raise Http404
    return e


@require_safe
@member_required("community.view")
def event_list(request):
    member = request.member
    past = request.GET.get("past") == "1"
    now = timezone.now()
    qs = selectors.events_visible_to(member)
    qs = (
        qs.filter(ends_at__lt=now).order_by("-starts_at")
        if past
        else qs.filter(ends_at__gte=now).order_by("starts_at")
    )
    return render(
        request,
        "community/event_list.html",
        {
            "page": page(request, qs),
            "past": past,
            "can_create": has_perm(member.role, "community.events_manage"),
        },
    )


def _event_input(form) -> dict:
    data = dict(form.cleaned_data)
    return data


@require_http_methods(["GET", "POST"])
@member_required("community.events_manage")
def event_new(request):
    form = EventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            e = event_services.event_create(by=request.member, **_event_input(form))
        except errors.DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Event drafted. Publish it to open registration."))
            return redirect(e.get_absolute_url())
    return render(request, "community/event_form.html", {"form": form, "e": None})


def _event_page(request, e, *, import_form=None):
    member = request.member
    staff = selectors.is_staff(member)
    regs = list(selectors.registrations(e)) if staff else []
    return render(
        request,
        "community/event_detail.html",
        {
            "e": e,
            "allowed": EVENT.allowed(e, member),
            "mine": selectors.registration_of(member, e),
            "taken": selectors.taken_seats(e),
            "staff": staff,
            "registrations": regs,
            "import_form": import_form or (AttendanceImportForm() if staff else None),
            "started": e.starts_at <= timezone.now(),
            "over": e.ends_at <= timezone.now(),
            "R": {s.name: s.value for s in RegistrationStatus},
        },
    )


@require_safe
@member_required("community.view")
def event_detail(request, pk: int):
    return _event_page(request, _event(request, pk))


@require_http_methods(["GET", "POST"])
@member_required("community.events_manage")
def event_edit(request, pk: int):
    e = _event(request, pk)
    require_action(EVENT, e, request.member, "edit")
    initial = {
        f: getattr(e, f)
        for f in ("title", "kind", "description", "location", "join_url", "capacity",
                  "partner_types", "tier_ids", "languages")
    }  # fmt: skip
    tz = zoneinfo.ZoneInfo(e.timezone)
    initial.update(
        timezone_name=e.timezone,
        starts_at=e.starts_at.astimezone(tz).replace(tzinfo=None),
        ends_at=e.ends_at.astimezone(tz).replace(tzinfo=None),
    )
    form = EventForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        resp = run(
            request,
            event_services.event_update,
            event=e,
            back=e.get_absolute_url(),
            done=_("Event saved."),
            form=form,
            **_event_input(form),
        )
        if resp:
            return resp
    return render(request, "community/event_form.html", {"form": form, "e": e})


@require_POST
@member_required("community.events_manage")
def event_publish(request, pk: int):
    e = _event(request, pk)
    require_action(EVENT, e, request.member, "publish")
    return run(
        request, event_services.event_publish, event=e, back=e.get_absolute_url(),
        done=_("Event published: partners can register."),
    )  # fmt: skip


@require_http_methods(["GET", "POST"])
@member_required("community.events_manage")
def event_cancel(request, pk: int):
    e = _event(request, pk)
    require_action(EVENT, e, request.member, "cancel")
    c = confirmation_for("event-cancel", e)
    if request.method != "POST":
        return confirmation_page(request, c)
    form = c.form(request.POST)
    if not form.is_valid():
        return confirmation_page(request, c, form)
    return run(
        request, event_services.event_cancel, event=e, back=e.get_absolute_url(),
        done=_("Event cancelled."),
    )  # fmt: skip


@require_POST
@member_required("community.register")
def event_register(request, pk: int):
    e = _event(request, pk)
    require_action(EVENT, e, request.member, "register")
    try:
        reg = event_services.event_register(event=e, by=request.member)
    except errors.DomainError as exc:
        messages.error(request, exc.message)
    else:
        if reg.status == RegistrationStatus.WAITLISTED:
            messages.success(request, _("The event is full: you are on the waitlist."))
        else:
            messages.success(request, _("You are registered."))
    return redirect(e.get_absolute_url())


@require_POST
@member_required("community.register")
def event_unregister(request, pk: int):
    e = _event(request, pk)
    return run(
        request, event_services.event_unregister, event=e, back=e.get_absolute_url(),
        done=_("Your registration is cancelled."),
    )  # fmt: skip


@require_POST
@member_required("community.events_manage")
def event_attendance(request, pk: int):
    e = _event(request, pk)
    require_action(EVENT, e, request.member, "attendance")
    ids = [int(v) for v in request.POST.getlist("attended") if v.isdigit()]
    everyone = [int(v) for v in request.POST.getlist("registered") if v.isdigit()]
    try:
        event_services.attendance_set(event=e, by=request.member, member_ids=ids, attended=True)
        event_services.attendance_set(
            event=e,
            by=request.member,
            member_ids=[pk for pk in everyone if pk not in ids],
            attended=False,
        )
    except errors.DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Attendance saved."))
    return redirect(e.get_absolute_url())


@require_POST
@member_required("community.events_manage")
def event_attendance_import(request, pk: int):
    e = _event(request, pk)
    require_action(EVENT, e, request.member, "attendance")
    form = AttendanceImportForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            form.add_error("file", _("The file is larger than 2 MB."))
        else:
            try:
                result = event_services.attendance_import(
                    event=e, by=request.member, data=upload.read()
                )
            except errors.DomainError as exc:
                apply_error(form, exc)
            else:
                messages.success(
                    request,
                    _("%(marked)s marked as attended; %(unknown)s addresses not registered.")
                    % {"marked": result["marked"], "unknown": len(result["unknown"])},
                )
                return redirect(e.get_absolute_url())
    return _event_page(request, e, import_form=form)
