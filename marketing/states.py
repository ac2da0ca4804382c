"""The marketing app's machines, declared once (see prm/states.py).

Asset: draft (staff prepare it; partners do not see it) -> published (partners it targets
see it until it expires) -> archived (gone for partners, kept for staff; may be published
again). Publishing needs a version. A co-brandable template moves the same way.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from marketing.models import AssetStatus, KitStatus, SequenceStatus, TemplateStatus
from prm.roles import STAFF_ROLES
from prm.states import StateMachine, action

S = AssetStatus
T = TemplateStatus
K = KitStatus
Q = SequenceStatus


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


def _own_partner_admin(campaign, member) -> bool:
    return _partner_admin(campaign, member) and member.partner_id == campaign.partner_id


def _sendable(campaign, _member) -> bool:
    return bool(campaign.kit.email_steps)


# A campaign's e-mail sequence to the partner's own contacts: not started -> sending (the
# partner admin starts it, once, after a confirmation: e-mails go out) <-> paused; finished
# when every subscribed contact got every step (the sender's system move); new contacts
# added to a finished sequence reopen it (system).
SEQUENCE = StateMachine(
    field="sequence_status",
    actions=[
        action(
            "start",
            _("Start sending"),
            [Q.NOT_STARTED],
            Q.SENDING,
            who=_own_partner_admin,
            when=_sendable,
            confirm=True,
            refusal=_("This campaign kit has no e-mail steps to send."),
        ),
        action("pause", _("Pause sending"), [Q.SENDING], Q.PAUSED, who=_own_partner_admin),
        action("resume", _("Resume sending"), [Q.PAUSED], Q.SENDING, who=_own_partner_admin),
        action("finish", _("Finish"), [Q.SENDING], Q.FINISHED, system=True),
        action("reopen", _("Reopen"), [Q.FINISHED], Q.SENDING, system=True),
        action(
            "contacts",
            _("Upload contacts"),
            [Q.NOT_STARTED, Q.SENDING, Q.PAUSED, Q.FINISHED],
            who=_own_partner_admin,
        ),
    ],
)
