"""API permissions: the same capability map as the portal (prm.roles.PERMISSIONS)."""

from __future__ import annotations

from rest_framework import permissions

from prm.models import ApiKey
from prm.roles import has_perm

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class IsMember(permissions.BasePermission):
    """An active member of this tenant, whose key (if any) has the scope for the method.

    Views declare `required_perm` (read and write) or `required_perms` per action."""

    message = "You do not have permission to do this."

    def has_permission(self, request, view) -> bool:
        member = getattr(request._request, "member", None)
        if member is None:
            return False
        auth = request.auth
        if isinstance(auth, ApiKey):
            needed = "write" if request.method in WRITE_METHODS else "read"
            if needed not in auth.scopes:
                self.message = f"This API key lacks the '{needed}' scope."
                return False
        capability = None
        per_action = getattr(view, "required_perms", None)
        if per_action:
            capability = per_action.get(getattr(view, "action", None))
        capability = capability or getattr(view, "required_perm", "portal.use")
        return has_perm(member.role, capability)
