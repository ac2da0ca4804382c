"""The consistency check of the conflict-detection lookup data (issue #17): every active
registration's derived name columns follow its name, and its name keys (DealNameKey, kept by
triggers) follow its tokens. Run by the hourly deal sweep with repair, and by
`manage.py dealreg_check_keys --tenant SLUG [--repair]`."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from django.db import connection, transaction

from dealreg.models import ACTIVE_STATUSES, Deal, derived_name_fields
from prm.audit import log_action

ACTIVE_SQL = "(" + ", ".join(f"'{s}'" for s in ACTIVE_STATUSES) + ")"

# Per deal: the keys its tokens give (active deals only) against the keys stored, with how
# often each is stored. A deal is out of step when a key is missing, extra or duplicated.
_OUT_OF_STEP = f"""
    WITH expected AS (
        SELECT d.id AS deal_id, k.k AS key
        FROM dealreg_deal AS d, LATERAL dealreg_name_keys(d.customer_name_tokens) AS k(k)
        WHERE d.tenant_id = %(t)s AND d.status IN {ACTIVE_SQL}
    ), stored AS (
        SELECT deal_id, key, count(*) AS n FROM dealreg_dealnamekey
        WHERE tenant_id = %(t)s GROUP BY deal_id, key
    )
    SELECT coalesce(e.deal_id, s.deal_id) AS deal_id,
           count(*) FILTER (WHERE s.deal_id IS NULL) AS missing,
           count(*) FILTER (WHERE e.deal_id IS NULL) + coalesce(sum(s.n - 1), 0) AS extra
    FROM expected AS e FULL JOIN stored AS s ON s.deal_id = e.deal_id AND s.key = e.key
    WHERE e.deal_id IS NULL OR s.deal_id IS NULL OR s.n > 1
    GROUP BY 1
"""  # noqa: S608 - constant SQL, values are parameters


_REINSERT = f"""
    INSERT INTO dealreg_dealnamekey (tenant_id, deal_id, key)
    SELECT d.tenant_id, d.id, k.k
    FROM dealreg_deal AS d, LATERAL dealreg_name_keys(d.customer_name_tokens) AS k(k)
    WHERE d.tenant_id = %s AND d.id = ANY(%s) AND d.status IN {ACTIVE_SQL}
"""  # noqa: S608 - constant SQL, values are parameters


@dataclass
class KeyReport:
    deals_checked: int = 0
    names_out_of_step: int = 0
    deals_with_wrong_keys: int = 0
    keys_missing: int = 0
    keys_extra: int = 0
    repaired: bool = False

    @property
    def consistent(self) -> bool:
        return not (self.names_out_of_step or self.deals_with_wrong_keys)

    def as_dict(self) -> dict:
        return asdict(self) | {"consistent": self.consistent}


@transaction.atomic
def name_keys_check(*, tenant, repair: bool = False) -> KeyReport:
    """Compare the tenant's active registrations with their lookup data; with `repair`,
    rederive wrong name columns and recompute the keys of every deal out of step (audited).
    Runs inside the tenant's context."""
    report = KeyReport()
    wrong_names: dict[int, str] = {}
    for pk, name, normalised, tokens in (
        Deal.objects.filter(status__in=ACTIVE_STATUSES)
        .values_list("pk", "customer_name", "customer_name_normalised", "customer_name_tokens")
        .iterator(chunk_size=2000)
    ):
        report.deals_checked += 1
        derived = derived_name_fields(name)
        if (normalised, list(tokens)) != (
            derived["customer_name_normalised"],
            derived["customer_name_tokens"],
        ):
            wrong_names[pk] = name
    report.names_out_of_step = len(wrong_names)
    if repair:
        for pk, name in wrong_names.items():
            # update() rederives the name columns; when the tokens change, the update trigger
            # recomputes this deal's keys.
            Deal.objects.filter(pk=pk).update(customer_name=name)
    with connection.cursor() as cur:
        cur.execute(_OUT_OF_STEP, {"t": tenant.pk})
        rows = cur.fetchall()
    report.deals_with_wrong_keys = len(rows)
    report.keys_missing = sum(r[1] for r in rows)
    report.keys_extra = sum(r[2] for r in rows)
    if repair and rows:
        ids = [r[0] for r in rows]
        with connection.cursor() as cur:
            cur.execute(
                "DELETE FROM dealreg_dealnamekey WHERE tenant_id = %s AND deal_id = ANY(%s)",
                [tenant.pk, ids],
            )
            cur.execute(_REINSERT, [tenant.pk, ids])
    if repair and not report.consistent:
        report.repaired = True
        log_action(
            "deal.name_keys_repaired",
            tenant=tenant,
            object_type="dealreg.deal",
            object_label="name lookup keys",
            after=report.as_dict()
            | {"deals": sorted(set(wrong_names) | {r[0] for r in rows})[:200]},
        )
    return report
