"""One label table for the codes people would otherwise read raw: audit actions, event types,
and choice codes that reach a template without their model (rows of a report, a dict).

The core fills it with what it owns (its event catalogue, its own audit actions); apps add
theirs in `AppConfig.ready()` with `register(kind, {code: label})` or `register_choices(kind,
SomeTextChoices)`. `label(kind, code)` is what templates use (`{{ code|label:"action" }}` in
`prm.templatetags.fmt`). A code nobody registered is still shown readably: "tier.updated"
becomes "Tier updated", never the code itself.
"""

from __future__ import annotations

import importlib
from collections import defaultdict
from typing import Any

from django.apps import apps as django_apps
from django.utils.translation import gettext_lazy as _

ACTION = "action"  # audit trail actions (prm.audit.log_action)
EVENT = "event"  # event types of the catalogue (prm.events)

# Words a humanised code shows in capitals.
ACRONYMS = {
    w: w.upper() for w in ("api", "crm", "csv", "ip", "isv", "mdf", "mfa", "msp", "pdf", "sso")
}

_LABELS: dict[str, dict[str, Any]] = defaultdict(dict)


def register(kind: str, labels: dict[str, Any]) -> None:
    """Add labels (lazy translations) for codes of `kind`; a later registration wins."""
    _LABELS[kind].update(labels)


def register_choices(kind: str, choices) -> None:
    """Register a Django `TextChoices` (or a list of (code, label) pairs) under `kind`."""
    pairs = choices.choices if hasattr(choices, "choices") else choices
    register(kind, dict(pairs))


def humanize(code: str) -> str:
    """A readable fallback for an unregistered code: "tier.updated" -> "Tier updated",
    "system_integrator" -> "System integrator"."""
    words = str(code).replace(".", " ").replace("_", " ").replace("-", " ").split()
    words = [ACRONYMS.get(w.lower(), w) for w in words]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def label(kind: str, code) -> str:
    """The label of `code` of `kind`, in the active language ("" for an empty code)."""
    if code is None or code == "":
        return ""
    found = _LABELS.get(kind, {}).get(str(code))
    if found is None and kind == ACTION:
        # Many audited actions are also catalogued events ("deal.approved"): same words.
        found = _LABELS.get(EVENT, {}).get(str(code))
    return str(found) if found is not None else humanize(str(code))


def known(kind: str) -> dict[str, Any]:
    """The registered labels of `kind` (code -> lazy label), e.g. for a filter's choices."""
    return dict(_LABELS.get(kind, {}))


def ready() -> None:
    """The core's own labels: every catalogued event, and the audit actions the core writes;
    then each installed app's `<app>/audit_labels.py` (`ACTIONS`: code -> lazy label), found
    by that name, so an app that audits something names it for people there."""
    # Local import: prm.events imports the models, which are not ready when this module is.
    from prm.events import EVENTS

    register(EVENT, {code: title for code, (_group, _aud, title) in EVENTS.items()})
    for config in django_apps.get_app_configs():
        name = f"{config.name}.audit_labels"
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        register(ACTION, module.ACTIONS)
    register(
        ACTION,
        {
            "api_key.created": _("API key created"),
            "api_key.revoked": _("API key revoked"),
            "auth.login_refused": _("Sign-in refused"),
            "member.added": _("Member added"),
            "member.changed": _("Member changed"),
            "member.deactivated": _("Member deactivated"),
            "member.reactivated": _("Member reactivated"),
            "member.invited": _("Member invited"),
            "member.invitation_accepted": _("Invitation accepted"),
            "member.invitation_revoked": _("Invitation revoked"),
            "tenant.created": _("Tenant created"),
            "tenant.updated": _("Settings updated"),
            "member.updated": _("Member updated"),
            "member.role_changed": _("Member's role changed"),
            "user.created": _("Account created"),
            "user.profile_updated": _("Profile updated"),
        },
    )
