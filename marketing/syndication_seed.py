"""Demo data for content syndication: Northwind shows the vendor's content on its website
(switched on for https://northwind.example) and its embed has a few weeks of views and opens,
so the partner's page and the staff's report have figures. Runs after marketing.seed (the
library and Northwind's brand kit), through the services."""

from __future__ import annotations

import datetime

from django.utils import timezone

from marketing import syndication
from prm.models import Member
from prm.roles import Role


def seed(*, tenant, partners: dict) -> None:
    northwind = partners.get("Northwind Resellers")
    admin = Member.objects.filter(partner=northwind, role=Role.PARTNER_ADMIN).first()
    if northwind is None or admin is None:
        return
    feed = syndication.syndication_feed_save(
        partner=northwind,
        by=admin,
        enabled=True,
        allowed_origins=[northwind.website or "https://northwind.example"],
        max_items=6,
    )
    assets = list(syndication.feed_assets(feed).values_list("pk", flat=True)[: feed.max_items])
    today = timezone.localdate()
    for days_ago in range(21):
        day = today - datetime.timedelta(days=days_ago)
        views = 3 + (days_ago * 7) % 11
        syndication.syndication_count(feed=feed, asset_ids=assets, views=views, day=day)
        if days_ago % 3 == 0 and assets:
            syndication.syndication_count(
                feed=feed, asset_ids=assets[: 1 + days_ago % 2], opens=1, day=day
            )
