"""The marketing app's machines, declared once (see prm/states.py).

Asset: draft (staff prepare it; partners do not see it) -> published (partners it targets
see it until it expires) -> archived (gone for partners, kept for staff; may be published
again). Publishing needs a version. A co-brandable template moves the same way.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from marketing.models import AssetStatus, KitStatus, TemplateStatus
from prm.roles import STAFF_ROLES
from prm.states import StateMachine, action

S = AssetStatus
T = TemplateStatus
K = KitStatus


def staff(obj, member) -> bool:
    return member is not None and member.role in STAFF_ROLES


def _has_version(asset, _member) -> bool:
    return asset.versions.exists()


ASSET = StateMachine(
    actions=[
        action("edit", _("Change"), [S.DRAFT, S.PUBLISHED, S.ARCHIVED], who=staff),
        action("add_version", _("Add a version"), [S.DRAFT, S.PUBLISHED], who=staff),
        action(
            "publish",
            _("Publish"),
            [S.DRAFT, S.ARCHIVED],
            S.PUBLISHED,
            who=staff,
            when=_has_version,
            refusal=_("Add a file or a link before publishing the asset."),
        ),
        action("archive", _("Archive"), [S.PUBLISHED], S.ARCHIVED, who=staff),
    ]
)

TEMPLATE = StateMachine(
    actions=[
        action("edit", _("Change"), [T.DRAFT, T.PUBLISHED, T.ARCHIVED], who=staff),
        action("publish", _("Publish"), [T.DRAFT, T.ARCHIVED], T.PUBLISHED, who=staff),
        action("archive", _("Archive"), [T.PUBLISHED], T.ARCHIVED, who=staff),
    ]
)


def _partner_admin(obj, member) -> bool:
    return member is not None and member.role == "partner_admin" and member.partner_id is not None


# Campaign kit: draft (staff build it; partners do not see it) -> published (partners see it
# and launch it) -> retired (no new launches; running campaigns keep their pages). A retired
# kit may be published again.
CAMPAIGN_KIT = StateMachine(
    actions=[
        action("edit", _("Change"), [K.DRAFT, K.PUBLISHED, K.RETIRED], who=staff),
        action("publish", _("Publish"), [K.DRAFT, K.RETIRED], K.PUBLISHED, who=staff),
        action("retire", _("Retire"), [K.PUBLISHED], K.RETIRED, who=staff),
        action("launch", _("Launch"), [K.PUBLISHED], who=_partner_admin),
    ]
)
