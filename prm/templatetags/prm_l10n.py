"""Locale-aware formatting for templates: `{{ amount|money:currency }}` (load prm_l10n)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils import formats
from django.utils.translation import pgettext

register = template.Library()

# Symbols people recognise; other ISO 4217 codes are shown as the code itself.
SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "INR": "₹"}


def format_money(amount, currency: str | None, *, decimals: int = 2) -> str:
    """`amount` with grouping and decimal separator of the active language and the currency
    placed as that language places it ("€1,234.50" in English, "1.234,50 €" in German).

    None and non-numbers give "—", so a missing amount never renders as "None"."""
    if amount is None or amount == "":
        return "—"
    try:
        value = Decimal(str(amount))
    except (InvalidOperation, ValueError):
        return "—"
    # Round half up first: number_format alone would cut the extra digits off.
    value = value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    number = formats.number_format(
        abs(value), decimal_pos=decimals, use_l10n=True, force_grouping=True
    )
    code = (currency or "").upper()
    symbol = SYMBOLS.get(code)
    if symbol:
        # Translators: how an amount and its currency symbol are combined, e.g. "€1,234.50".
        text = pgettext("money with symbol", "{symbol}{amount}").format(
            symbol=symbol, amount=number
        )
    elif code:
        # Translators: an amount with a currency code that has no symbol, e.g. "CHF 1,234.50".
        text = pgettext("money with code", "{code} {amount}").format(code=code, amount=number)
    else:
        text = number
    return f"−{text}" if value < 0 else text


@register.filter
def money(amount, currency: str | None = None) -> str:
    """`{{ deal.amount|money:deal.currency }}`."""
    return format_money(amount, currency)


@register.filter
def money0(amount, currency: str | None = None) -> str:
    """Like `money`, without decimals: for summaries and lists of large amounts."""
    return format_money(amount, currency, decimals=0)
