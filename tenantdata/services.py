"""Whole-tenant data: export everything as a ZIP, and delete the tenant after a cooling-off
period.

Tenant tables are discovered from the model registry (every concrete model with a `tenant`
foreign key), so a model added later is exported and deleted without changes here.

Export: `export_request()` creates a TenantExport and queues `build_tenant_export`, which
writes one CSV per table (secret columns left out, formulas defused) plus `manifest.json`
into a ZIP in private storage, table by table, committing its progress after each table so the
portal can show it. The requester gets a link by e-mail; the file is served only to tenant
admins, by `tenantdata.views.export_download`, until it expires; the hourly sweep deletes
expired files.

Deletion: an admin types the tenant's slug to request it; the tenant is then *pending
deletion* (a banner for all staff, every admin e-mailed) and any admin may cancel until
`due_at` (settings.PRM_TENANT_DELETION_DAYS, 14 by default). The hourly sweep then runs
`deletion_execute()`: the tenant stops being served, every tenant row is deleted in batches,
children before parents (foreign keys are deferred, so tables that reference each other are
emptied in one transaction), then its private files, and the tenant row itself.

The audit trail is append-only for the app role; its rows of this tenant are deleted too,
through the SECURITY DEFINER function `prm_tenant_purge_append_only` (migration 0004), which
refuses to act unless a deletion of the current tenant is running. What remains is a global
`TenantTombstone` (slug, name, dates, row counts; no personal data) and one audit event
`tenant.deleted` with no tenant. Accounts (global identities) stay; their memberships in
this tenant are gone.
"""

from __future__ import annotations

import datetime
import io
import json
import logging
import os
import re
import tempfile
import zipfile
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from prm.audit import log_action
from prm.csv_export import SafeWriter
from prm.errors import DomainError, PermissionDenied
from prm.models import Member, Tenant
from prm.notifications import send_mandatory
from prm.roles import Role, has_perm
from prm.states import ActionNotAllowed
from prm.tasks import dispatch
from prm.tenancy import forget_tenant_hosts, set_db_tenant, system_context, tenant_context
from prm.urls_util import tenant_url
from tenantdata.models import (
    DeletionStatus,
    TenantDeletion,
    TenantExport,
    TenantTombstone,
)
from tenantdata.states import (
    DELETION_MACHINE,
    EXPORT_MACHINE,
    OPEN_DELETION,
    export_expired,
    export_in_progress,
)

log = logging.getLogger(__name__)

