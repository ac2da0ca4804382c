"""What each irreversible action of the core does, for people to confirm (prm/confirm.py)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from prm.confirm import Confirmation, register
from prm.models import ApiKey, Invitation, Member, TenantHost


@register("api-key-revoke-portal")
def api_key_revoke(key: ApiKey) -> Confirmation:
    return Confirmation(
        title=_("Revoke the API key “%(name)s” (prm_%(prefix)s_…)?")
        % {"name": key.name, "prefix": key.prefix},
        consequence=_(
            "Every script or integration using this key stops working at once. "
            "A revoked key cannot be restored; create a new one instead."
        ),
        button=_("Revoke"),
        confirm=_("Revoke key"),
        back_url=reverse("api-keys"),
        small=True,
    )


@register("member-deactivate")
def member_deactivate(member: Member) -> Confirmation:
    return Confirmation(
        title=_("Deactivate %(name)s?") % {"name": member.user.display_name},
        consequence=_(
            "%(email)s loses access at once and their API keys are revoked (reactivating "
            "does not restore the keys). Their records stay."
        )
        % {"email": member.user.email},
        button=_("Deactivate"),
        confirm=_("Deactivate"),
        back_url=reverse("member-detail", args=[member.pk]),
    )


@register("invitation-revoke")
def invitation_revoke(invitation: Invitation) -> Confirmation:
    return Confirmation(
        title=_("Revoke the invitation to %(email)s?") % {"email": invitation.email},
        consequence=_("The link in the invitation e-mail stops working; you can invite again."),
        button=_("Revoke"),
        confirm=_("Revoke invitation"),
        back_url=reverse("members"),
        small=True,
    )


@register("tenant-host-remove")
def tenant_host_remove(host: TenantHost) -> Confirmation:
    return Confirmation(
        title=_("Remove the domain %(host)s?") % {"host": host.host},
        consequence=_(
            "The portal stops answering on this domain at once; links and bookmarks to it "
            "stop working. To use it again you add it and verify it anew."
        ),
        button=_("Remove"),
        confirm=_("Remove domain"),
        back_url=reverse("tenant-settings"),
        small=True,
    )
