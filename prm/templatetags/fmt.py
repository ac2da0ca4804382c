"""The portal's one formatting vocabulary (`{% load fmt %}`):

* `{{ amount|money:currency }}`, `{{ amount|money0:currency }}`: an amount with its currency
  (prm_l10n; money0 without cents, for lists and summaries);
* `{{ value|percent }}`: percentage points for people ("42 %", "12.5 %");
  `{{ share|share }}`: a fraction 0..1 as a percentage ("0.42" -> "42 %");
* `{{ value|ratio }}`: a ratio such as a return on investment ("11.2×");
* `{{ user|person }}` / `{{ user|person:fallback_email }}`: a person by name with the
  e-mail on hover, the e-mail when there is no name;
* `{{ code|label:"action" }}`: the human label of a code (prm.labels: audit actions, event
  types, and choices apps registered);
* `{{ e.object_type|model_label }}`: a model's name ("dealreg.deal" -> "Deal");
* `{{ code|country }}`: a country's name from its ISO code (prm.iso);
* `{{ text|truncate:40 }}`: long text cut with "…" and the whole value on hover.

Dates use the named formats (`|date:"DATE_FORMAT"`, `|date:"DATETIME_FORMAT"`), which
prm/formats/<language>/formats.py set once per language.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.apps import apps
from django.utils import formats
from django.utils.html import format_html
from django.utils.translation import pgettext

from prm import iso, labels
from prm.templatetags.prm_l10n import format_money

register = template.Library()

DASH = "—"


def _decimal(value) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def format_number(value, decimals: int = 1) -> str:
    """`value` rounded half up to at most `decimals` places, trailing zeros dropped, with the
    active language's separators ("12.5", "12,5", "1,234")."""
    number = _decimal(value)
    if number is None:
        return DASH
    number = number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    digits = format(number, "f")
    # Keep only the places that carry a digit: 12.50 -> 12.5, 12.0 -> 12.
    places = len(digits.split(".")[1].rstrip("0")) if "." in digits else 0
    return formats.number_format(number, decimal_pos=places, use_l10n=True, force_grouping=True)


def format_percent(value, decimals: int = 1) -> str:
    """Percentage points as people read them: "42 %", "12.5 %" ("42 %" in German too)."""
    if _decimal(value) is None:
        return DASH
    # Translators: a percentage, e.g. "42 %" (a space in it is shown as a no-break space).
    text = pgettext("percentage", "{value} %").format(value=format_number(value, decimals))
    return text.replace(" ", "\u00a0")


def format_share(value, decimals: int = 1) -> str:
    """A fraction (0.42) as a percentage ("42 %")."""
    number = _decimal(value)
    return DASH if number is None else format_percent(number * 100, decimals)


def format_ratio(value, decimals: int = 1) -> str:
    """A ratio, e.g. a return on investment, as "11.2×"."""
    if _decimal(value) is None:
        return DASH
    # Translators: a ratio such as a return on investment, e.g. "11.2×".
    return pgettext("ratio", "{value}×").format(value=format_number(value, decimals))


@register.filter
def money(amount, currency=None) -> str:
    """`{{ deal.amount|money:deal.currency }}`: with cents."""
    return format_money(amount, currency)


@register.filter
def money0(amount, currency=None) -> str:
    """`{{ total|money0:currency }}`: rounded to whole units, for lists and summaries."""
    return format_money(amount, currency, decimals=0)


@register.filter
def number(value, decimals=1) -> str:
    return format_number(value, int(decimals))


@register.filter
def percent(value, decimals=1) -> str:
    return format_percent(value, int(decimals))


@register.filter
def share(value, decimals=1) -> str:
    return format_share(value, int(decimals))


@register.filter
def ratio(value, decimals=1) -> str:
    return format_ratio(value, int(decimals))


@register.filter
def person(who, fallback="") -> str:
    """A person (User, Member, or an e-mail address) by name, the e-mail on hover.

    `{{ event.actor|person:event.actor_label }}`: the label is shown when the user is gone."""
    user = getattr(who, "user", who)  # a Member carries its User
    email = getattr(user, "email", None)
    if email is None:
        text = str(who or fallback or "").strip()
        if not text:
            return DASH
        return format_html('<span title="{}">{}</span>', text, text) if "@" in text else text
    name = (getattr(user, "full_name", "") or "").strip()
    if not name:
        return email
    return format_html('<span title="{}">{}</span>', email, name)


@register.filter
def label(code, kind) -> str:
    """`{{ e.action|label:"action" }}` -> "Tier updated"."""
    return labels.label(kind, code) or DASH


@register.filter
def model_label(label_lower) -> str:
    """`{{ e.object_type|model_label }}`: "dealreg.deal" -> "Deal" (the model's verbose name)."""
    if not label_lower:
        return ""
    try:
        model = apps.get_model(str(label_lower))
    except (LookupError, ValueError):
        return labels.humanize(str(label_lower).rpartition(".")[2])
    name = str(model._meta.verbose_name)
    return name[:1].upper() + name[1:]


@register.filter
def country(code) -> str:
    """`{{ partner.country|country }}` -> "Germany" ("Deutschland" in German)."""
    return iso.country_name(code) if code else DASH


@register.filter
def truncate(text, length=60) -> str:
    """Text longer than `length` characters cut with "…", the whole text on hover."""
    if text is None or text == "":
        return ""
    text = str(text)
    length = int(length)
    if len(text) <= length:
        return text
    return format_html('<span title="{}">{}…</span>', text, text[: length - 1].rstrip())
