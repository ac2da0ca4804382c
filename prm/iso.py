"""Countries (ISO 3166-1 alpha-2) and currencies (ISO 4217), from pycountry: the lists the
portal offers, and the one check that forms, serializers and CSV importers share.

A country is stored as its two-letter code. The portal offers a list of names; the API and CSV
imports take the code, or a name (or alpha-3 code) that names exactly one country, in English
or in a language of the portal ("Germany", "Deutschland", "DEU" are DE). Anything else is
refused, never guessed: "Germany" must not become GE (Georgia) by cutting it to two letters.
A currency is its three-letter ISO 4217 code; units that are not money (gold, testing, "no
currency") are not offered.
"""

from __future__ import annotations

import gettext
import unicodedata
from collections import defaultdict
from functools import cache

import pycountry
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

# ISO 4217 codes that are not a currency a partner program pays in: precious metals, bond
# market units, the SDR and similar units of account, the testing code and "no currency".
NOT_MONEY = frozenset(
    "XAG XAU XPD XPT XBA XBB XBC XBD XDR XSU XUA XAD XTS XXX".split()  # noqa: SIM905
)
COUNTRY_HELP = gettext_lazy(
    "ISO 3166 two-letter code, e.g. DE. A name that names one country (Germany, "
    "Deutschland) or its three-letter code (DEU) is taken as its two-letter code."
)
CURRENCY_HELP = gettext_lazy("ISO 4217 code, e.g. EUR.")
COUNTRY_CODES = frozenset(c.alpha_2 for c in pycountry.countries)
CURRENCY_CODES = frozenset(c.alpha_3 for c in pycountry.currencies) - NOT_MONEY


@cache
def _translation(domain: str, language: str):
    return gettext.translation(domain, pycountry.LOCALES_DIR, [language], fallback=True)


def _language() -> str:
    return (get_language() or settings.LANGUAGE_CODE).split("-")[0]


def _key(text: str) -> str:
    """Case, accents and spacing do not matter when a name is looked up."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.casefold().split())


def _english_names(country) -> set[str]:
    names = {country.name}
    for attr in ("official_name", "common_name"):
        if getattr(country, attr, None):
            names.add(getattr(country, attr))
    return names


@cache
def _country_index() -> dict[str, frozenset[str]]:
    """Lookup key (name or alpha-3 code) to the codes of the countries it names."""
    index: dict[str, set[str]] = defaultdict(set)
    for country in pycountry.countries:
        names = _english_names(country)
        for language, _label in settings.LANGUAGES:
            translation = _translation("iso3166-1", language)
            names |= {translation.gettext(name) for name in _english_names(country)}
        for name in [*names, country.alpha_3]:
            index[_key(name)].add(country.alpha_2)
    return {key: frozenset(codes) for key, codes in index.items()}


def country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code) if code else None
    if country is None:
        return code or ""
    name = getattr(country, "common_name", None) or country.name
    return _translation("iso3166-1", _language()).gettext(name)


def currency_name(code: str) -> str:
    currency = pycountry.currencies.get(alpha_3=code) if code else None
    if currency is None:
        return code or ""
    return _translation("iso4217", _language()).gettext(currency.name)


def country_choices() -> list[tuple[str, str]]:
    """(code, name in the active language), by name."""
    return _country_choices(_language())


@cache
def _country_choices(language: str) -> list[tuple[str, str]]:
    translation = _translation("iso3166-1", language)
    rows = []
    for country in pycountry.countries:
        name = getattr(country, "common_name", None) or country.name
        rows.append((country.alpha_2, translation.gettext(name)))
    return sorted(rows, key=lambda row: _key(row[1]))


def currency_choices() -> list[tuple[str, str]]:
    """(code, "EUR – Euro"), by code."""
    return _currency_choices(_language())


@cache
def _currency_choices(language: str) -> list[tuple[str, str]]:
    translation = _translation("iso4217", language)
    return [
        (c.alpha_3, f"{c.alpha_3} – {translation.gettext(c.name)}")
        for c in sorted(pycountry.currencies, key=lambda c: c.alpha_3)
        if c.alpha_3 in CURRENCY_CODES
    ]


# --- The one check ------------------------------------------------------------------------


def parse_country(value) -> str:
    """The two-letter code of the country `value` names ("" for blank), or ValidationError."""
    text = str(value or "").strip()
    if not text:
        return ""
    if len(text) == 2 and text.upper() in COUNTRY_CODES:
        return text.upper()
    codes = _country_index().get(_key(text), frozenset())
    if len(codes) == 1:
        return next(iter(codes))
    raise ValidationError(
        _(
            "%(value)s is not a country we know: use its two-letter ISO 3166 code (e.g. DE) "
            "or its name."
        )
        % {"value": text[:60]},
        code="invalid_country",
    )


def parse_currency(value) -> str:
    """The ISO 4217 code `value` is ("" for blank), or ValidationError."""
    text = str(value or "").strip().upper()
    if not text:
        return ""
    if text in CURRENCY_CODES:
        return text
    raise ValidationError(
        _("%(value)s is not an ISO 4217 currency code (e.g. EUR or USD).") % {"value": text[:60]},
        code="invalid_currency",
    )


def validate_country(value) -> None:
    """Model/serializer validator: the stored code must be an ISO 3166 alpha-2 code."""
    if value and value not in COUNTRY_CODES:
        parse_country(value)  # raises with the message above (a name is not a stored code)
        raise ValidationError(_("Use the two-letter ISO 3166 code."), code="invalid_country")


def validate_currency(value) -> None:
    if value and value not in CURRENCY_CODES:
        parse_currency(value)


# --- Portal form fields -------------------------------------------------------------------


class IsoChoiceField(forms.ChoiceField):
    """A select of ISO names. A value stored before the lists were checked (not an ISO code)
    is shown as it is, so saving the form never silently blanks it; it must be changed."""

    def __init__(
        self, *, codes: frozenset[str], choices, invalid: str, required: bool = False, **kwargs
    ):
        self.codes = codes
        self._iso_choices = choices
        super().__init__(choices=self._choices_with_blank, required=required, **kwargs)
        self.error_messages["invalid_choice"] = invalid

    def _choices_with_blank(self):
        return [("", "—"), *self._iso_choices()]

    def show_stored(self, value: str) -> None:
        if value and value not in self.codes:
            label = _("%(value)s (not an ISO code: choose again)") % {"value": value}
            self.choices = [*self.choices, (value, label)]

    def to_python(self, value) -> str:
        return super().to_python(value).strip().upper()

    def valid_value(self, value) -> bool:
        return value in self.codes


def country_field(**kwargs) -> IsoChoiceField:
    kwargs.setdefault("label", gettext_lazy("Country"))
    return IsoChoiceField(
        codes=COUNTRY_CODES,
        choices=country_choices,
        invalid=gettext_lazy(
            "Choose a country from the list: %(value)s is not an ISO country code (ISO 3166)."
        ),
        **kwargs,
    )


def currency_field(**kwargs) -> IsoChoiceField:
    kwargs.setdefault("label", gettext_lazy("Currency"))
    return IsoChoiceField(
        codes=CURRENCY_CODES,
        choices=currency_choices,
        invalid=gettext_lazy(
            "Choose a currency from the list: %(value)s is not an ISO currency code (ISO 4217)."
        ),
        **kwargs,
    )
