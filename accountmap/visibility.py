"""What one side may see of the other's accounts: THE one module every page, API endpoint,
export, search provider and notification of account mapping reads through.

Each side decides for its own records (`SharingRule.side` is who shares). The effective rule
of one of the sharer's populations for one partner is the override naming that partner, else
the vendor's default (partner null), else "counts only". A partner's rules always name the
partner itself. An account is in its standard population (its status) and in any custom
population of its side whose filters it matches; its level is the highest of those
populations' levels (a custom population without a rule of its own adds nothing), and the
fields shown are those of the cell that gave it that level.

Strictness:
- every query filters on the level inside SQL, and the fields a cell does not share are
  replaced by empty values inside SQL (`CASE`), so what is not shared is never read out of
  the database;
- the queries are the same whatever the levels (no early exit on "nothing shared"), so the
  time of an answer does not tell either;
- counts are per pair of standard populations only (custom ones would let two counts be
  subtracted), and a count under `min_count()` is shown as "fewer than N", never the number;
  a total adds up only the cells shown as numbers ("at least N" when some are not), so no
  subtraction recovers a suppressed cell.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Case, CharField, Exists, F, IntegerField, OuterRef, Q, Value, When
from django.db.models import Count as SqlCount
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from accountmap import people
from accountmap.models import (
    SHAREABLE_FIELDS,
    Account,
    AccountStatus,
    Level,
    Overlap,
    Population,
    SharingRule,
    Side,
)
from partners.models import Partner
from prm.roles import STAFF_ROLES, Role

RANK = {Level.HIDDEN: 0, Level.COUNTS: 1, Level.OVERLAPS: 2, Level.ALL: 3}
DEFAULT_MIN_COUNT = 5

# The model fields behind each shareable field (SHAREABLE_FIELDS): "owner" is the rep's name
# and e-mail.
FIELD_COLUMNS = {
    "status": ("status",),
    "owner": ("owner_name", "owner_email"),
    "industry": ("industry",),
    "region": ("region",),
    "country": ("country",),
    "employees": ("employees",),
}
FIELD_LABELS = {
    "status": _("Population"),
    "owner": _("Owner rep"),
    "industry": _("Industry"),
    "region": _("Region"),
    "country": _("Country"),
    "employees": _("Employees"),
}


def min_count() -> int:
    """The smallest count shown as a number (a setting, 5 by default)."""
    return int(getattr(settings, "PRM_ACCOUNTMAP_MIN_COUNT", DEFAULT_MIN_COUNT))


@dataclass(frozen=True)
class Count:
    """A count as it may be shown: the number, or None when below the threshold."""

    value: int | None
    threshold: int

    @property
    def below(self) -> bool:
        return self.value is None

    def __str__(self) -> str:
        if self.value is None:
            return str(_("fewer than %(n)d") % {"n": self.threshold})
        return str(self.value)

    def as_api(self) -> dict:
        return {"value": self.value, "fewer_than": self.threshold if self.value is None else None}


def shown(n: int) -> Count:
    t = min_count()
    return Count(n if n >= t else None, t)


# --- The sharer's cells --------------------------------------------------------------------


@dataclass
class Cell:
    """One population of the sharer, with its effective rule for one partner."""

    key: str  # "status:customer" or "population:<id>"
    label: str
    level: str
    fields: list[str]
    status: str = ""
    population: Population | None = None
    # Where the level comes from: "override", "default" or "implicit" (no row: counts).
    origin: str = "implicit"
    rule: SharingRule | None = field(default=None, repr=False)

    @property
    def rank(self) -> int:
        return RANK[self.level]

    def q(self, prefix: str = "") -> Q:
        if self.status:
            return Q(**{f"{prefix}status": self.status})
        return population_q(self.population, prefix)


def population_q(pop: Population, prefix: str = "") -> Q:
    """The accounts a custom population holds (its filters; an empty filter matches all)."""
    q = Q()
    if pop.statuses:
        q &= Q(**{f"{prefix}status__in": pop.statuses})
    if pop.industries:
        q &= Q(**{f"{prefix}industry__in": pop.industries})
    if pop.regions:
        q &= Q(**{f"{prefix}region__in": pop.regions})
    if pop.countries:
        q &= Q(**{f"{prefix}country__in": pop.countries})
    if pop.min_employees is not None:
        q &= Q(**{f"{prefix}employees__gte": pop.min_employees})
    if pop.max_employees is not None:
        q &= Q(**{f"{prefix}employees__lte": pop.max_employees})
    return q


def sharer_populations(side: str, partner) -> list[Population]:
    """The custom populations of the sharing side (the vendor's, or this partner's)."""
    owner = None if side == Side.VENDOR else partner
    return list(Population.objects.filter(partner=owner).order_by("name", "pk"))


def cells(side: str, partner, *, with_implicit_custom: bool = False) -> list[Cell]:
    """The sharer's effective cells for `partner` (vendor: override, else default, else
    counts; partner: its own rule, else counts). `partner` None on the vendor side: the
    defaults. A custom population without any rule is left out (it adds nothing), unless
    `with_implicit_custom` (the matrix pages list every population)."""
    rules = list(
        SharingRule.objects.filter(side=side).filter(
            Q(partner__isnull=True) | Q(partner=partner) if partner else Q(partner__isnull=True)
        )
    )
    return _cells_from(
        side,
        partner,
        rules,
        sharer_populations(side, partner),
        with_implicit_custom=with_implicit_custom,
    )


def _cells_from(
    side: str, partner, rules, populations, *, with_implicit_custom: bool = False
) -> list[Cell]:
    """cells() from rows already read: the sharer's rules (defaults and this partner's
    overrides) and its custom populations."""
    by_cell: dict[tuple, dict] = {}
    for r in rules:
        by_cell.setdefault((r.status, r.population_id), {})[
            "override" if r.partner_id else "default"
        ] = r
    out: list[Cell] = []

    def effective(status: str, pop_id) -> tuple[str, SharingRule | None]:
        found = by_cell.get((status, pop_id), {})
        if side == Side.PARTNER:
            rule = found.get("override")
            return ("override" if rule else "implicit"), rule
        if partner is not None and "override" in found:
            return "override", found["override"]
        if "default" in found:
            return "default", found["default"]
        return "implicit", None

    for status, label in AccountStatus.choices:
        origin, rule = effective(status, None)
        out.append(
            Cell(
                key=f"status:{status}",
                label=str(label),
                level=rule.level if rule else Level.COUNTS,
                fields=list(rule.fields) if rule else [],
                status=status,
                origin=origin,
                rule=rule,
            )
        )
    for pop in populations:
        origin, rule = effective("", pop.pk)
        if rule is None and not with_implicit_custom:
            continue
        out.append(
            Cell(
                key=f"population:{pop.pk}",
                label=pop.name,
                level=rule.level if rule else Level.COUNTS,
                fields=list(rule.fields) if rule else [],
                population=pop,
                origin=origin,
                rule=rule,
            )
        )
    return out


# --- SQL pieces ----------------------------------------------------------------------------


def _ranked(cell_list: list[Cell]) -> list[tuple[int, Cell]]:
    """The cells, highest level first (the first matching `WHEN` wins)."""
    return sorted(enumerate(cell_list), key=lambda ic: (-ic[1].rank, ic[0]))


def _cell_expr(cell_list: list[Cell], prefix: str) -> Case:
    return Case(
        *[When(c.q(prefix), then=Value(i)) for i, c in _ranked(cell_list)],
        default=Value(-1),
        output_field=IntegerField(),
    )


def _rank_expr(cell_list: list[Cell], prefix: str) -> Case:
    return Case(
        *[When(c.q(prefix), then=Value(c.rank)) for _i, c in _ranked(cell_list)],
        default=Value(RANK[Level.HIDDEN]),
        output_field=IntegerField(),
    )


def _masked(cell_list: list[Cell], cell_ref: str, prefix: str, name: str, column: str):
    """`column` of the account where its cell shares `name`, else empty (inside SQL)."""
    sharing = [i for i, c in enumerate(cell_list) if name in c.fields]
    model_field = Account._meta.get_field(column)
    empty = Value(None, output_field=model_field) if model_field.null else Value("")
    return Case(
        When(Q(**{f"{cell_ref}__in": sharing or [-2]}), then=F(f"{prefix}{column}")),
        default=empty,
        output_field=model_field.__class__(**({"null": True} if model_field.null else {})),
    )


def shared_columns(cell_list: list[Cell], cell_ref: str, prefix: str, out: str) -> dict:
    """Annotations `<out>_<column>` of the sharer's account, each masked per its cell."""
    ann = {f"{out}_name": F(f"{prefix}name"), f"{out}_domain": F(f"{prefix}domain")}
    for name, columns in FIELD_COLUMNS.items():
        for column in columns:
            ann[f"{out}_{column}"] = _masked(cell_list, cell_ref, prefix, name, column)
    return ann


