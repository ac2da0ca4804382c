"""Reading a partner's contact list: a CSV with a header row (e-mail, first name, last name,
company), or the same rows as dicts (the API's JSON). No I/O and no database: each row comes
back cleaned, or as an error with its row number and the reason, so good rows are kept and
bad ones reported one by one. Addresses are compared lower-cased; a later row with the same
address is merged into the first."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from prm.errors import DomainError

FIELDS = ("email", "first_name", "last_name", "company")
LIMITS = {"email": 254, "first_name": 100, "last_name": 100, "company": 200}
# Header names people write, normalised (lower case, no spaces, dashes or underscores).
HEADERS = {
    "email": "email",
    "emailaddress": "email",
    "mail": "email",
    "firstname": "first_name",
    "givenname": "first_name",
    "vorname": "first_name",
    "lastname": "last_name",
    "surname": "last_name",
    "familyname": "last_name",
    "nachname": "last_name",
    "company": "company",
    "organisation": "company",
    "organization": "company",
    "firma": "company",
}


def max_bytes() -> int:
    return getattr(settings, "PRM_CAMPAIGN_CONTACTS_MAX_BYTES", 2 * 1024 * 1024)


def max_rows() -> int:
    return getattr(settings, "PRM_CAMPAIGN_CONTACTS_MAX_ROWS", 5000)


@dataclass(frozen=True)
class RowError:
    row: int  # 1-based; in a CSV the header is row 1, so the first contact is row 2
    email: str
    reason: str


def _key(name: str) -> str:
    return "".join(ch for ch in (name or "").lower() if ch.isalnum())


def clean_row(row: dict, number: int) -> tuple[dict | None, RowError | None]:
    values = {f: str(row.get(f) or "").strip() for f in FIELDS}
    email = values["email"].lower()
    if not email:
        return None, RowError(number, "", _("The e-mail address is missing."))
    try:
        validate_email(email)
    except ValidationError:
        return None, RowError(number, email[:254], _("This is not a valid e-mail address."))
    for f, limit in LIMITS.items():
        if len(values[f]) > limit:
            return None, RowError(
                number, email, _("%(field)s: at most %(n)s characters.") % {"field": f, "n": limit}
            )
    return {**values, "email": email, "row": number}, None


def clean_rows(rows, *, first: int = 1) -> tuple[list[dict], list[RowError]]:
    """Clean each row (numbered from `first`); rows with an address seen before are merged
    into the first one (its empty fields filled in)."""
    return clean_numbered(list(enumerate(rows, start=first)))


def clean_numbered(rows: list[tuple[int, dict]]) -> tuple[list[dict], list[RowError]]:
    if len(rows) > max_rows():
        raise DomainError(
            _("At most %(n)s contacts per upload (this has %(m)s).")
            % {"n": max_rows(), "m": len(rows)},
            field="file",
        )
    good: dict[str, dict] = {}
    errors = []
    for number, row in rows:
        if not isinstance(row, dict):
            errors.append(RowError(number, "", _("Each contact is an object.")))
            continue
        cleaned, error = clean_row(row, number)
        if error:
            errors.append(error)
            continue
        seen = good.get(cleaned["email"])
        if seen is None:
            good[cleaned["email"]] = cleaned
        else:
            for f in FIELDS:
                seen[f] = seen[f] or cleaned[f]
    return list(good.values()), errors


def read_csv(upload) -> tuple[list[dict], list[RowError]]:
    """The rows of an uploaded CSV file (UTF-8, comma or semicolon separated, header row)."""
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes():
        raise DomainError(_("The file is too large (at most 2 MB)."), field="file")
    data = upload.read(max_bytes() + 1)
    if len(data) > max_bytes():
        raise DomainError(_("The file is too large (at most 2 MB)."), field="file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DomainError(_("Save the file as CSV in UTF-8."), field="file") from None
    if "\x00" in text:
        raise DomainError(_("Save the file as CSV in UTF-8."), field="file")
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = next(reader, None)
        columns = [HEADERS.get(_key(h)) for h in header or ()]
        if "email" not in columns:
            raise DomainError(
                _("The first row must name the columns; one of them must be “email”."),
                field="file",
            )
        rows = []
        for number, values in enumerate(reader, start=2):
            if not any(v.strip() for v in values):
                continue
            rows.append((number, {c: v for c, v in zip(columns, values, strict=False) if c}))
            if len(rows) > max_rows():
                break
    except csv.Error:
        raise DomainError(_("This file cannot be read as CSV."), field="file") from None
    return clean_numbered(rows)
