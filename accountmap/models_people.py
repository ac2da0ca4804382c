"""People mapping: territories, the reps assigned to them, and the overlaps already told.

A territory belongs to one side, like an account: `partner` null is the vendor's (its reps are
vendor members), set is that partner's own (its reps are that partner's people). An account
falls in a territory of its side when its country is one of the territory's countries or its
region one of its regions, and, when the territory names industries, its industry is one of
them (see `accountmap.people.territory_accounts_q`).
"""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prm.tenancy import TenantModel


class Territory(TenantModel):
    partner = models.ForeignKey(
        "partners.Partner",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="account_territories",
    )
    name = models.CharField(_("name"), max_length=80)
    countries = ArrayField(models.CharField(max_length=2), default=list, blank=True)
    regions = ArrayField(models.CharField(max_length=100), default=list, blank=True)
    industries = ArrayField(models.CharField(max_length=100), default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "partner", "name"],
                nulls_distinct=False,
                name="territory_unique_name",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class TerritoryRep(TenantModel):
    """A member assigned to a territory (one row per pair)."""

    territory = models.ForeignKey(Territory, on_delete=models.CASCADE, related_name="reps")
    member = models.ForeignKey(
        "prm.Member", on_delete=models.CASCADE, related_name="account_territories"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "territory", "member"], name="territoryrep_unique_pair"
            ),
        ]


class OverlapNotice(TenantModel):
    """An overlap its reps were told of, so they are told once (the subscriber may hear of
    the same overlap again, e.g. after a rerun of the computation)."""

    overlap = models.ForeignKey(
        "accountmap.Overlap",
        on_delete=models.CASCADE,
        related_name="people_notices",
        # checked by the composite (tenant_id, overlap_id) key alone
        # (prm.distribution.COMPOSITE_ONLY): a full run may delete a million overlaps
        db_constraint=False,
    )
    vendor_members = models.PositiveIntegerField(default=0)
    partner_members = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "overlap"], name="overlapnotice_unique"),
        ]