def _fields_expr(cell_list: list[Cell], cell_ref: str) -> Case:
    """The comma-separated shared field names of the row's cell (for pages and the API)."""
    return Case(
        *[When(**{cell_ref: i}, then=Value(",".join(c.fields))) for i, c in enumerate(cell_list)],
        default=Value(""),
        output_field=CharField(),
    )


# --- Who looks at whom ---------------------------------------------------------------------


@dataclass(frozen=True)
class View:
    """One member looking at one partner's account map: `sharer` is the side whose records
    the viewer sees through rules (the other side), `own` the viewer's side."""

    partner: object
    sharer: str
    viewer_is_staff: bool

    @property
    def own_prefix(self) -> str:
        return "vendor_account__" if self.sharer == Side.PARTNER else "partner_account__"

    @property
    def other_prefix(self) -> str:
        return "partner_account__" if self.sharer == Side.PARTNER else "vendor_account__"


def view_for(member, partner=None) -> View:
    """Staff look at `partner`'s side (partner rules); partner people at the vendor's side
    for their own company (vendor rules). Anyone else has no view (PermissionError)."""
    if member.role in STAFF_ROLES:
        if partner is None:
            raise PermissionError("staff views name a partner")
        return View(partner=partner, sharer=Side.PARTNER, viewer_is_staff=True)
    if member.partner_id is None:
        raise PermissionError("no partner")
    return View(partner=member.partner, sharer=Side.VENDOR, viewer_is_staff=False)


