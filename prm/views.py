"""Portal views of the tenancy core. Each validates a form, calls one service, renders."""

from __future__ import annotations

import datetime
import secrets

from allauth.mfa.models import Authenticator
from django.conf import settings as dj_settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Value
from django.db.models.functions import Coalesce, Lower, NullIf
from django.http import FileResponse, Http404, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods, require_POST

from prm import home as home_sections
from prm import selectors, services
from prm.audit import log_action
from prm.celery import app
from prm.confirm import confirmation_for, confirmed, success_with_undo
from prm.core_states import MEMBERSHIP, TENANT_HOST, is_main_address
from prm.csv_export import csv_stream, wants_csv
from prm.decorators import member_required
from prm.errors import DomainError
from prm.forms import (
    ApiKeyForm,
    AuditFilterForm,
    HostForm,
    InvitationAcceptForm,
    InviteForm,
    MemberEditForm,
    ProfileForm,
    TenantSettingsForm,
)
from prm.models import HostStatus, Invitation, Member, Tenant, TenantHost, User
from prm.portal import apply_error, require_action
from prm.roles import has_perm
from prm.sorting import Sorting
from prm.tasks import HEARTBEAT_KEY
from prm.urls_util import canonical_host, tenant_url

SWITCH_SALT = "prm.tenant-switch"
SWITCH_MAX_AGE = 60


@member_required()
def home(request):
    """What needs this member now: the home sections their role may see (prm.home)."""
    return render(
        request, "prm/home.html", {"sections": home_sections.sections_for(request.member)}
    )


# --- Members ------------------------------------------------------------------------------


# The members list's sortable columns (prm.sorting).
MEMBER_LIST_COLUMNS = {
    "name": (Lower("user__full_name"), Lower("user__email")),
    "email": Lower("user__email"),
    "role": "role",
    "partner": Lower("partner__name"),
    "status": "is_active",
}


@member_required("members.view")
def members(request):
    member = request.member
    qs = selectors.members_visible_to(member)
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(user__email__icontains=q) | qs.filter(user__full_name__icontains=q)
    if wants_csv(request):
        return csv_stream(
            request,
            "members",
            ["name", "email", "role", "partner", "active", "joined"],
            qs.select_related("user", "partner"),
            lambda m: (
                m.user.full_name,
                m.user.email,
                m.role,
                m.partner.name if m.partner else "",
                "yes" if m.is_active else "no",
                m.created_at,
            ),
        )
    sorting = Sorting.from_request(request, MEMBER_LIST_COLUMNS, default="name")
    page = Paginator(sorting.apply(qs), 50).get_page(request.GET.get("page"))
    can_invite = has_perm(member.role, "members.invite")
    form = InviteForm(member=member) if can_invite else None
    if request.method == "POST":
        if not can_invite:  # a channel manager sees the members, invites nobody
            raise PermissionDenied
        form = InviteForm(request.POST, member=member)
        if form.is_valid():
            try:
                services.member_invite(tenant=request.tenant, by=member, **form.cleaned_data)
            except DomainError as exc:
                apply_error(form, exc)
            else:
                messages.success(
                    request,
                    _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]},
                )
                return redirect("members")
    return render(
        request,
        "prm/members.html",
        {
            "page": page,
            "q": q,
            "form": form,
            "invitations": selectors.invitations_visible_to(member)[:100],
            "sorting": sorting,
        },
    )


def _member_page(request, target: Member, form=None):
    member = request.member
    allowed = MEMBERSHIP.allowed(target, member)
    return render(
        request,
        "prm/member_detail.html",
        {
            "target": target,
            "form": form
            or MemberEditForm(member=member, target=target, initial={"role": target.role}),
            "allowed": allowed,
            "can_manage": MEMBERSHIP["change_role"].may(target, member),
        },
    )


def _visible_member(request, pk: int) -> Member:
    return get_object_or_404(selectors.members_visible_to(request.member), pk=pk)


@member_required("members.view")
def member_detail(request, pk: int):
    return _member_page(request, _visible_member(request, pk))


