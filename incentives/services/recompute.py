"""Recomputing a commission program set-based (incentives.setbased): every won registration's
lines under each published version, one statement per version, for the staff action and the
Celery task `incentives.recompute_program`, and for the bench. Lines that exist (from the
per-deal path or an earlier run) are kept as they are; only missing ones are written."""

from __future__ import annotations

import json

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from incentives.models import (
    EarningKind,
    IncentiveProgram,
    ProgramKind,
    ProgramVersion,
    VersionStatus,
)
from incentives.services.compute import attribution_model
from incentives.setbased import commission_lines_sql, version_spans, write_sql
from prm import events
from prm.audit import current_context, log_action
from prm.errors import DomainError
from prm.models import Member


def program_recompute_check(program: IncentiveProgram) -> None:
    """Only an active commission program is recomputed set-based (the other kinds depend
    on one event each: a lead, a certificate, a referral, the period's running rebate)."""
    if program.kind != ProgramKind.COMMISSION:
        raise DomainError(_("Only commission programs can be recomputed."), field="program")
    if not program.is_active:
        raise DomainError(_("Activate the program before recomputing it."), field="program")


@transaction.atomic
def program_recompute(*, program: IncentiveProgram, by: Member | None = None) -> int:
    """Write every commission line the program's published versions owe on won
    registrations and that is not written yet; returns how many lines were written."""
    program = IncentiveProgram.objects.select_for_update().get(pk=program.pk)
    program_recompute_check(program)
    model = attribution_model()
    ctx = current_context()
    versions = list(
        ProgramVersion.objects.filter(program=program, status=VersionStatus.PUBLISHED)
        .select_related("program")
        .order_by("effective_from", "version")
    )
    written, runs = 0, []
    for version, first_day, end_day in version_spans(versions):
        figures, params = commission_lines_sql(
            version=version,
            first_day=first_day,
            end_day=end_day,
            tenant_id=program.tenant_id,
            weighted=model == "weighted",
        )
        sql, more = write_sql(figures, kind_label=str(EarningKind.COMMISSION.label))
        facts = {
            "program": program.name,
            "version": version.version,
            "effective_from": version.effective_from.isoformat(),
            "attribution_model": model,
        }
        params |= more | {
            "program": program.pk,
            "version": version.pk,
            "days": program.clawback_days,
            "today": timezone.localdate(),
            "facts": json.dumps(facts),
            "actor": by.user_id if by is not None else ctx.user_id,
            "actor_label": (by.user.email if by is not None else ctx.actor_label) or "",
        }
        with connection.cursor() as cur:
            cur.execute(sql, params)
            n = cur.fetchone()[0]
        written += n
        runs.append({"version": version.version, "lines": n})
    log_action(
        "incentive_program.recomputed",
        obj=program,
        object_label=program.name,
        after={"lines": written, "versions": runs},
        actor=by.user if by is not None else None,
    )
    if written:
        # The outbox rows were inserted by SQL: wake the relay as emit() would.
        tenant_id = program.tenant_id
        transaction.on_commit(lambda: events.outbox_committed(tenant_id))
    return written