def _overlaps_annotated(view: View):
    cell_list = cells(view.sharer, view.partner)
    qs = Overlap.objects.filter(partner=view.partner).annotate(
        _cell=_cell_expr(cell_list, view.other_prefix),
        _rank=_rank_expr(cell_list, view.other_prefix),
    )
    return qs, cell_list


OWN_COLUMNS = ("name", "domain", "status", "owner_name", "owner_email", "industry", "region")
OWN_COLUMNS += ("country", "employees")


def overlaps(view: View):
    """The overlaps the sharer shows at `overlaps` or `all`: a values() queryset with the
    viewer's own account (`own_*`, all of it: their own data) and the other side's
    (`other_*`, masked per cell; `other_fields`: the names shared)."""
    qs, cell_list = _overlaps_annotated(view)
    own = {f"own_{c}": F(f"{view.own_prefix}{c}") for c in OWN_COLUMNS}
    own["own_id"] = F(f"{view.own_prefix}id")
    other = shared_columns(cell_list, "_cell", view.other_prefix, "other")
    other["other_fields"] = _fields_expr(cell_list, "_cell")
    other["other_id"] = F(f"{view.other_prefix}id")
    return (
        qs.filter(_rank__gte=RANK[Level.OVERLAPS])
        .annotate(**own, **other)
        .values("id", "matched_on", "created_at", "_cell", *own, *other)
    )


def overlap_or_none(view: View, pk) -> dict | None:
    """One shared overlap (for acting on it), or None (not there, or not shared)."""
    return overlaps(view).filter(pk=pk).first()


def overlap_counts(view: View) -> dict:
    """Counts per pair of standard populations (own status x other status) of the overlaps
    the sharer shows at `counts` or more, each through `shown()`; the total of the shown
    cells."""
    qs, _cells = _overlaps_annotated(view)
    rows = (
        qs.filter(_rank__gte=RANK[Level.COUNTS])
        .values(own=F(f"{view.own_prefix}status"), other=F(f"{view.other_prefix}status"))
        .annotate(n=Coalesce(SqlCount("id"), 0))
        .order_by()
    )
    return _counts_from({(r["own"], r["other"]): r["n"] for r in rows})


