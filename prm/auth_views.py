"""allauth views PRM replaces (kept apart from prm.auth, which allauth's forms import)."""

from __future__ import annotations

from allauth.account.models import get_emailconfirmation_model
from allauth.account.views import ConfirmEmailView
from django.http import Http404

from prm.auth import unbind_key


class _BoundConfirmation:
    """An allauth e-mail confirmation whose `key` is the host-bound one (the confirmation
    page posts back to the URL it names)."""

    def __init__(self, confirmation, key: str):
        self._confirmation = confirmation
        self.key = key

    def __getattr__(self, name):
        return getattr(self._confirmation, name)


class HostBoundConfirmEmailView(ConfirmEmailView):
    def get_object(self, queryset=None):
        key = unbind_key(self.kwargs["key"])
        confirmation = get_emailconfirmation_model().from_key(key) if key else None
        if not confirmation:
            raise Http404()
        return _BoundConfirmation(confirmation, self.kwargs["key"])


confirm_email = HostBoundConfirmEmailView.as_view()
