"""Personal data: a member's export of everything held about them, and erasure of a person.

Export: `export_request()` queues `build_personal_export` (a TenantTask), which collects the
data (`personal_data()`), keeps the JSON in Redis for EXPORT_HOURS under a random token and
e-mails the member a link. Only the same signed-in person can download it, and only until it
expires; nothing is written to the database or the media directory.

Erasure: `person_erase()` removes or pseudonymises a person's personal fields in this tenant
(membership, API keys, invitations, the audit trail's actor label, IP and user agent) and,
when they belong to no other tenant, in their account. Business records (deals, requests,
claims, the ledger) keep their foreign keys to the member row, which stays, inactive and
nameless, so every total and history still adds up.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from prm.audit import log_action, mask
from prm.errors import DomainError, PermissionDenied
from prm.models import ApiKey, AuditEvent, Invitation, Member, User
from prm.notifications import send_mandatory
from prm.roles import has_perm
from prm.tasks import dispatch
from prm.urls_util import tenant_url
from tenantdata.services import SECRET_MODELS, is_secret
from tenantdata.states import PERSONAL_EXPORT_MACHINE, PersonalExportState

EXPORT_HOURS = 24
CACHE_PREFIX = "prm:privacy-export:"


# --- Export ---------------------------------------------------------------------------------


def _rows(model, **filters) -> list[dict[str, Any]]:
    # Credentials are left out, even masked: the one declaration of the tenant export.
    fields = [f.attname for f in model._meta.concrete_fields if not is_secret(model, f)]
    manager = getattr(model.objects, "with_scopes_disabled", None)
    qs = manager() if manager else model.objects.all()
    return [mask(row) for row in qs.filter(**filters).values(*fields)]


def personal_data(*, member: Member) -> dict[str, Any]:
    """Everything this tenant holds that refers to `member`'s person: their account, their
    membership, their audit trail, and every row of every model that points at them (one
    query per such foreign key, independent of the number of rows). Must run inside the
    member's tenant: RLS limits each query to it."""
    user = member.user
    out: dict[str, Any] = {
        "generated_at": timezone.now().isoformat(),
        "tenant": member.tenant.name,
        "account": _rows(User, pk=user.pk)[0],
        "memberships": _rows(Member, user_id=user.pk),
        "audit_trail": _rows(AuditEvent, actor_id=user.pk, tenant_id=member.tenant_id),
        "invitations_to_you": _rows(Invitation, email__iexact=user.email),
        "api_keys": _rows(ApiKey, member_id=member.pk),
        "records": {},
    }
    covered = {(Member, "user"), (AuditEvent, "actor"), (ApiKey, "member")}
    member_ids = [member.pk]
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed or model is User:
            continue
        for field in meta.concrete_fields:
            target = getattr(field, "related_model", None)
            if target not in (User, Member) or (model, field.name) in covered:
                continue
            if meta.label_lower in SECRET_MODELS:
                continue
            lookup = {f"{field.attname}__in": member_ids if target is Member else [user.pk]}
            rows = _rows(model, **lookup)
            if rows:
                out["records"].setdefault(meta.label_lower, {})[field.name] = rows
    return out


@transaction.atomic
def export_request(*, member: Member) -> None:
    """Queue the export; the member gets an e-mail with the download link."""
    token = secrets.token_urlsafe(32)
    log_action("privacy.export_requested", obj=member, object_label=member.user.email)
    _status_set(member, token=token, state=PersonalExportState.PREPARING)
    dispatch(build_personal_export_task(), tenant=member.tenant, member_id=member.pk, token=token)


def export_build(*, member_id: int, token: str) -> None:
    """Called by the task inside the member's tenant: build, store, e-mail."""
    member = Member.objects.select_related("user", "tenant").get(pk=member_id)
    payload = json.dumps(personal_data(member=member), indent=2, default=str)
    cache.set(
        CACHE_PREFIX + token,
        {"user_id": member.user_id, "tenant_id": member.tenant_id, "json": payload},
        timeout=EXPORT_HOURS * 3600,
    )
    entry = PersonalExport.of(member)
    if entry is not None and entry.token == token:
        PERSONAL_EXPORT_MACHINE.check(entry, None, "build")
    _status_set(member, token=token, state=PERSONAL_EXPORT_MACHINE["build"].target)
    # MANDATORY mail (personal-data export link): bypasses notification preferences.
    send_mandatory(
        tenant=member.tenant,
        to=[member.user.email],
        subject=gettext_lazy("Your personal data export is ready"),
        template="privacy/emails/export_ready.txt",
        context={
            "member": member,
            "url": tenant_url(member.tenant, f"/privacy/export/{token}/"),
            "hours": EXPORT_HOURS,
        },
    )