def overlap_counts_for_partners(partners) -> dict[int, dict]:
    """Vendor staff's overview: overlap_counts() of each partner's view (what each partner
    shares), in three queries whatever the number of partners: their rules, their custom
    populations, and the counts of all of them at once (each partner's cells in one `CASE`,
    guarded by the partner)."""
    partners = list(partners)
    ids = [p.pk for p in partners]
    rules = list(SharingRule.objects.filter(side=Side.PARTNER, partner_id__in=ids))
    pops = list(Population.objects.filter(partner_id__in=ids).order_by("name", "pk"))
    whens = []
    for p in partners:
        cell_list = _cells_from(
            Side.PARTNER,
            p,
            [r for r in rules if r.partner_id == p.pk],
            [x for x in pops if x.partner_id == p.pk],
        )
        whens += [
            When(Q(partner_id=p.pk) & c.q("partner_account__"), then=Value(c.rank))
            for _i, c in _ranked(cell_list)
        ]
    raw: dict[int, dict] = {}
    if whens:
        rows = (
            Overlap.objects.filter(partner_id__in=ids)
            .annotate(
                _rank=Case(*whens, default=Value(RANK[Level.HIDDEN]), output_field=IntegerField())
            )
            .filter(_rank__gte=RANK[Level.COUNTS])
            .values(
                "partner_id", own=F("vendor_account__status"), other=F("partner_account__status")
            )
            .annotate(n=Coalesce(SqlCount("id"), 0))
            .order_by()
        )
        for r in rows:
            raw.setdefault(r["partner_id"], {})[(r["own"], r["other"])] = r["n"]
    return {p.pk: _counts_from(raw.get(p.pk, {})) for p in partners}


def _counts_from(raw: dict) -> dict:
    """The counts as they may be shown, from raw counts per (own status, other status)."""
    statuses = [s for s, _label in AccountStatus.choices]
    matrix = {(a, b): shown(raw.get((a, b), 0)) for a in statuses for b in statuses}
    # The total is the sum of the cells shown as numbers: a total of every overlap, less the
    # shown cells, would give away the sum of the suppressed ones.
    any_below = any(c.below for c in matrix.values())
    total = sum(c.value for c in matrix.values() if not c.below)
    return {
        "matrix": matrix,
        "rows": [(label, [matrix[(a, b)] for b in statuses]) for a, label in AccountStatus.choices],
        "statuses": AccountStatus.choices,
        "total": total,
        "total_exact": not any_below,
        "threshold": min_count(),
    }


def greenfield(view: View):
    """The sharer's accounts at level `all` that the viewer's side does not have (no overlap
    with this partner): a values() queryset masked per cell."""
    cell_list = cells(view.sharer, view.partner)
    side_filter = Q(partner__isnull=True) if view.sharer == Side.VENDOR else Q(partner=view.partner)
    overlap_exists = Overlap.objects.filter(partner=view.partner).filter(
        **{("vendor_account" if view.sharer == Side.VENDOR else "partner_account"): OuterRef("pk")}
    )
    qs = (
        Account.objects.filter(side_filter, is_active=True)
        .annotate(_cell=_cell_expr(cell_list, ""), _rank=_rank_expr(cell_list, ""))
        .annotate(_has=Exists(overlap_exists))
        .filter(_rank__gte=RANK[Level.ALL], _has=False)
    )
    ann = shared_columns(cell_list, "_cell", "", "other")
    ann["other_fields"] = _fields_expr(cell_list, "_cell")
    return qs.annotate(**ann).values("id", "_cell", *ann)


def accounts_known_visible_to(member):
    """The vendor accounts whose partners `member` may look up ("which partners know this
    account"): every one for vendor staff, the accounts a sales rep sells (owned or in their
    territories: accountmap.people.my_accounts) for a rep, none for anyone else."""
    vendor = Account.objects.filter(partner__isnull=True)
    if member.role in STAFF_ROLES:
        return vendor
    if member.role == Role.SALES_REP and member.partner_id is None:
        return vendor.filter(pk__in=people.my_accounts(member).values("pk"))
    return vendor.none()


def partners_knowing_many(member, accounts) -> dict[int, list[dict]]:
    """For each of `accounts` that `member` may look up (accounts_known_visible_to), the
    partners whose accounts overlap it, within what each partner shares (its rule for its
    own account's population, `overlaps` or more), with the partner account's fields as
    shared: {account id: [row, ...]} (rows of `overlaps()` with `partner_name` and
    `partner_id`). One query for the partners, then one per partner (its rules and its
    overlaps), the same whatever they share."""
    ids = [a.pk for a in accounts if a.partner_id is None]
    allowed = set(accounts_known_visible_to(member).filter(pk__in=ids).values_list("pk", flat=True))
    out: dict[int, list[dict]] = {pk: [] for pk in ids if pk in allowed}
    if not out:
        return out
    partner_ids = (
        Overlap.objects.filter(vendor_account_id__in=list(out))
        .values_list("partner_id", flat=True)
        .distinct()
    )
    for partner in Partner.objects.filter(pk__in=list(partner_ids)).order_by("name", "pk"):
        view = View(partner=partner, sharer=Side.PARTNER, viewer_is_staff=True)
        for row in overlaps(view).filter(vendor_account_id__in=list(out)).order_by("id"):
            row["partner_name"] = partner.name
            row["partner_id"] = partner.pk
            row["partner"] = partner
            out[row["own_id"]].append(row)
    return out