# --- What the export leaves out ---------------------------------------------------------
# Credentials and anything shown once are never exported, not even hashed. Every column of an
# exported table whose name looks like a secret (SECRET_LOOKING) must be classified: either
# left out (SECRET_COLUMNS, by column name in any table, or SECRET_TABLE_COLUMNS) or exported
# with a reason (NOT_SECRET_COLUMNS). tests/prm/test_security_data.py walks every field of every
# tenant model and fails on a secret-looking column nobody classified, so a new `*_token`
# column cannot slip into the ZIP unnoticed. Tables without a tenant (accounts and their
# password hashes, allauth's MFA authenticators and recovery codes, sessions) are never
# exported at all: only tenant tables are (see tenant_models()). A person's own export
# (tenantdata.privacy) leaves out the same columns (`is_secret`) and SECRET_MODELS.
SECRET_LOOKING = re.compile(
    r"secret|passw|token|hash|key|otp|recovery|salt|signature|credential|session|"
    r"code|pin$|private|nonce|cookie|body",
    re.IGNORECASE,
)
SECRET_COLUMNS = frozenset({"password", "key_hash", "token_hash", "secret"})
# Models made of credentials (global, so never in the tenant export; a person's own export,
# tenantdata.privacy, which follows their foreign keys everywhere, leaves them out too).
SECRET_MODELS = frozenset({"mfa.authenticator"})
SECRET_TABLE_COLUMNS = frozenset(
    {
        # Stored API answers (secrets are redacted there too, but the body is not program
        # data) and a hash of the request body.
        "prm_idempotencyrecord.response_body",
        "prm_idempotencyrecord.request_hash",
        "prm_idempotencyrecord.key",
        # The DNS challenge of a custom domain: public once published, but whoever holds it
        # can prepare a claim; a restored tenant proves its domains again with new ones.
        "prm_tenanthost.token",
    }
)
NOT_SECRET_COLUMNS = {
    "community_announcement.body": "announcement text",
    "community_answer.body": "answer text",
    "community_question.body": "question text",
    "cosell_comment.body": "a comment on a shared opportunity, program data",
    "dealreg_deal.customer_name_tokens": "search words of the customer name",
    "dealreg_deal.mdf_campaign_code": "campaign reference printed on material",
    "dealreg_dealnamekey.key": "normalised customer name, for duplicate checks",
    "dealreg_namedaccount.name_tokens": "search words of the account name",
    "incentives_earning.key": "the earning line's idempotency key (deal, program, role)",
    "locator_referral.code": "referral code of an invitation link (credits, opens nothing)",
    "marketing_campaign.code": "campaign code shown in its public links",
    "marketing_campaignkit.landing_body": "landing page text",
    "marketing_cobrandtemplate.body": "co-brandable marketing text",
    "marketing_syndicationfeed.token": "embed address the partner publishes on its own website",
    "mdf_fundrequest.campaign_code": "campaign reference printed on material",
    "mdf_fundrequest.funded_campaign_code": "campaign reference",
    "mdf_ledgerentry.key": "de-duplication key of a ledger posting",
    "mdf_proofdocument.sha256": "checksum of an uploaded proof",
    "onboarding_agreement.body": "agreement text",
    "onboarding_agreement.body_html": "agreement text",
    "onboarding_agreement.text_sha256": "checksum of the agreement text",
    "onboarding_agreementacceptance.text_sha256": "checksum of the accepted text",
    "onboarding_application.name_key": "normalised company name, for duplicate checks",
    "onboarding_application.referral_code": "referral code the applicant came with",
    "onboarding_certificate.code": "public verification code printed on the certificate",
    "onboarding_certification.code": "catalogue code",
    "onboarding_course.code": "catalogue code",
    "onboarding_lesson.body": "lesson text",
    "onboarding_lesson.body_html": "lesson text",
    "prm_apikey.prefix": "public prefix that names a key (not the key)",
    "prm_deliveryattempt.response_code": "HTTP status of a webhook delivery",
    "prm_idempotencyrecord.status_code": "HTTP status of a stored answer",
    "prm_notification.key": "de-duplication key of a notice",
    "prm_webhookdelivery.response_code": "HTTP status of a webhook delivery",
}
# Tables the app role may not DELETE from (prm.rls.APPEND_ONLY): purged through the SQL
# function. Nothing references them, so they can go first.
APPEND_ONLY = ("prm_auditevent", "mdf_ledgerentry", "dealreg_dealevent")


def export_hours() -> int:
    return getattr(settings, "PRM_TENANT_EXPORT_HOURS", 72)


def cooling_off_days() -> int:
    return getattr(settings, "PRM_TENANT_DELETION_DAYS", 14)


def batch_size() -> int:
    return getattr(settings, "PRM_TENANT_DELETION_BATCH", 1000)


# --- Discovery ------------------------------------------------------------------------------


def tenant_models() -> list[type[models.Model]]:
    """Every concrete model whose rows belong to one tenant, by table name."""
    found = []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.abstract or meta.proxy or not meta.managed:
            continue
        field = next((f for f in meta.concrete_fields if f.name == "tenant"), None)
        if field is not None and field.is_relation and field.related_model is Tenant:
            found.append(model)
    return sorted(found, key=lambda m: m._meta.db_table)


def is_secret(model, field) -> bool:
    table = model._meta.db_table
    return (
        field.name in SECRET_COLUMNS
        or field.attname in SECRET_COLUMNS
        or f"{table}.{field.name}" in SECRET_TABLE_COLUMNS
        or f"{table}.{field.attname}" in SECRET_TABLE_COLUMNS
    )


def unclassified_columns() -> list[str]:
    """`table.column` of every secret-looking column of a tenant table that is neither left
    out nor declared harmless (the test of the export requires this to be empty)."""
    out = []
    for model in tenant_models():
        table = model._meta.db_table
        for f in model._meta.concrete_fields:
            if f.is_relation or not SECRET_LOOKING.search(f.name):
                continue
            if not is_secret(model, f) and f"{table}.{f.name}" not in NOT_SECRET_COLUMNS:
                out.append(f"{table}.{f.name}")
    return out