def _status_key(member: Member) -> str:
    return f"{CACHE_PREFIX}latest:{member.tenant_id}:{member.user_id}"


def _status_set(member: Member, *, token: str, state: str) -> None:
    cache.set(
        _status_key(member),
        {"token": token, "state": state, "at": timezone.now().isoformat()},
        timeout=EXPORT_HOURS * 3600,
    )


@dataclass(frozen=True)
class PersonalExport:
    """The member's latest export (kept in the cache), moved by PERSONAL_EXPORT_MACHINE."""

    token: str
    state: str
    at: str
    user_id: int
    tenant_id: int

    @classmethod
    def of(cls, member: Member) -> PersonalExport | None:
        entry = cache.get(_status_key(member))
        if not entry:
            return None
        return cls(
            token=entry["token"],
            state=entry["state"],
            at=entry["at"],
            user_id=member.user_id,
            tenant_id=member.tenant_id,
        )

    def is_for(self, member) -> bool:
        return (self.user_id, self.tenant_id) == (member.user_id, member.tenant_id)

    @property
    def in_progress(self) -> bool:
        """Not downloadable yet: the job is still preparing it."""
        return self.state not in PERSONAL_EXPORT_MACHINE["download"].sources

    @property
    def path(self) -> str:
        return f"/privacy/export/{self.token}/"


def export_status(*, member: Member) -> PersonalExport | None:
    """The member's latest export as the privacy page shows it: in progress while the job
    runs, then downloadable; None when there is none (or it has expired)."""
    entry = PersonalExport.of(member)
    if entry is None:
        return None
    if "download" in PERSONAL_EXPORT_MACHINE.allowed(entry, member):
        if export_fetch(token=entry.token, member=member) is None:
            return None
    return entry


def export_fetch(*, token: str, member: Member) -> str | None:
    """The export's JSON, for the person it was made for, before it expires; else None."""
    entry = cache.get(CACHE_PREFIX + token) if token else None
    if not entry or entry["user_id"] != member.user_id or entry["tenant_id"] != member.tenant_id:
        return None
    return entry["json"]


def build_personal_export_task():
    from tenantdata.tasks import build_personal_export  # the tasks module imports this one

    return build_personal_export


# --- Erasure --------------------------------------------------------------------------------


def pseudonym_for(user: User) -> str:
    return f"erased-{user.pk}@erased.invalid"


@transaction.atomic
def person_erase(*, by: Member, member: Member) -> dict[str, int]:
    """Erase `member`'s person from this tenant. Tenant admins only, never themselves.

    Returns counts of what changed (for the confirmation message)."""
    if not has_perm(by.role, "privacy.erase"):
        raise PermissionDenied()
    if member.user_id == by.user_id:
        raise DomainError(_("You cannot erase yourself; ask another tenant admin."))
    member = Member.objects.select_for_update().select_related("user").get(pk=member.pk)
    user = member.user
    email, label = user.email, pseudonym_for(user)

    Member.objects.filter(pk=member.pk).update(title="", is_active=False)
    keys, _detail = ApiKey.objects.filter(member=member).delete()
    invitations = Invitation.objects.filter(email__iexact=email).update(email=label)
    with connection.cursor() as cur:
        cur.execute("SELECT prm_audit_pseudonymise(%s, %s, %s)", [user.pk, email, label])
        audit_rows = cur.fetchone()[0]
        cur.execute("SELECT prm_user_other_tenant_count(%s)", [user.pk])
        other_tenants = cur.fetchone()[0]
    account = 0
    if other_tenants == 0:
        user.email, user.full_name, user.is_active = label, "", False
        user.set_unusable_password()
        user.save(update_fields=["email", "full_name", "is_active", "password"])
        _erase_allauth(user)
        account = 1
    log_action(
        "privacy.person_erased",
        object_type="prm.member",
        object_id=member.pk,
        object_label=label,
        after={"audit_rows": audit_rows, "api_keys": keys, "account_pseudonymised": bool(account)},
    )
    return {"audit_rows": audit_rows, "api_keys": keys, "invitations": invitations}


@transaction.atomic
def person_erase_confirmed(*, by: Member, member: Member, confirm: str) -> dict[str, int]:
    """`person_erase()` after the admin typed the person's e-mail address: erasure cannot be
    undone, so the portal and the API both insist on this exact confirmation."""
    if not has_perm(by.role, "privacy.erase"):
        raise PermissionDenied()
    if (confirm or "").strip().lower() != member.user.email.lower():
        raise DomainError(
            _("Type the person's e-mail address exactly to confirm."), field="confirm"
        )
    return person_erase(by=by, member=member)


def _erase_allauth(user: User) -> None:
    """E-mail addresses, MFA devices and social logins of the account (global tables)."""
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
