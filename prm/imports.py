"""The registry of CSV importers (the import jobs themselves: the `imports` app).

An importer names its columns and gives two functions; each app keeps its own importers in
`<app>/importers.py`, imported (and so registered) by its AppConfig.ready():

* ``check(row, ctx) -> Plan``: validate one row without writing (raises DomainError or
  ValidationError); the Plan says what the row would do (create / update / unchanged) and
  carries the cleaned values.
* ``write(plan, ctx) -> str``: apply the plan with the app's own service functions and return
  "created", "updated" or "skipped". Writes are upserts on a natural or external key, so
  importing the same file twice changes nothing the second time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from prm import errors, iso, labels
from prm.errors import DomainError
from prm.models import Member
from prm.roles import has_perm


@dataclass
class Plan:
    action: str  # "create", "update" or "unchanged"
    label: str
    values: dict[str, Any] = field(default_factory=dict)


@dataclass
class Importer:
    kind: str
    label: Any
    capability: str
    columns: tuple[str, ...]
    required: tuple[str, ...]
    check: Callable[[dict, dict], Plan]
    write: Callable[[Plan, dict], str]
    help: Any = ""
    back_url: str = ""  # URL name of the list page the import feeds
    # Loads lookups once per preview or batch (tiers, programs, existing keys...).
    context: Callable[[Member], dict] = lambda member: {}


REGISTRY: dict[str, Importer] = {}


def register(importer: Importer) -> Importer:
    if importer.kind in REGISTRY:
        raise ValueError(f"importer {importer.kind!r} registered twice")
    REGISTRY[importer.kind] = importer
    labels.register("import", {importer.kind: importer.label})  # the jobs list shows the label
    return importer


def importer_for(kind: str) -> Importer | None:
    return REGISTRY.get(kind)


def importers_for(member: Member) -> list[Importer]:
    return [i for i in REGISTRY.values() if has_perm(member.role, i.capability)]


def choice(value: str, choices, field: str) -> str:
    """A choice by its value or its label, case-insensitively."""
    wanted = value.strip().lower()
    for key, label in choices:
        if wanted in (str(key).lower(), str(label).lower()):
            return key
    raise DomainError(
        _("Use one of: %(c)s.") % {"c": ", ".join(str(k) for k, _label in choices)},
        field=field,
    )


def limited(value: str, limit: int, field: str) -> str:
    """The value if it fits its column; longer is a row error, never cut short."""
    return errors.limited(value, limit, field)


def country(value: str, field: str = "country") -> str:
    """An ISO 3166 code, or a name that names exactly one country (prm.iso)."""
    try:
        return iso.parse_country(value)
    except ValidationError as exc:
        raise DomainError(exc.messages[0], field=field)


def currency(value: str, field: str = "currency") -> str:
    try:
        return iso.parse_currency(value)
    except ValidationError as exc:
        raise DomainError(exc.messages[0], field=field)