def _export_fields(model) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields if not is_secret(model, f)]


def deletion_order() -> list[list[type[models.Model]]]:
    """Groups of tenant models in a foreign-key-safe deletion order: every group's rows may
    be deleted once the groups before it are empty. A group of several models (or of one
    model that references itself) references itself in a cycle and is emptied in one
    transaction, where the deferred foreign keys are checked only at commit."""
    tenant_set = set(tenant_models())
    refs: dict[Any, set[Any]] = {m: set() for m in tenant_set}  # model -> models it references
    for model in tenant_set:
        for f in model._meta.concrete_fields:
            target = getattr(f, "related_model", None)
            if f.is_relation and target in tenant_set:
                refs[model].add(target)
    # Tarjan's strongly connected components; it emits a component only after every
    # component it references, so reversing gives "referencing before referenced".
    index: dict[Any, int] = {}
    low: dict[Any, int] = {}
    stack: list[Any] = []
    on_stack: set[Any] = set()
    out: list[list[Any]] = []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(refs[v], key=lambda m: m._meta.db_table):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w is v:
                    break
            out.append(sorted(group, key=lambda m: m._meta.db_table))

    for model in sorted(tenant_set, key=lambda m: m._meta.db_table):
        if model not in index:
            visit(model)
    order = list(reversed(out))
    first = [g for g in order if g[0]._meta.db_table in APPEND_ONLY]
    return first + [g for g in order if g[0]._meta.db_table not in APPEND_ONLY]


def _file_fields(model) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields if isinstance(f, models.FileField)]


# --- Export ---------------------------------------------------------------------------------


def exports_recent(*, limit: int = 10):
    return TenantExport.objects.select_related("requested_by__user")[:limit]


def exports_for_page(*, member: Member, limit: int = 10) -> list[TenantExport]:
    """The recent exports as the portal shows them, each with what `member` may do with it
    (`allowed`), whether it is still being built and whether its link has expired."""
    rows = list(exports_recent(limit=limit))
    for export in rows:
        export.allowed = EXPORT_MACHINE.allowed(export, member)
        export.in_progress = export_in_progress(export)
        export.expired = export_expired(export)
    return rows


@transaction.atomic
def export_request(*, by: Member) -> TenantExport:
    """Queue an export of the whole tenant; `by` gets the link by e-mail."""
    from tenantdata.tasks import build_tenant_export  # tasks import this module

    if not has_perm(by.role, "tenant_data.manage"):
        raise PermissionDenied()
    export = TenantExport.objects.create(
        tenant=by.tenant, requested_by=by, tables_total=len(tenant_models())
    )
    log_action("tenant.export_requested", obj=export, object_label=f"export {export.pk}")
    dispatch(build_tenant_export, tenant_id=by.tenant_id, export_id=export.pk)
    return export


def _csv_value(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, default=str)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, memoryview | bytes):
        return bytes(value).hex()
    return value


def _export_table(zf: zipfile.ZipFile, model, tenant) -> int:
    fields = _export_fields(model)
    rows = 0
    with zf.open(f"{model._meta.db_table}.csv", "w") as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        writer = SafeWriter(text)  # the one CSV writer: formulas defused
        writer.writerow(fields)
        qs = model._base_manager.filter(tenant_id=tenant.pk).order_by("pk")
        for row in qs.values_list(*fields).iterator(chunk_size=2000):
            writer.writerow([_csv_value(v) for v in row])
            rows += 1
        text.flush()
        text.detach()
    return rows


