"""Spam protection of the public forms on a tenant's host (no sign-in): a honeypot field people
never see and bots fill in, a signed time trap (a form sent back faster than a person types is
a bot's) and rate limits counted in Redis, shared by every web process.

`PublicFormGuard` bundles the three for one form (the locator's contact form, a campaign's lead
form); `over_limit()` is the counter the other limits (applications, deal pre-checks) use."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from prm.middleware import client_ip

log = logging.getLogger(__name__)

# What `PublicFormGuard.screen()` answers for a filled honeypot: the caller answers as if the
# form had been sent (so the bot learns nothing) and keeps nothing.
SPAM = 0


class HoneypotForm(forms.Form):
    """A field people never see (hidden by a CSS class) and bots fill in."""

    homepage = forms.CharField(
        label=gettext_lazy("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def is_spam(self) -> bool:
        return bool(self.data.get("homepage", "").strip())


def over_limit(key: str, limit: int, window: int) -> bool:
    """Count one use of `key` for `window` seconds (Redis, shared by every web process); True
    past `limit`."""
    if cache.add(key, 1, window):
        return limit < 1
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        count = 1
    return count > limit


def tenant_key(tenant) -> str:
    """The tenant's part of a counter's key: its creation time keeps the counters of a
    recreated database (tests) apart."""
    return f"{tenant.pk}:{tenant.created_at.timestamp():.0f}"


@dataclass(frozen=True)
class PublicFormGuard:
    """The protection of one public form. `id_key` names the protected object's id in the
    signed time stamp; the rate limits are read from the settings named in `settings_names`
    (per client address, per target, window in seconds), else `defaults`."""

    name: str  # for the log
    salt: str
    id_key: str
    counter: str  # the counters' key prefix
    target_kind: str  # the per-target counter's name
    settings_names: tuple[str, str, str]
    defaults: tuple[int, int, int]
    min_fill_seconds: int = 3
    max_age: int = 24 * 3600

    def limits(self) -> tuple[int, int, int]:
        names, defaults = self.settings_names, self.defaults
        return tuple(getattr(settings, n, d) for n, d in zip(names, defaults, strict=True))

    def started(self, obj, at: float | None = None) -> str:
        """The signed time the form was shown (tests pass `at` to act as a patient person)."""
        return signing.dumps(
            {self.id_key: obj.pk, "t": time.time() if at is None else at}, salt=self.salt
        )

    def too_fast(self, obj, token: str) -> bool:
        try:
            data = signing.loads(token or "", salt=self.salt, max_age=self.max_age)
        except signing.BadSignature:
            return True
        return (
            data.get(self.id_key) != obj.pk
            or time.time() - data.get("t", 0) < self.min_fill_seconds
        )

    def rate_limited(self, request, target: str) -> bool:
        """Count one submission from the client's address (to every target of the tenant) and
        one to `target` (its id and creation time); True past either limit."""
        per_ip, per_target, window = self.limits()
        tenant = tenant_key(request.tenant)
        ip_key = f"{self.counter}:ip:{tenant}:{client_ip(request) or 'unknown'}"
        target_key = f"{self.counter}:{self.target_kind}:{tenant}:{target}"
        over_ip = over_limit(ip_key, per_ip, window)
        over_target = over_limit(target_key, per_target, window)
        return over_ip or over_target

    def screen(self, request, obj, *, target: str, form, trap, too_many: str) -> int | None:
        """None when the submission may go on. Else SPAM for a filled honeypot, or the status
        of the page to show again: 429 past a rate limit (`too_many` added to the form's
        errors), 400 for a form sent back too fast (with a fresh time stamp)."""
        if trap.is_spam():
            log.info("%s honeypot triggered from %s", self.name, client_ip(request))
            return SPAM
        if self.rate_limited(request, target):
            form.is_valid()
            form.add_error(None, too_many)
            return 429
        if self.too_fast(obj, request.POST.get("started", "")):
            form.is_valid()
            form.add_error(None, _("Please take a moment to fill in the form, then send it again."))
            form.data = form.data.copy()
            form.data["started"] = self.started(obj)
            return 400
        return None
