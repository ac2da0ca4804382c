"""Portal access checks, one decorator for every view.

Anonymous -> sign-in page; signed in without an active membership here -> 403 page;
a member whose role lacks the capability -> 403. Objects of another tenant never reach a view:
the scoped managers and RLS make them 404 like missing ones.
"""

from __future__ import annotations

import functools

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from prm.roles import has_perm


def member_required(capability: str = "portal.use"):
    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            member = getattr(request, "member", None)
            if member is None or not has_perm(member.role, capability):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.required_capability = capability
        return wrapper

    return decorator