def export_build(*, tenant_id: int, export_id: int) -> TenantExport | None:
    """Build the ZIP. Safe to run again: a READY export is left alone, a RUNNING one (its
    worker died) starts over. Each table is read in its own transaction, which also commits
    the progress; the ZIP is written to a temporary file and then to private storage."""
    with system_context():
        tenant = Tenant.objects.get(pk=tenant_id)
    with tenant_context(tenant):
        start = EXPORT_MACHINE["start"]
        claimed = TenantExport.objects.filter(pk=export_id, status__in=start.sources).update(
            status=start.target, tables_done=0, rows=0
        )
        if not claimed:
            return None
    manifest: dict[str, Any] = {
        "tenant": {"id": tenant.pk, "slug": tenant.slug, "name": tenant.name},
        "generated_at": timezone.now().isoformat(),
        "tables": {},
    }
    total_rows = 0
    try:
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "export.zip")
            with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
                for done, model in enumerate(tenant_models(), start=1):
                    with tenant_context(tenant):
                        count = _export_table(zf, model, tenant)
                        total_rows += count
                        TenantExport.objects.filter(pk=export_id).update(
                            tables_done=done, rows=total_rows
                        )
                    manifest["tables"][model._meta.db_table] = {
                        "model": model._meta.label_lower,
                        "rows": count,
                        "columns": _export_fields(model),
                    }
                zf.writestr("manifest.json", json.dumps(manifest, indent=2))
            name = f"tenant-exports/{tenant.pk}/{tenant.slug}-{export_id}.zip"
            with open(path, "rb") as fh:
                stored = default_storage.save(name, File(fh))
            size = os.path.getsize(path)
    except Exception as exc:
        with tenant_context(tenant):
            fail = EXPORT_MACHINE["fail"]
            TenantExport.objects.filter(pk=export_id, status__in=fail.sources).update(
                status=fail.target, error=str(exc)[:300], finished_at=timezone.now()
            )
            log_action("tenant.export_failed", object_type="prm.tenantexport", object_id=export_id)
        raise
    with tenant_context(tenant):
        export = TenantExport.objects.select_for_update().get(pk=export_id)
        export.status = EXPORT_MACHINE.check(export, None, "finish").target
        export.file.name = stored
        export.size = size
        export.finished_at = timezone.now()
        export.expires_at = export.finished_at + datetime.timedelta(hours=export_hours())
        export.save(update_fields=["status", "file", "size", "finished_at", "expires_at"])
        log_action(
            "tenant.export_ready",
            obj=export,
            object_label=f"export {export.pk}",
            after={"tables": len(manifest["tables"]), "rows": total_rows, "bytes": size},
        )
        requester = export.requested_by
        if requester is not None and requester.is_active:
            # MANDATORY mail (tenant export link): bypasses notification preferences.
            send_mandatory(
                tenant=tenant,
                to=[requester.user.email],
                subject=gettext_lazy("Your export of all program data is ready"),
                template="tenant_data/emails/export_ready.txt",
                context={
                    "url": tenant_url(tenant, f"/tenant-data/exports/{export.pk}/download/"),
                    "hours": export_hours(),
                },
            )
    return export


def export_for_download(*, by: Member, pk: int) -> TenantExport | None:
    """The export if it may be downloaded now (admins only, before it expires); audited."""
    if not has_perm(by.role, "tenant_data.manage"):
        raise PermissionDenied()
    export = TenantExport.objects.filter(pk=pk).first()
    if export is None:
        return None
    try:
        EXPORT_MACHINE.check(export, by, "download")
    except ActionNotAllowed:
        return None  # not built yet, or expired: like a link that never was
    log_action("tenant.export_downloaded", obj=export, object_label=f"export {export.pk}")
    return export


def exports_purge_expired(*, now: datetime.datetime | None = None) -> int:
    """Delete expired export files (in the current tenant); their rows stay, without file."""
    now = now or timezone.now()
    names = []
    for export in TenantExport.objects.filter(expires_at__lte=now).exclude(file=""):
        names.append(export.file.name)
        TenantExport.objects.filter(pk=export.pk).update(file="")
        log_action("tenant.export_expired", obj=export, object_label=f"export {export.pk}")
    transaction.on_commit(lambda: [default_storage.delete(n) for n in names])
    return len(names)


# --- Deletion -------------------------------------------------------------------------------


def pending_deletion(tenant) -> TenantDeletion | None:
    return TenantDeletion.objects.filter(tenant=tenant, status=DeletionStatus.PENDING).first()


def _admin_emails() -> list[str]:
    return list(
        Member.objects.filter(role=Role.ADMIN, is_active=True)
        .select_related("user")
        .values_list("user__email", flat=True)
    )


def _mail_admins(*, tenant, subject: str, template: str, context: dict) -> None:
    # MANDATORY mail (tenant deletion notices): bypasses notification preferences. One
    # message per admin, in their language.
    for to in _admin_emails():
        send_mandatory(tenant=tenant, to=[to], subject=subject, template=template, context=context)


