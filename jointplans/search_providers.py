"""Global search provider of joint business plans (registered from JointplansConfig.ready()):
plans by title or partner name, through the member's visible plans (partner people find only
their company's, never a draft)."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jointplans.selectors import plans_visible_to
from prm import global_search
from prm.global_search import Hit


def plans(member, term: str, limit: int) -> list[Hit]:
    qs = plans_visible_to(member).filter(
        Q(title__icontains=term) | Q(partner__name__icontains=term)
    )
    return [
        Hit(
            label=p.title,
            detail=" · ".join(
                [p.partner.name, str(p.get_status_display()), p.start_date.isoformat()]
            ),
            url=reverse("jointplan-detail", args=[p.pk]),
        )
        for p in qs.order_by("-start_date", "-id")[:limit]
    ]


def register() -> None:
    global_search.register(
        58, "joint_plans", _("Joint business plans"), plans, capability="jointplans.view"
    )
