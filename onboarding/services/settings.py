"""Writes for the onboarding rules and the ideal partner profile (admins)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onboarding import rules
from onboarding.models import (
    IdealPartnerProfile,
    IdealProfileSpecialty,
    OnboardingSettings,
)
from partners.models import (
    PartnerType,
    Region,
    SizeBand,
    Specialty,
)
from prm.audit import diff, log_action, snapshot
from prm.errors import DomainError
from prm.models import Member
from prm.roles import require

# --- Settings and the ideal partner profile -----------------------------------------------

SETTINGS_FIELDS = [
    "auto_reject_below",
    "auto_approve_above",
    "auto_reject_reason",
    "reminder_days_before",
    "block_deals_without_current_agreement",
]
IPP_FIELDS = [
    "countries",
    "regions",
    "partner_types",
    "size_bands",
    "revenue_min",
    "revenue_max",
    "weight_geography",
    "weight_type",
    "weight_specialties",
    "weight_size",
    "weight_revenue",
]


@transaction.atomic
def onboarding_settings_update(*, by: Member, **changes) -> OnboardingSettings:
    require(by, "onboarding.manage")
    current = OnboardingSettings.for_tenant(by.tenant)
    obj = OnboardingSettings.objects.select_for_update().get(pk=current.pk)
    before = snapshot(obj, SETTINGS_FIELDS)
    for field, value in changes.items():
        if field not in SETTINGS_FIELDS:
            raise DomainError(f"Unknown setting {field}", field=field)
        setattr(obj, field, value)
    if (
        obj.auto_reject_below is not None
        and obj.auto_approve_above is not None
        and obj.auto_reject_below >= obj.auto_approve_above
    ):
        raise DomainError(
            _("The automatic approval score must be higher than the rejection score."),
            field="auto_approve_above",
        )
    obj.full_clean(exclude=["tenant"], validate_unique=False)
    b, a = diff(before, snapshot(obj, SETTINGS_FIELDS))
    if a:
        obj.save(update_fields=list(a))
        log_action("onboarding.settings_updated", obj=obj, before=b, after=a)
    return obj


def _clean_choices(values: Iterable[str], allowed: Iterable[str], field: str) -> list[str]:
    allowed = set(allowed)
    values = sorted({str(v).strip() for v in values or [] if str(v).strip()})
    bad = [v for v in values if v not in allowed]
    if bad:
        raise DomainError(_("Unknown value: %(v)s.") % {"v": ", ".join(bad)}, field=field)
    return values


@transaction.atomic
def ideal_profile_update(
    *, by: Member, specialties: Iterable[Specialty] | None = None, **changes
) -> IdealPartnerProfile:
    """Set the IPP criteria and weights (admins)."""
    require(by, "onboarding.manage")
    current = IdealPartnerProfile.for_tenant(by.tenant)
    ipp = IdealPartnerProfile.objects.select_for_update().get(pk=current.pk)
    before = snapshot(ipp, IPP_FIELDS)
    for field, value in changes.items():
        if field not in IPP_FIELDS:
            raise DomainError(f"Unknown criterion {field}", field=field)
        setattr(ipp, field, value)
    ipp.countries = [
        c.upper()
        for c in _clean_choices(
            [c.upper() for c in ipp.countries], rules.COUNTRY_REGION, "countries"
        )
    ]
    ipp.regions = _clean_choices(ipp.regions, Region.values, "regions")
    ipp.partner_types = _clean_choices(ipp.partner_types, PartnerType.values, "partner_types")
    ipp.size_bands = _clean_choices(ipp.size_bands, SizeBand.values, "size_bands")
    if (
        ipp.revenue_min is not None
        and ipp.revenue_max is not None
        and ipp.revenue_min > ipp.revenue_max
    ):
        raise DomainError(_("The minimum is above the maximum."), field="revenue_max")
    ipp.full_clean(exclude=["tenant"], validate_unique=False)
    b, a = diff(before, snapshot(ipp, IPP_FIELDS))
    if a:
        ipp.updated_at = timezone.now()
        ipp.save(update_fields=[*a, "updated_at"])
    if specialties is not None:
        wanted = {s.pk for s in specialties}
        links = IdealProfileSpecialty.objects.filter(profile=ipp)
        current_ids = set(links.values_list("specialty_id", flat=True))
        if wanted != current_ids:
            links.exclude(specialty_id__in=wanted).delete()
            IdealProfileSpecialty.objects.bulk_create(
                [
                    IdealProfileSpecialty(tenant_id=ipp.tenant_id, profile=ipp, specialty_id=pk)
                    for pk in wanted - current_ids
                ]
            )
            b["specialties"], a["specialties"] = sorted(current_ids), sorted(wanted)
    if a:
        log_action("onboarding.ideal_profile_updated", obj=ipp, before=b, after=a)
    return ipp