@transaction.atomic
def deletion_request(*, by: Member, confirm: str) -> TenantDeletion:
    """Mark the tenant for deletion after the cooling-off period. The admin must type the
    tenant's slug; every admin is told and any of them can cancel until `due_at`."""
    if not has_perm(by.role, "tenant_data.manage"):
        raise PermissionDenied()
    tenant = by.tenant
    if (confirm or "").strip() != tenant.slug:
        raise DomainError(
            _("Type the program's identifier, %(slug)s, exactly to confirm.")
            % {"slug": tenant.slug},
            field="confirm",
        )
    if TenantDeletion.objects.filter(status__in=OPEN_DELETION).exists():
        raise DomainError(_("Deletion has already been requested."))
    now = timezone.now()
    deletion = TenantDeletion.objects.create(
        tenant=tenant,
        requested_by=by,
        requested_at=now,
        due_at=now + datetime.timedelta(days=cooling_off_days()),
    )
    log_action(
        "tenant.deletion_requested",
        obj=deletion,
        object_label=tenant.slug,
        after={"due_at": deletion.due_at, "requested_by": by.pk},
    )
    _mail_admins(
        tenant=tenant,
        subject=gettext_lazy("The program is scheduled for deletion"),
        template="tenant_data/emails/deletion_requested.txt",
        context={
            "deletion": deletion,
            "by": by.user.email,
            "url": tenant_url(tenant, "/tenant-data/"),
        },
    )
    return deletion


@transaction.atomic
def deletion_cancel(*, by: Member) -> TenantDeletion:
    if not has_perm(by.role, "tenant_data.manage"):
        raise PermissionDenied()
    deletion = (
        TenantDeletion.objects.select_for_update()
        .filter(status__in=DELETION_MACHINE["cancel"].sources)
        .first()
    )
    if deletion is None:
        raise DomainError(_("No deletion is pending."))
    before = deletion.status
    deletion.status = DELETION_MACHINE.check(deletion, by, "cancel").target
    deletion.cancelled_by = by
    deletion.cancelled_at = timezone.now()
    deletion.save(update_fields=["status", "cancelled_by", "cancelled_at"])
    log_action(
        "tenant.deletion_cancelled",
        obj=deletion,
        object_label=by.tenant.slug,
        before={"status": before},
        after={"status": deletion.status},
    )
    _mail_admins(
        tenant=by.tenant,
        subject=gettext_lazy("Deletion of the program was cancelled"),
        template="tenant_data/emails/deletion_cancelled.txt",
        context={"by": by.user.email},
    )
    return deletion


def _delete_batch(table: str, pk: str, tenant_id: int) -> int:
    with connection.cursor() as cur:
        if table in APPEND_ONLY:
            cur.execute("SELECT prm_tenant_purge_append_only(%s, %s)", [table, batch_size()])
            return cur.fetchone()[0]
        qn = connection.ops.quote_name
        cur.execute(
            f"DELETE FROM {qn(table)} WHERE {qn(pk)} IN "  # noqa: S608 - names from the registry
            f"(SELECT {qn(pk)} FROM {qn(table)} WHERE tenant_id = %s LIMIT %s)",
            [tenant_id, batch_size()],
        )
        return cur.rowcount


def _empty_tables(group, tenant, counts: dict[str, int]) -> None:
    for model in group:
        table, pk = model._meta.db_table, model._meta.pk.column
        while True:
            n = _delete_batch(table, pk, tenant.pk)
            counts[table] = counts.get(table, 0) + n
            if n < batch_size():
                break


