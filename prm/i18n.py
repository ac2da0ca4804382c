"""Text in the reader's language when the writer's language is not theirs.

E-mails are often built in a Celery task (no request, so English is active) or by one
person's request for another person (a manager's decision mailed to a partner). Two helpers:

* lazy_format(message, **params): `message % params`, translated only when it is turned into
  text, so a subject made once can be rendered per recipient under translation.override().
* recipient_language(emails): the language to write to these addresses in.
* content_language(code): frame content written in `code` (a campaign kit's copy) in that
  language where the product speaks it, else in the default.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise, lazy

from prm.models import User

LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}


def _format(message, params: dict) -> str:
    values = {k: str(v) if isinstance(v, Promise) else v for k, v in params.items()}
    return str(message) % values if values else str(message)


_lazy_format = lazy(_format, str)


def lazy_format(message, /, **params) -> str:
    """`message` (a gettext_lazy / ngettext_lazy string) with `params` filled in, translated
    in whatever language is active when the result is used, not when it is made."""
    return _lazy_format(message, params)


def recipient_language(emails: Iterable[str], *, default: str | None = None) -> str:
    """The language of the person behind these addresses: their own choice (User.language)
    when they all share one, else `default` (the tenant's), else settings.LANGUAGE_CODE.
    People who have no account yet (applicants, invitees) get the default."""
    emails = {e.lower() for e in emails if e}
    chosen = {
        lang
        for lang in User.objects.filter(email__in=emails).values_list("language", flat=True)
        if lang in LANGUAGE_CODES
    }
    if len(chosen) == 1:
        return chosen.pop()
    if default in LANGUAGE_CODES:
        return default
    return settings.LANGUAGE_CODE


def recipient_languages(emails: Iterable[str], *, default: str | None = None) -> dict[str, str]:
    """Each address with the language to write to it in (see recipient_language), in one
    query: mandatory mails to several people are grouped by it."""
    fallback = default if default in LANGUAGE_CODES else settings.LANGUAGE_CODE
    emails = [e for e in emails if e]

    chosen = {
        email.lower(): lang
        for email, lang in User.objects.filter(email__in={e.lower() for e in emails}).values_list(
            "email", "language"
        )
        if lang in LANGUAGE_CODES
    }
    return {e: chosen.get(e.lower(), fallback) for e in emails}


def content_language(code: str | None):
    """translation.override() for the words around content written in `code`: the product's
    own text (labels, footers, errors) joins the content's language when the product has a
    translation for it, else stays in settings.LANGUAGE_CODE, never a mix of a third."""
    return translation.override(code if code in LANGUAGE_CODES else settings.LANGUAGE_CODE)
