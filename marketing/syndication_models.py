"""Content syndication (issue #21 item 5): the vendor's current content on a partner's own
website, co-branded with the partner's brand kit.

A `SyndicationFeed` is one partner's embed: a random token (the only thing the snippet on the
partner's site carries: no sign-in inside the embed), whether it is on, the origins that may
frame it (CSP frame-ancestors) and optional product and language filters. What it shows is
decided by `marketing.selectors.assets_for_partner`, the same rule as the partner's own
library. `SyndicationViewDay` is the cheap counter: one row per partner, asset and day, bumped
by one upsert per embed load (views) and per opened asset (opens).
"""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prm.tenancy import TenantModel

LANGUAGE_CHOICES = [
    ("en", _("English")),
    ("de", _("German")),
    ("fr", _("French")),
    ("es", _("Spanish")),
    ("it", _("Italian")),
    ("nl", _("Dutch")),
    ("pt", _("Portuguese")),
    ("ja", _("Japanese")),
]


class SyndicationFeed(TenantModel):
    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=40)
    enabled = models.BooleanField(_("show the content on my website"), default=False)
    allowed_origins = ArrayField(
        models.CharField(max_length=200),
        default=list,
        blank=True,
        verbose_name=_("websites allowed to embed it"),
    )
    product = models.ForeignKey(
        "partners.Product",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("only this product"),
    )
    language = models.CharField(
        _("only this language"), max_length=5, blank=True, choices=LANGUAGE_CHOICES
    )
    max_items = models.PositiveSmallIntegerField(_("how many items"), default=6)
    updated_by = models.ForeignKey(
        "prm.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "partner"], name="mkt_synd_one_per_partner"),
            models.UniqueConstraint(fields=["tenant", "token"], name="mkt_synd_token_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.partner_id}"

    def get_absolute_url(self) -> str:
        return "/marketing/syndication/"


class SyndicationViewDay(TenantModel):
    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="+")
    asset = models.ForeignKey("marketing.Asset", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    views = models.PositiveIntegerField(default=0)
    opens = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "partner", "asset", "day"], name="mkt_synd_view_day_unique"
            )
        ]