def deletion_execute(*, tenant_id: int, now: datetime.datetime | None = None):
    """Delete the tenant if its deletion is due (or was interrupted while running).
    Returns the tombstone, or None when nothing was due. Safe to run again."""
    now = now or timezone.now()
    with system_context():
        tenant = Tenant.objects.filter(pk=tenant_id).first()
    if tenant is None:
        return None
    with tenant_context(tenant):
        deletion = (
            TenantDeletion.objects.select_for_update().filter(status__in=OPEN_DELETION).first()
        )
        if deletion is None or (
            deletion.status == DeletionStatus.PENDING and deletion.due_at > now
        ):
            return None
        requested_at, requested_by = deletion.requested_at, deletion.requested_by_id
        running = DELETION_MACHINE.check(deletion, None, "run").target
        if deletion.status != running:
            log_action(
                "tenant.deletion_started",
                obj=deletion,
                object_label=tenant.slug,
                before={"status": deletion.status},
                after={"status": running},
            )
        # The row stays RUNNING until the very end (the SQL purge function checks it); its
        # member references go now so that members can be deleted before it.
        TenantDeletion.objects.filter(pk=deletion.pk).update(
            status=running, requested_by=None, cancelled_by=None
        )
        Tenant.objects.filter(pk=tenant.pk).update(is_active=False)  # stop serving it
        transaction.on_commit(forget_tenant_hosts)  # ... from this process's host cache too
        admins = _admin_emails()
        files = [tenant.logo.name] if tenant.logo else []
        for model in tenant_models():
            for attname in _file_fields(model):
                files += [
                    n
                    for n in model._base_manager.filter(tenant_id=tenant.pk)
                    .exclude(**{attname: ""})
                    .values_list(attname, flat=True)
                    if n
                ]

    counts: dict[str, int] = {}
    for group in deletion_order():
        group = [m for m in group if m is not TenantDeletion]
        if not group:
            continue
        if len(group) == 1 and not _references_itself(group[0]):
            # One transaction per batch: locks are short and progress survives a crash.
            table, pk = group[0]._meta.db_table, group[0]._meta.pk.column
            while True:
                with tenant_context(tenant):
                    n = _delete_batch(table, pk, tenant.pk)
                counts[table] = counts.get(table, 0) + n
                if n < batch_size():
                    break
        else:
            with tenant_context(tenant):
                _empty_tables(group, tenant, counts)

    with transaction.atomic():
        set_db_tenant(tenant.pk)
        with connection.cursor() as cur:
            cur.execute("DELETE FROM prm_tenantdeletion WHERE tenant_id = %s", [tenant.pk])
            counts["prm_tenantdeletion"] = counts.get("prm_tenantdeletion", 0) + cur.rowcount
        set_db_tenant(None)
        tombstone, _created = TenantTombstone.objects.update_or_create(
            tenant_pk=tenant.pk,
            defaults={
                "slug": tenant.slug,
                "name": tenant.name,
                "requested_at": requested_at,
                "requested_by_member": requested_by,
                "deleted_at": timezone.now(),
                "row_counts": {k: v for k, v in sorted(counts.items()) if v},
                "files_deleted": len(files),
            },
        )
        with connection.cursor() as cur:
            # Raw: the ORM's cascade would look into every (now empty) tenant table.
            cur.execute("DELETE FROM prm_tenant WHERE id = %s", [tenant.pk])
        log_action(  # no tenant: inserted without RETURNING (see prm.audit)
            "tenant.deleted",
            object_type="prm.tenant",
            object_id=tenant.pk,
            object_label=tenant.slug,
            after={"rows": sum(counts.values()), "files": len(files), "tombstone": tombstone.pk},
        )

        def after_commit():
            for name in files:
                try:
                    default_storage.delete(name)
                except OSError:
                    log.exception("could not delete %s", name)

        transaction.on_commit(after_commit)
        for to in admins:  # MANDATORY mail (tenant deleted): bypasses preferences.
            send_mandatory(
                tenant=tenant,
                to=[to],
                subject=gettext_lazy("The program has been deleted"),
                template="tenant_data/emails/deleted.txt",
                context={},
            )
    return tombstone


def _references_itself(model) -> bool:
    return any(f.is_relation and f.related_model is model for f in model._meta.concrete_fields)


def sweep(*, tenant_id: int) -> None:
    """Hourly, per tenant: delete expired export files, then run a due deletion."""
    with system_context():
        tenant = Tenant.objects.filter(pk=tenant_id).first()
    if tenant is None:
        return
    with tenant_context(tenant):
        exports_purge_expired()
    deletion_execute(tenant_id=tenant_id)


# --- Portal banner --------------------------------------------------------------------------


def deletion_banner(request) -> dict:
    """Context processor: the pending deletion, shown to every staff member on every page."""
    member = getattr(request, "member", None)
    if member is None or not member.is_staff_role:
        return {}
    deletion = pending_deletion(request.tenant)
    return {
        "tenant_deletion": deletion,
        "tenant_deletion_allowed": (
            DELETION_MACHINE.allowed(deletion, member) if deletion else frozenset()
        ),
    }
