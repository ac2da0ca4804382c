"""Celery task for personal-data exports (listed in CELERY_IMPORTS)."""

from __future__ import annotations

from celery import shared_task

from prm.tasks import TenantTask


@shared_task(base=TenantTask, name="prm.privacy.build_personal_export", time_limit=300)
def build_personal_export(*, tenant, member_id: int, token: str) -> None:
    from prm.privacy import export_build

    export_build(member_id=member_id, token=token)