@require_POST
@member_required("members.view")
def member_change_role(request, pk: int):
    """members/<pk>/role/: 404 for a member not visible, 403 for one the member may not
    manage (themselves, another company's people)."""
    target = _visible_member(request, pk)
    require_action(MEMBERSHIP, target, request.member, "change_role")
    form = MemberEditForm(request.POST, member=request.member, target=target)
    if form.is_valid():
        try:
            services.member_change_role(
                by=request.member, member=target, role=form.cleaned_data["role"]
            )
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Role changed."))
            return redirect("member-detail", pk=pk)
    return _member_page(request, target, form)


@require_http_methods(["GET", "POST"])
@member_required("members.view")
def member_set_active(request, pk: int, action: str):
    """members/<pk>/deactivate/ (GET: its confirmation page) and members/<pk>/reactivate/
    (POST only: also the Undo of a deactivation)."""
    target = _visible_member(request, pk)
    require_action(MEMBERSHIP, target, request.member, action)
    if action == "deactivate":
        _form, page = confirmed(request, confirmation_for("member-deactivate", target))
        if page is not None:
            return page
    elif request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        target = services.member_set_active(
            by=request.member, member=target, active=action == "reactivate"
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if action == "reactivate":
            messages.success(request, _("Member reactivated."))
        elif "reactivate" in MEMBERSHIP.allowed(target, request.member):
            success_with_undo(
                request,
                _("%(name)s was deactivated.") % {"name": target.user.display_name},
                undo_url=reverse("member-reactivate", args=[target.pk]),
            )
        else:
            messages.success(request, _("Member deactivated."))
    return redirect("member-detail", pk=pk)


@require_http_methods(["GET", "POST"])
@member_required("members.invite")
def invitation_revoke(request, pk: int):
    """GET: the confirmation page; POST: revoke."""
    invitation = get_object_or_404(selectors.invitations_visible_to(request.member), pk=pk)
    _form, page = confirmed(request, confirmation_for("invitation-revoke", invitation))
    if page is not None:
        return page
    try:
        services.invitation_revoke(tenant=request.tenant, by=request.member, invitation=invitation)
        messages.success(request, _("Invitation revoked."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("members")


def invitation_accept(request, token: str):
    invitation = Invitation.objects.filter(token_hash=Invitation.hash_token(token)).first()
    if invitation is None or not invitation.is_pending:
        return render(request, "prm/invitation_invalid.html", status=404)
    user = request.user if request.user.is_authenticated else None

    has_account = User.objects.filter(email__iexact=invitation.email).exists()
    form = None
    if user is not None:
        if request.method == "POST":
            try:
                services.invitation_accept(tenant=request.tenant, invitation=invitation, user=user)
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("Welcome to %(t)s.") % {"t": request.tenant.name})
                return redirect("home")
    elif not has_account:
        form = InvitationAcceptForm(request.POST or None, email=invitation.email)
        if request.method == "POST" and form.is_valid():
            try:
                member = services.invitation_accept(
                    tenant=request.tenant,
                    invitation=invitation,
                    user=None,
                    password=form.cleaned_data["password1"],
                    full_name=form.cleaned_data["full_name"],
                )
            except DomainError as exc:
                apply_error(form, exc)
            else:
                login(
                    request,
                    member.user,
                    backend="allauth.account.auth_backends.AuthenticationBackend",
                )
                messages.success(request, _("Welcome to %(t)s.") % {"t": request.tenant.name})
                return redirect("home")
    return render(
        request,
        "prm/invitation_accept.html",
        {
            "invitation": invitation,
            "form": form,
            "has_account": has_account,
        },
    )


# --- Tenant settings ----------------------------------------------------------------------


def _settings_page(request, form=None, host_form=None):
    tenant = request.tenant
    hosts = list(TenantHost.objects.filter(tenant=tenant).order_by("host"))
    for h in hosts:
        h.allowed = TENANT_HOST.allowed(h, request.member)
        h.main = is_main_address(h)
    return render(
        request,
        "prm/tenant_settings.html",
        {
            "form": form or TenantSettingsForm(instance=Tenant.objects.get(pk=tenant.pk)),
            "host_form": host_form or HostForm(),
            "hosts": hosts,
            "canonical_host": canonical_host(tenant),
        },
    )


@member_required("tenant.manage")
def tenant_settings(request):
    """The tenant's settings and branding (saved here) and its custom domains (each action
    at its own URL)."""
    form = None
    if request.method == "POST":
        tenant = request.tenant
        form = TenantSettingsForm(
            request.POST, request.FILES, instance=Tenant.objects.get(pk=tenant.pk)
        )
        if form.is_valid():
            changes = {f: form.cleaned_data[f] for f in form.changed_data}
            try:
                services.tenant_update(tenant=tenant, by=request.member, **changes)
            except DomainError as exc:
                apply_error(form, exc)
            else:
                messages.success(request, _("Settings saved."))
                return redirect("tenant-settings")
    return _settings_page(request, form=form)


@require_POST
@member_required("tenant.manage")
def tenant_host_add(request):
    host_form = HostForm(request.POST)
    if host_form.is_valid():
        try:
            services.tenant_host_add(
                tenant=request.tenant, by=request.member, host=host_form.cleaned_data["host"]
            )
        except DomainError as exc:
            apply_error(host_form, exc)
        else:
            messages.success(request, _("Domain added."))
            return redirect("tenant-settings")
    return _settings_page(request, host_form=host_form)


@require_http_methods(["GET", "POST"])
@member_required("tenant.manage")
def tenant_host_action(request, pk: int, action: str):
    """settings/domains/<pk>/<action>/ for each TENANT_HOST action: 404 for another
    tenant's domain, 403 for a member who may not take it; a refusal is a message. Removing
    asks first (prm/confirm.py: a GET is its confirmation page); the others are POST only."""
    th = get_object_or_404(TenantHost.objects.filter(tenant=request.tenant), pk=pk)
    require_action(TENANT_HOST, th, request.member, action)
    if action == "remove":
        _form, page = confirmed(request, confirmation_for("tenant-host-remove", th))
        if page is not None:
            return page
    elif request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    tenant, by = request.tenant, request.member
    try:
        if action == "remove":
            services.tenant_host_remove(tenant=tenant, by=by, host_id=th.pk)
            messages.success(request, _("Domain removed."))
        elif action == "verify":
            th = services.tenant_host_verify(tenant=tenant, by=by, host_id=th.pk)
            if th.status == HostStatus.VERIFIED:
                messages.success(request, _("%(host)s is verified.") % {"host": th.host})
            else:
                messages.warning(request, f"{th.host}: {th.check_result}")
        else:  # make_main, stop_main
            services.tenant_host_set_canonical(
                tenant=tenant, by=by, host_id=th.pk, canonical=action == "make_main"
            )
            messages.success(request, _("Main domain saved."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("tenant-settings")


def branding_css(request):
    """Tenant colours as a stylesheet, so pages need no inline styles (strict CSP)."""
    colour = request.tenant.primary_colour if request.tenant else "#1f5fbf"
    css = f":root {{ --brand: {colour}; }}\n"
    resp = HttpResponse(css, content_type="text/css")
    resp["Cache-Control"] = "public, max-age=300"
    return resp


@cache_control(public=True, max_age=86400)
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page links; they get our SVG icon."""
    return redirect(static("img/favicon.svg"), permanent=True)


@cache_control(public=True, max_age=300)
def branding_logo(request):
    tenant = request.tenant
    if tenant is None or not tenant.logo:
        raise Http404
    try:
        f = tenant.logo.open("rb")
    except FileNotFoundError:
        raise Http404
    resp = FileResponse(
        f, content_type="image/png" if tenant.logo.name.endswith(".png") else "image/jpeg"
    )
    resp["X-Content-Type-Options"] = "nosniff"
    return resp


# --- Audit --------------------------------------------------------------------------------


# The audit trail's sortable columns (prm.sorting); newest first unless asked. The actor sorts
# by the name shown: the person's name, else their e-mail, else the label kept with the event.
AUDIT_COLUMNS = {
    "time": "created_at",
    "actor": Lower(Coalesce(NullIf("actor__full_name", Value("")), "actor__email", "actor_label")),
    "action": "action",
}


def _audit_queryset(request):
    form = AuditFilterForm(request.GET or None)
    filters = {}
    if form.is_valid():
        d = form.cleaned_data
        filters = {"action": d["action"], "actor": d["actor"], "object_type": d["object_type"]}
        if d["since"]:
            filters["since"] = datetime.datetime.combine(
                d["since"], datetime.time.min, tzinfo=datetime.UTC
            )
        if d["until"]:
            filters["until"] = datetime.datetime.combine(
                d["until"] + datetime.timedelta(days=1), datetime.time.min, tzinfo=datetime.UTC
            )
    sorting = Sorting.from_request(request, AUDIT_COLUMNS, default="-time")
    return form, sorting, sorting.apply(selectors.audit_events(**filters))


@member_required("audit.view")
def audit(request):
    form, sorting, qs = _audit_queryset(request)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "prm/audit.html",
        {"form": form, "page": page, "query": sorting.query, "sorting": sorting},
    )


@member_required("audit.view")
def audit_export(request):
    _form, _sorting, qs = _audit_queryset(request)
    header = (
        "time_utc",
        "actor",
        "action",
        "object_type",
        "object_id",
        "object",
        "before",
        "after",
        "ip",
        "user_agent",
    )

    def row(e):
        return (
            e.created_at,
            e.actor_label,
            e.action,
            e.object_type,
            e.object_id,
            e.object_label,
            e.before,
            e.after,
            e.ip,
            e.user_agent,
        )

    resp = csv_stream(request, f"audit-{request.tenant.slug}", header, qs, row)
    log_action(
        "audit.exported",
        object_type="prm.auditevent",
        after={"rows": resp.rows, "filters": request.GET.dict()},
    )
    return resp


# --- API keys -----------------------------------------------------------------------------


@member_required("api_keys.own")
def api_keys(request):
    """The member's keys (all keys for admins) and the form creating one (posted here)."""
    member = request.member
    form = ApiKeyForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        try:
            _obj, new_key = services.api_key_create(member=member, **form.cleaned_data)
        except DomainError as exc:
            apply_error(form, exc)
        else:
            form = ApiKeyForm()
    return render(
        request,
        "prm/api_keys.html",
        {
            "form": form,
            "new_key": new_key,
            "keys": selectors.api_keys_visible_to(member)[:200],
        },
    )


@require_http_methods(["GET", "POST"])
@member_required("api_keys.own")
def api_key_revoke(request, pk: int):
    """GET: the confirmation page (a revoked key: back to the list); POST: revoke."""
    key = get_object_or_404(selectors.api_keys_visible_to(request.member), pk=pk)
    if key.revoked_at:
        messages.info(request, _("This key is already revoked."))
        return redirect("api-keys")
    _form, page = confirmed(request, confirmation_for("api-key-revoke-portal", key))
    if page is not None:
        return page
    services.api_key_revoke(by=request.member, api_key=key)
    messages.success(request, _("Key revoked."))
    return redirect("api-keys")


# --- Profile and tenant switching ---------------------------------------------------------


def profile(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    user = request.user
    form = ProfileForm(
        request.POST or None, initial={"full_name": user.full_name, "language": user.language}
    )
    if request.method == "POST" and form.is_valid():
        services.profile_update(user=user, **form.cleaned_data)
        messages.success(request, _("Profile saved."))
        resp = redirect("profile")

        if user.language:
            resp.set_cookie(
                dj_settings.LANGUAGE_COOKIE_NAME,
                user.language,
                samesite="Lax",
                secure=request.is_secure(),
            )
        else:
            resp.delete_cookie(dj_settings.LANGUAGE_COOKIE_NAME)
        return resp

    has_totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    return render(request, "prm/profile.html", {"form": form, "has_totp": has_totp})


def switch_tenant(request, slug: str):
    """Hand the signed-in person over to another tenant they belong to.

    Sessions are per host, so we pass a signed, single-use, 60-second token to the target
    host, which signs the person in there."""
    if not request.user.is_authenticated:
        raise Http404
    targets = {t.slug: t for t, _m in selectors.memberships_for_user(request.user)}
    target = targets.get(slug)
    if target is None:
        raise Http404
    token = signing.dumps(
        {"u": request.user.pk, "t": target.pk, "n": secrets.token_urlsafe(12)}, salt=SWITCH_SALT
    )
    return redirect(tenant_url(target, f"/switch/enter/?token={token}"))


def _switch_member(request, token: str) -> Member | None:
    """The active member of this tenant a valid, unexpired hand-over token names, or None.
    (Whether the token was used already is checked only when it is spent.)"""
    try:
        data = signing.loads(token, salt=SWITCH_SALT, max_age=SWITCH_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("t") != request.tenant.pk:
        return None
    return (
        Member.objects.select_related("user")
        .filter(user_id=data.get("u"), is_active=True, user__is_active=True)
        .first()
    )


@require_http_methods(["GET", "POST"])
@cache_control(no_store=True, private=True)
def switch_enter(request):
    """The destination host of a hand-over. A GET only shows whose account the link signs in
    (and a button); signing in takes a POST with this host's CSRF token. A link alone can
    therefore never sign a browser into someone else's account (login CSRF): the person must
    confirm, on this host, in a page that cannot be framed."""
    token = (request.POST if request.method == "POST" else request.GET).get("token", "")
    member = _switch_member(request, token)
    if member is None:
        return render(request, "prm/switch_invalid.html", status=400)
    if request.method == "GET":
        return render(
            request,
            "prm/switch_enter.html",
            {"token": token, "person": member.user, "current": request.user},
        )
    nonce = signing.loads(token, salt=SWITCH_SALT, max_age=SWITCH_MAX_AGE)["n"]
    if not cache.add(f"switch:{nonce}", 1, 300):
        return render(request, "prm/switch_invalid.html", status=400)
    login(request, member.user, backend="allauth.account.auth_backends.AuthenticationBackend")
    return redirect("home")


# --- Public pages and health --------------------------------------------------------------


def landing(request):
    """The bare base domain: reveals no tenant; a signed-in person sees only their own."""
    memberships = []
    if request.user.is_authenticated:
        memberships = selectors.memberships_for_user(request.user)
    return render(request, "prm/landing.html", {"memberships": memberships})


def healthz(request):
    """Database, Redis and a live Celery worker (the worker heartbeat is under 2 minutes old)."""
    checks = {}
    try:
        with connection.cursor() as cur:
            cur.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - health reports, never raises
        checks["database"] = f"error: {exc.__class__.__name__}"
    try:
        cache.set("prm:healthz", "1", 10)
        checks["redis"] = "ok" if cache.get("prm:healthz") == "1" else "error"
    except Exception as exc:  # noqa: BLE001
        checks["redis"] = f"error: {exc.__class__.__name__}"
    beat = None
    try:
        beat = cache.get(HEARTBEAT_KEY)
    except Exception:  # noqa: BLE001, S110
        pass
    if beat and timezone.now() - datetime.datetime.fromisoformat(beat) < datetime.timedelta(
        minutes=2
    ):
        checks["worker"] = "ok"
    else:
        checks["worker"] = _ping_worker()
    healthy = all(v == "ok" for v in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "degraded", "checks": checks},
        status=200 if healthy else 503,
    )


def _ping_worker() -> str:
    try:
        replies = app.control.ping(timeout=1.0)
    except Exception as exc:  # noqa: BLE001
        return f"error: {exc.__class__.__name__}"
    return "ok" if replies else "error: no worker answered"
