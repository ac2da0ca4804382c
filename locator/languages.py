"""Languages a partner may say it serves: ISO 639-1 codes, named in the reader's language
(pycountry's translations)."""

from __future__ import annotations

import gettext

import pycountry
from django.conf import settings
from django.utils.translation import get_language

CODES = (
    "ar", "cs", "da", "de", "el", "en", "es", "fi", "fr", "he", "hi", "hu", "it", "ja", "ko",
    "nl", "no", "pl", "pt", "ro", "ru", "sv", "th", "tr", "uk", "vi", "zh",
)  # fmt: skip
LANGUAGE_CODES = frozenset(CODES)


def language_name(code: str) -> str:
    lang = pycountry.languages.get(alpha_2=code)
    if lang is None:
        return code
    current = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    tr = gettext.translation("iso639-3", pycountry.LOCALES_DIR, [current], fallback=True)
    return tr.gettext(lang.name)


def language_choices() -> list[tuple[str, str]]:
    return sorted(((c, language_name(c)) for c in CODES), key=lambda pair: pair[1])
