"""Exchange rates: enter one, import a CSV."""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from mdf.models import (
    ExchangeRate,
)
from mdf.services._common import (
    _require,
)
from prm import imports
from prm.audit import log_action
from prm.errors import DomainError
from prm.models import Member

# --- Exchange rates -----------------------------------------------------------------------


def currency_parse(value: str, field: str) -> str:
    """An ISO 4217 code (prm.iso); anything else, blank included, is an error on `field`."""
    if not (value or "").strip():
        raise DomainError(_("Use a three-letter ISO 4217 code."), field=field)
    return imports.currency(value, field)


def rate_parse(value) -> Decimal:
    try:
        rate = Decimal(str(value).strip())
    except (InvalidOperation, TypeError, ValueError):
        raise DomainError(_("Enter a number such as 1.0825."), field="rate")
    if not rate.is_finite() or rate <= 0 or rate >= Decimal("10000000000"):
        raise DomainError(_("Enter a rate greater than zero."), field="rate")
    if rate != rate.quantize(Decimal("0.00000001")):
        raise DomainError(_("Use at most eight decimal places."), field="rate")
    return rate


@transaction.atomic
def exchange_rate_set(
    *,
    tenant,
    by: Member | None,
    from_currency: str,
    to_currency: str,
    rate,
    valid_from: datetime.date,
) -> ExchangeRate:
    """Enter (or correct) the rate valid from a day. Claims approved earlier keep the rate
    stored on them."""
    if by is not None:
        _require(by, "mdf.admin")
    frm = currency_parse(from_currency, "from_currency")
    to = currency_parse(to_currency, "to_currency")
    if frm == to:
        raise DomainError(_("Choose two different currencies."), field="to_currency")
    rate = rate_parse(rate)
    obj = ExchangeRate.objects.filter(
        from_currency=frm, to_currency=to, valid_from=valid_from
    ).first()
    before = {"rate": obj.rate} if obj else None
    if obj is None:
        obj = ExchangeRate.objects.create(
            tenant=tenant,
            from_currency=frm,
            to_currency=to,
            rate=rate,
            valid_from=valid_from,
            created_by=by,
        )
    elif obj.rate != rate:
        obj.rate = rate
        obj.created_by = by
        obj.save(update_fields=["rate", "created_by"])
    log_action(
        "mdf.exchange_rate.set",
        obj=obj,
        before=before,
        after={"from": frm, "to": to, "rate": rate, "valid_from": valid_from},
    )
    return obj


RATE_COLUMNS = ("from_currency", "to_currency", "rate", "valid_from")
MAX_IMPORT_ROWS = 5000


@dataclass
class RateImport:
    rows: list[dict] = field(default_factory=list)
    dry_run: bool = True

    @property
    def errors(self) -> int:
        return sum(1 for r in self.rows if r["action"] == "error")

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r["action"] == action)

    @property
    def created(self) -> int:
        return self.count("create")

    @property
    def updated(self) -> int:
        return self.count("update")

    @property
    def unchanged(self) -> int:
        return self.count("unchanged")

    @property
    def applied(self) -> bool:
        return not self.dry_run and not self.errors


@transaction.atomic
def exchange_rates_import(*, tenant, by: Member | None, text: str, dry_run: bool) -> RateImport:
    """Import rates from CSV (header: from_currency,to_currency,rate,valid_from with dates as
    YYYY-MM-DD). Every row is checked and classified (create, update, unchanged, error); with
    `dry_run`, or when any row has an error, nothing is written."""
    if by is not None:
        _require(by, "mdf.admin")
    result = RateImport(dry_run=dry_run)
    reader = csv.DictReader(io.StringIO(text or ""))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    if set(RATE_COLUMNS) - set(header):
        raise DomainError(
            _("The first line must name the columns: %(c)s.") % {"c": ",".join(RATE_COLUMNS)},
            field="file",
        )
    reader.fieldnames = header
    try:
        raw_rows = list(reader)
    except csv.Error as exc:
        raise DomainError(_("The file is not valid CSV: %(e)s") % {"e": exc}, field="file")
    if len(raw_rows) > MAX_IMPORT_ROWS:
        raise DomainError(
            _("At most %(n)s rows per import.") % {"n": MAX_IMPORT_ROWS}, field="file"
        )
    existing = {
        (r.from_currency, r.to_currency, r.valid_from): r.rate for r in ExchangeRate.objects.all()
    }
    seen: set[tuple] = set()
    for line, raw in enumerate(raw_rows, start=2):
        row = {k: (raw.get(k) or "").strip() for k in RATE_COLUMNS}
        item = {"line": line, **row, "action": "", "error": ""}
        try:
            frm = currency_parse(row["from_currency"], "from_currency")
            to = currency_parse(row["to_currency"], "to_currency")
            if frm == to:
                raise DomainError(_("Choose two different currencies."))
            rate = rate_parse(row["rate"])
            try:
                day = datetime.date.fromisoformat(row["valid_from"])
            except ValueError:
                raise DomainError(_("Use a date like 2025-01-31."))
            key = (frm, to, day)
            if key in seen:
                raise DomainError(_("The same currency pair and date appear twice."))
            seen.add(key)
            item.update(from_currency=frm, to_currency=to, rate=rate, valid_from=day)
            if key not in existing:
                item["action"] = "create"
            elif existing[key] != rate:
                item.update(action="update", previous=existing[key])
            else:
                item["action"] = "unchanged"
        except DomainError as exc:
            item.update(action="error", error=exc.message)
        result.rows.append(item)
    if not result.rows:
        raise DomainError(_("The file has no rows."), field="file")
    if dry_run or result.errors:
        return result
    to_write = [r for r in result.rows if r["action"] in ("create", "update")]
    ExchangeRate.objects.bulk_create(
        [
            ExchangeRate(
                tenant=tenant,
                from_currency=r["from_currency"],
                to_currency=r["to_currency"],
                rate=r["rate"],
                valid_from=r["valid_from"],
                created_by=by,
            )
            for r in to_write
        ],
        update_conflicts=True,
        unique_fields=["tenant", "from_currency", "to_currency", "valid_from"],
        update_fields=["rate", "created_by"],
    )
    log_action(
        "mdf.exchange_rate.imported",
        object_type="mdf.exchangerate",
        after={"created": result.created, "updated": result.updated},
    )
    return result