def partners_knowing_mine(member) -> list[dict]:
    """For a vendor member's home card: the partners whose accounts overlap the member's own
    accounts (people.my_accounts, within accounts_known_visible_to), within what each partner
    shares (its cells, custom populations included: `overlaps` or more), as
    [{"partner_id", "name", "accounts", "opportunities"}], most accounts first. An
    opportunity is an account the member's side has as one, or one the partner shows as one
    where it shares the status (a status it does not share is never counted). One query for
    the partners, then one per partner, the same whatever they share."""
    mine = (
        accounts_known_visible_to(member)
        .filter(pk__in=people.my_accounts(member).order_by().values("pk"))
        .order_by()
        .values("pk")
    )
    partner_ids = Overlap.objects.filter(vendor_account__in=mine).values("partner_id")
    out = []
    for partner in Partner.objects.filter(pk__in=partner_ids).order_by("name", "pk"):
        view = View(partner=partner, sharer=Side.PARTNER, viewer_is_staff=True)
        accounts, opportunities = set(), set()
        rows = overlaps(view).filter(vendor_account__in=mine)
        for own_id, own_status, other_status in rows.values_list(
            "own_id", "own_status", "other_status"
        ):
            accounts.add(own_id)
            if AccountStatus.OPPORTUNITY in (own_status, other_status):
                opportunities.add(own_id)
        if accounts:
            out.append(
                {
                    "partner_id": partner.pk,
                    "name": partner.name,
                    "accounts": len(accounts),
                    "opportunities": len(opportunities),
                }
            )
    out.sort(key=lambda r: (-r["accounts"], r["name"].lower()))
    return out


def _brief(partner_id, name: str, row: dict) -> dict:
    return {
        "partner_id": partner_id,
        "name": name,
        "status": row["other_status"] or "",
        "owner": row["other_owner_name"] or "",
        "owner_email": row["other_owner_email"] or "",
    }


def known_by_other_side(member, accounts) -> dict[int, list[dict]]:
    """For "My accounts": who on the other side knows each of `member`'s accounts, within
    what that side shares ({account id: [{"partner_id", "name", "status", "owner",
    "owner_email"}]}; population and owner empty unless shared). For vendor people, the
    partners (partners_knowing_many, one entry per partner); for a partner's people, the
    vendor, where its rule shares its account of the overlap at `overlaps` or more (with
    its owner rep's contact when it shares the owner). A constant number of queries for a
    partner's people; one per partner for vendor people."""
    out: dict[int, list[dict]] = {}
    if member.partner_id is None:
        for account_id, rows in partners_knowing_many(member, accounts).items():
            seen: set[int] = set()
            out[account_id] = []
            for row in rows:
                if row["partner_id"] not in seen:
                    seen.add(row["partner_id"])
                    out[account_id].append(_brief(row["partner_id"], row["partner_name"], row))
        return out
    ids = [a.pk for a in accounts if a.partner_id == member.partner_id]
    if not ids:
        return out
    vendor_name = member.tenant.name
    rows = overlaps(view_for(member)).filter(partner_account_id__in=ids).order_by("id")
    for row in rows:
        entries = out.setdefault(row["own_id"], [])
        if not entries:  # one entry for the vendor, however many of its accounts match
            entries.append(_brief(None, vendor_name, row))
    return out


def partners_knowing(member, account: Account) -> list[dict]:
    """The partners that know one vendor account, within what each shares (see
    partners_knowing_many); [] for an account `member` may not look up."""
    return partners_knowing_many(member, [account]).get(account.pk, [])


def shared_row(row: dict) -> dict:
    """The other side's account of a visibility row as a plain dict (name, domain and only
    the shared fields), for the API and CSV."""
    names = [f for f in (row.get("other_fields") or "").split(",") if f in SHAREABLE_FIELDS]
    out = {"name": row["other_name"], "domain": row["other_domain"]}
    for name in SHAREABLE_FIELDS:
        if name == "owner":
            out["owner_name"] = row["other_owner_name"] if name in names else None
            out["owner_email"] = row["other_owner_email"] if name in names else None
        else:
            out[name] = row[f"other_{name}"] if name in names else None
    out["shared_fields"] = names
    return out
