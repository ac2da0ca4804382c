"""Programs and their versions: create a program, change its settings, save a draft
version's rules, publish it (from then on, or from a later moment)."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from dealreg.models import DealType
from incentives.models import IncentiveProgram, ProgramKind, ProgramVersion, VersionStatus
from incentives.rules import clean_rules
from incentives.states import VERSION
from partners.models import PartnerType, Product, Tier
from prm import imports
from prm.audit import log_action
from prm.errors import DomainError, limited
from prm.models import Member
from prm.roles import require_perm
from training.models import Certification


def _known() -> dict:
    return {
        "tier": set(Tier.objects.values_list("pk", flat=True)),
        "product": set(Product.objects.values_list("pk", flat=True)),
        "deal_type": set(DealType.values),
        "partner_type": set(PartnerType.values),
        "certification": set(Certification.objects.values_list("pk", flat=True)),
    }


def _settings(values: dict, *, partial: bool) -> dict:
    out = {}
    if "name" in values or not partial:
        name = limited((values.get("name") or "").strip(), 120, "name")
        if not name:
            raise DomainError(_("Enter a name."), field="name")
        out["name"] = name
    if "currency" in values or not partial:
        out["currency"] = imports.currency(values.get("currency") or "", "currency")
    for key, low, high in (("clawback_days", 0, 3650), ("dispute_sla_days", 1, 365)):
        if key in values:
            try:
                n = int(values[key])
            except (TypeError, ValueError):
                raise DomainError(_("Enter a whole number."), field=key)
            if not low <= n <= high:
                raise DomainError(
                    _("Enter a number from %(low)s to %(high)s.") % {"low": low, "high": high},
                    field=key,
                )
            out[key] = n
    if "is_active" in values:
        out["is_active"] = bool(values["is_active"])
    return out


@transaction.atomic
def program_create(*, tenant, by: Member, kind: str, **values) -> IncentiveProgram:
    """A program with its first draft version (empty rules, to be filled and published)."""
    require_perm(by, "incentives.admin")
    if kind not in ProgramKind.values:
        raise DomainError(_("Choose the kind of program."), field="kind")
    fields = _settings(values, partial=False)
    if IncentiveProgram.objects.filter(name__iexact=fields["name"]).exists():
        raise DomainError(_("A program with this name exists."), field="name")
    try:
        with transaction.atomic():
            program = IncentiveProgram.objects.create(
                tenant=tenant, kind=kind, created_by=by, **fields
            )
    except IntegrityError:
        raise DomainError(_("A program with this name exists."), field="name")
    ProgramVersion.objects.create(tenant=tenant, program=program, version=1, created_by=by)
    log_action("incentive_program.created", obj=program, after={"kind": kind} | fields)
    return program


@transaction.atomic
def program_update(*, program: IncentiveProgram, by: Member, **values) -> IncentiveProgram:
    """Settings that apply to lines computed from now on (name, currency, clawback window,
    dispute answer target, active). Lines already written keep their hold dates."""
    require_perm(by, "incentives.admin")
    program = IncentiveProgram.objects.select_for_update().get(pk=program.pk)
    fields = _settings(values, partial=True)
    if (
        "name" in fields
        and IncentiveProgram.objects.filter(name__iexact=fields["name"])
        .exclude(pk=program.pk)
        .exists()
    ):
        raise DomainError(_("A program with this name exists."), field="name")
    before = {k: getattr(program, k) for k in fields}
    changed = [k for k, v in fields.items() if before[k] != v]
    if not changed:
        return program
    for k in changed:
        setattr(program, k, fields[k])
    program.save(update_fields=changed)
    log_action(
        "incentive_program.updated",
        obj=program,
        before={k: before[k] for k in changed},
        after={k: fields[k] for k in changed},
    )
    return program


@transaction.atomic
def version_draft_save(
    *, program: IncentiveProgram, by: Member, rules: dict, notes: str = ""
) -> ProgramVersion:
    """Save the rules of the program's draft version (a new draft after the last published
    version when there is none), validated for the program's kind."""
    require_perm(by, "incentives.admin")
    program = IncentiveProgram.objects.select_for_update().get(pk=program.pk)
    cleaned = clean_rules(program.kind, rules, known=_known())
    notes = limited((notes or "").strip(), 2000, "notes")
    draft = program.versions.filter(status=VersionStatus.DRAFT).first()
    if draft is None:
        last = program.versions.aggregate(n=Max("version"))["n"] or 0
        draft = ProgramVersion(
            tenant_id=program.tenant_id, program=program, version=last + 1, created_by=by
        )
        before = None
    else:
        VERSION.check(draft, by, "edit")
        before = {"rules": draft.rules, "notes": draft.notes}
    draft.rules, draft.notes = cleaned, notes
    draft.save()
    log_action(
        "incentive_version.saved",
        obj=draft,
        object_label=str(draft),
        before=before,
        after={"rules": cleaned, "notes": notes},
    )
    return draft


@transaction.atomic
def version_publish(
    *,
    version: ProgramVersion,
    by: Member | None,
    effective_from: datetime.datetime | None = None,
) -> ProgramVersion:
    """Publish a draft: from `effective_from` (now when not given) deals won use it. People
    may not publish into the past, so no line already computed changes its meaning; the
    system (by=None: the demo seed, an import of history) may."""
    if by is not None:
        require_perm(by, "incentives.admin")
    version = (
        ProgramVersion.objects.select_for_update().select_related("program").get(pk=version.pk)
    )
    VERSION.check(version, by, "publish")
    now = timezone.now()
    effective_from = effective_from or now
    if by is not None and effective_from < now - datetime.timedelta(minutes=5):
        raise DomainError(_("Choose a moment from now on."), field="effective_from")
    # The rules must still be valid (a product or tier may have been deleted since).
    clean_rules(version.program.kind, version.rules, known=_known())
    if not version.rules:
        raise DomainError(_("Save the rules before publishing."), field="rules")
    version.status = VersionStatus.PUBLISHED
    version.effective_from = effective_from
    version.published_at, version.published_by = now, by
    version.save(update_fields=["status", "effective_from", "published_at", "published_by"])
    log_action(
        "incentive_version.published",
        obj=version,
        object_label=str(version),
        before={"status": "draft"},
        after={"status": "published", "effective_from": effective_from},
    )
    return version
