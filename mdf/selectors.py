"""Reads for market development funds. Balances and ROI are derived from the ledger with one
aggregate query each; nothing stores a balance."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.db.models import (
    DecimalField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from mdf.models import (
    ALLOCATION_KINDS,
    ActivityRule,
    ActivityType,
    Claim,
    ClaimStatus,
    ExchangeRate,
    FundRequest,
    LedgerEntry,
    LedgerKind,
    Program,
    ProofDocument,
    ProofKind,
    RequestStatus,
)
from partners import questions
from prm.models import AuditEvent, Member
from prm.roles import has_perm

ZERO = Decimal("0")
CENT = Decimal("0.01")
_MONEY = DecimalField(max_digits=16, decimal_places=2)


def _sum(*kinds: str):
    return Coalesce(Sum("amount", filter=Q(kind__in=kinds)), Value(ZERO), output_field=_MONEY)


def _money(expr):
    return ExpressionWrapper(expr, output_field=_MONEY)


def balances(
    *,
    program: Program | int | None = None,
    partner=None,
    programs: Iterable[int] | None = None,
    partners: Iterable[int] | None = None,
) -> QuerySet:
    """Balances per (program, partner), as dicts, from one aggregate query over the ledger:

    allocated (allocations + accruals + adjustments), committed (open commitments), claimed
    (approved claims not yet paid), paid, expired and available."""
    qs = LedgerEntry.objects.all()
    if program is not None:
        qs = qs.filter(program_id=getattr(program, "pk", program))
    if partner is not None:
        qs = qs.filter(partner_id=getattr(partner, "pk", partner))
    if programs is not None:
        qs = qs.filter(program_id__in=list(programs))
    if partners is not None:
        qs = qs.filter(partner_id__in=list(partners))
    return (
        qs.values(
            "program_id",
            "partner_id",
            "program__name",
            "program__currency",
            "partner__name",
        )
        .annotate(
            allocated=_sum(*ALLOCATION_KINDS),
            committed_total=_sum(LedgerKind.COMMIT),
            released=_sum(LedgerKind.RELEASE),
            claim_approved=_sum(LedgerKind.CLAIM_APPROVED),
            paid=_sum(LedgerKind.PAYMENT),
            expired=_sum(LedgerKind.EXPIRY),
        )
        .annotate(
            committed=_money(F("committed_total") - F("released") - F("claim_approved")),
            claimed=_money(F("claim_approved") - F("paid")),
            available=_money(F("allocated") - F("expired") - F("committed_total") + F("released")),
        )
        .order_by("-program__start_date", "program__name", "partner__name")
    )


def balance_for(*, program, partner) -> dict:
    """The balance of one partner in one program (zeros when it has no entries)."""
    row = balances(program=program, partner=partner).first()
    if row is None:
        keys = ("allocated", "committed", "claimed", "paid", "expired", "available")
        return dict.fromkeys(keys, ZERO)
    return row


def available(*, program_id: int, partner_id: int) -> Decimal:
    """Derived available balance; call it under the partner's funds lock when deciding."""
    agg = LedgerEntry.objects.filter(program_id=program_id, partner_id=partner_id).aggregate(
        v=Coalesce(
            Sum("amount", filter=Q(kind__in=ALLOCATION_KINDS)), Value(ZERO), output_field=_MONEY
        )
        - Coalesce(
            Sum("amount", filter=Q(kind__in=[LedgerKind.EXPIRY, LedgerKind.COMMIT])),
            Value(ZERO),
            output_field=_MONEY,
        )
        + Coalesce(
            Sum("amount", filter=Q(kind=LedgerKind.RELEASE)), Value(ZERO), output_field=_MONEY
        )
    )
    return agg["v"]


def program_totals(program_ids: Iterable[int] | None = None) -> dict[int, dict]:
    """Per program: allocated, committed, claimed, paid, expired (one aggregate query)."""
    qs = LedgerEntry.objects.all()
    if program_ids is not None:
        qs = qs.filter(program_id__in=list(program_ids))
    rows = (
        qs.values("program_id")
        .annotate(
            allocated=_sum(*ALLOCATION_KINDS),
            committed_total=_sum(LedgerKind.COMMIT),
            released=_sum(LedgerKind.RELEASE),
            claim_approved=_sum(LedgerKind.CLAIM_APPROVED),
            paid=_sum(LedgerKind.PAYMENT),
            expired=_sum(LedgerKind.EXPIRY),
        )
        .annotate(
            committed=_money(F("committed_total") - F("released") - F("claim_approved")),
            claimed=_money(F("claim_approved") - F("paid")),
        )
        .order_by()
    )
    return {r["program_id"]: r for r in rows}


def request_open_commitment(request_id: int) -> Decimal:
    """What is still committed to a request: commit - release - claim_approved."""
    agg = LedgerEntry.objects.filter(request_id=request_id).aggregate(
        c=_sum(LedgerKind.COMMIT),
        r=_sum(LedgerKind.RELEASE),
        a=_sum(LedgerKind.CLAIM_APPROVED),
    )
    return agg["c"] - agg["r"] - agg["a"]


# --- Visibility ---------------------------------------------------------------------------


def _is_staff(member: Member) -> bool:
    return has_perm(member.role, "mdf.review")


def requests_visible_to(member: Member) -> QuerySet[FundRequest]:
    """Staff see every request; partner people see their own company's (others are 404)."""
    qs = FundRequest.objects.select_related("program", "partner", "submitted_by__user")
    if _is_staff(member):
        return qs
    if member.partner_id:
        return qs.filter(partner_id=member.partner_id)
    return qs.none()


def claims_visible_to(member: Member) -> QuerySet[Claim]:
    qs = Claim.objects.select_related("program", "partner", "request", "submitted_by__user")
    if _is_staff(member):
        return qs
    if member.partner_id:
        return qs.filter(partner_id=member.partner_id)
    return qs.none()


def documents_visible_to(member: Member) -> QuerySet[ProofDocument]:
    qs = ProofDocument.objects.select_related("claim__request", "claim__partner")
    if _is_staff(member):
        return qs
    if member.partner_id:
        return qs.filter(claim__partner_id=member.partner_id)
    return qs.none()


def open_programs(today: datetime.date | None = None) -> QuerySet[Program]:
    """Programs taking requests: the period has not ended and funds have not expired."""
    today = today or timezone.localdate()
    return Program.objects.filter(expired_at__isnull=True, end_date__gte=today)


def request_queue() -> QuerySet[FundRequest]:
    return (
        FundRequest.objects.filter(status=RequestStatus.SUBMITTED)
        .select_related("program", "partner", "submitted_by__user")
        .order_by("submitted_at", "id")
    )


def claim_queue() -> QuerySet[Claim]:
    return (
        Claim.objects.filter(
            status__in=[ClaimStatus.SUBMITTED, ClaimStatus.SECOND_APPROVAL, ClaimStatus.APPROVED]
        )
        .select_related("program", "partner", "request", "first_approved_by__user")
        .prefetch_related("documents")
        .order_by("submitted_at", "id")
    )


DECISION_ACTIONS = (
    "mdf.request.approved",
    "mdf.request.rejected",
    "mdf.request.returned",
    "mdf.request.cancelled",
    "mdf.claim.first_approved",
    "mdf.claim.approved",
    "mdf.claim.rejected",
    "mdf.claim.info_requested",
    "mdf.claim.paid",
)


def decision_history() -> QuerySet[AuditEvent]:
    return (
        AuditEvent.objects.filter(action__in=DECISION_ACTIONS)
        .select_related("actor")
        .order_by("-created_at", "-id")
    )


def deadlines_for(partner_id: int, today: datetime.date | None = None) -> list[dict]:
    """Approved requests still waiting for a claim, soonest deadline first."""
    today = today or timezone.localdate()
    rows = (
        FundRequest.objects.filter(partner_id=partner_id, status=RequestStatus.APPROVED)
        .exclude(claims__status__in=[s for s in ClaimStatus.values if s != ClaimStatus.REJECTED])
        .select_related("program")
        .order_by("claim_deadline", "id")
    )
    out = []
    for r in rows:
        days = (r.claim_deadline - today).days if r.claim_deadline else None
        out.append({"request": r, "days_left": days, "overdue": days is not None and days < 0})
    return out


def ledger(
    *, program=None, partner=None, kind: str = "", request_id: int | None = None
) -> QuerySet[LedgerEntry]:
    qs = LedgerEntry.objects.select_related(
        "program", "partner", "request", "claim", "created_by__user"
    ).order_by("-created_at", "-id")
    if program:
        qs = qs.filter(program_id=getattr(program, "pk", program))
    if partner:
        qs = qs.filter(partner_id=getattr(partner, "pk", partner))
    if kind:
        qs = qs.filter(kind=kind)
    if request_id:
        qs = qs.filter(request_id=request_id)
    return qs


def rules_by_type(program_ids: Iterable[int]) -> dict[tuple[int, str], ActivityRule]:
    return {
        (r.program_id, r.activity_type): r
        for r in ActivityRule.objects.filter(program_id__in=list(program_ids))
    }


# --- Exchange rates -----------------------------------------------------------------------


def rate_for(from_currency: str, to_currency: str, on: datetime.date) -> Decimal | None:
    """The rate in force on `on` (the latest valid_from not after it). 1 for one currency."""
    if from_currency == to_currency:
        return Decimal("1")
    row = (
        ExchangeRate.objects.filter(
            from_currency=from_currency, to_currency=to_currency, valid_from__lte=on
        )
        .order_by("-valid_from")
        .values_list("rate", flat=True)
        .first()
    )
    return row


def convert(amount: Decimal, rate: Decimal) -> Decimal:
    return (amount * rate).quantize(CENT, rounding=ROUND_HALF_UP)


# --- Claim checks -------------------------------------------------------------------------


@dataclass
class Check:
    label: str
    ok: bool | None  # None: cannot be decided (e.g. no exchange rate yet)
    detail: str


def claim_checks(
    claim: Claim,
    *,
    rule: ActivityRule | None,
    today: datetime.date | None = None,
    rate: Decimal | None = None,
    rate_known: bool = False,
) -> list[Check]:
    """The automatic checks a reviewer sees. Pure: callers pass the rule and (optionally) the
    rate, so a queue page can compute them for many claims without a query per claim."""
    req = claim.request
    program = claim.program
    checks: list[Check] = []
    within = req.start_date <= claim.activity_start and claim.activity_end <= req.end_date
    checks.append(
        Check(
            _("Activity dates within the approved window"),
            within,
            _("Approved %(a)s – %(b)s; reported %(c)s – %(d)s.")
            % {
                "a": req.start_date,
                "b": req.end_date,
                "c": claim.activity_start,
                "d": claim.activity_end,
            },
        )
    )
    submitted_on = timezone.localdate(claim.submitted_at)
    if req.claim_deadline:
        checks.append(
            Check(
                _("Claimed before the deadline"),
                submitted_on <= req.claim_deadline,
                _("Deadline %(d)s; submitted %(s)s.")
                % {"d": req.claim_deadline, "s": submitted_on},
            )
        )
    if claim.approved_amount_program is not None:
        in_program = claim.approved_amount_program
        rate = claim.exchange_rate
    else:
        if not rate_known:
            rate = rate_for(claim.currency, program.currency, today or timezone.localdate())
        in_program = convert(claim.amount_claimed, rate) if rate is not None else None
    approved = req.approved_amount or ZERO
    if in_program is None:
        checks.append(
            Check(
                _("Within the approved amount"),
                None,
                _("No exchange rate from %(f)s to %(t)s yet; add one under Exchange rates.")
                % {"f": claim.currency, "t": program.currency},
            )
        )
    else:
        checks.append(
            Check(
                _("Within the approved amount"),
                in_program <= approved,
                _("%(c)s %(cur)s (at rate %(r)s) of %(a)s %(cur)s approved.")
                % {"c": in_program, "cur": program.currency, "r": rate, "a": approved},
            )
        )
    if rule is not None:
        limit = (claim.actual_cost * rule.max_reimbursable_pct / 100).quantize(CENT)
        checks.append(
            Check(
                _("Within %(p)s%% of the actual cost") % {"p": rule.max_reimbursable_pct},
                claim.amount_claimed <= limit,
                _("%(c)s claimed of %(l)s allowed (%(cur)s).")
                % {"c": claim.amount_claimed, "l": limit, "cur": claim.currency},
            )
        )
        have = {d.kind for d in claim.documents.all()}
        missing = [k for k in rule.required_proofs if k not in have]

        checks.append(
            Check(
                _("Required proof present"),
                not missing,
                _("Missing: %(m)s.") % {"m": ", ".join(str(ProofKind(k).label) for k in missing)}
                if missing
                else _("All required documents are attached."),
            )
        )
    else:
        checks.append(
            Check(_("Activity type eligible"), False, _("The program no longer funds this type."))
        )
    if claim.campaign_evidence:
        ev = claim.campaign_evidence
        active = any(ev.get(k, 0) for k in ("views", "clicks", "form_fills", "leads"))
        checks.append(
            Check(
                _("Campaign figures"),
                active,
                campaign_evidence_summary(ev)
                if active
                else _("The campaign %(name)s (%(code)s) shows no views, clicks or leads.")
                % {"name": ev.get("campaign", ""), "code": ev.get("code", "")},
            )
        )
    return checks


def campaign_figures_for(req: FundRequest) -> dict | None:
    """The figures of the partner's own marketing campaign this request funds (its campaign
    code) over the activity's dates, asked of marketing through partners.questions; None
    when the code is not one of the partner's campaigns (or marketing is not installed)."""
    code = req.campaign_code or req.funded_campaign_code
    if not code:
        return None
    return questions.ask(
        "campaign.figures",
        partner_id=req.partner_id,
        code=code,
        first=req.start_date,
        last=req.end_date,
    )


def campaign_evidence_rows(ev: dict) -> list[tuple[str, str]]:
    """(label, value) rows of a claim's campaign evidence for the form, the claim page and
    the campaign report PDF."""
    if not ev:
        return []

    def n(key: str) -> str:
        return formats.number_format(ev.get(key, 0), force_grouping=True)

    won = formats.number_format(Decimal(ev.get("won_revenue") or "0"), 2, force_grouping=True)
    as_of = parse_datetime(ev.get("as_of") or "")
    first, last = parse_date(ev.get("first_day") or ""), parse_date(ev.get("last_day") or "")
    period = (
        [
            (
                _("Activity period"),
                f"{formats.date_format(first, 'SHORT_DATE_FORMAT')} – "
                f"{formats.date_format(last, 'SHORT_DATE_FORMAT')}",
            )
        ]
        if first and last
        else []
    )
    return [
        (_("Campaign"), f"{ev.get('campaign', '')} ({ev.get('code', '')})"),
        *period,
        (_("Page views"), n("views")),
        (_("Clicks"), n("clicks")),
        (_("Form fills"), n("form_fills")),
        (_("Leads"), n("leads")),
        (_("Registrations"), n("registrations")),
        (_("Won revenue"), f"{won} {ev.get('currency', '')}".strip()),
        (
            _("Figures as of"),
            formats.date_format(timezone.localtime(as_of), "DATETIME_FORMAT") if as_of else "",
        ),
    ]


def campaign_evidence_summary(ev: dict) -> str:
    """One sentence of a claim's campaign evidence, as the checks and the review page say
    it."""

    def n(key: str) -> str:
        return formats.number_format(ev.get(key, 0), force_grouping=True)

    won = formats.number_format(Decimal(ev.get("won_revenue") or "0"), 2, force_grouping=True)
    as_of = parse_datetime(ev.get("as_of") or "")
    return _(
        "%(views)s views, %(clicks)s clicks, %(fills)s form fills, %(leads)s leads, "
        "%(regs)s registrations, %(won)s %(cur)s won revenue from campaign %(name)s "
        "(%(code)s), as of %(date)s."
    ) % {
        "views": n("views"),
        "clicks": n("clicks"),
        "fills": n("form_fills"),
        "leads": n("leads"),
        "regs": n("registrations"),
        "won": won,
        "cur": ev.get("currency", ""),
        "name": ev.get("campaign", ""),
        "code": ev.get("code", ""),
        "date": formats.date_format(timezone.localdate(as_of)) if as_of else "",
    }


def checks_by_claim(
    claims: Iterable[Claim], *, today: datetime.date | None = None
) -> dict[int, list[Check]]:
    """The automatic checks of many claims with one query for the rules and one per currency
    pair (a queue page, an API list): claim id -> checks."""
    claims = list(claims)
    today = today or timezone.localdate()
    rules = rules_by_type({c.program_id for c in claims})
    rates: dict[tuple[str, str], Decimal | None] = {}
    out = {}
    for c in claims:
        pair = (c.currency, c.program.currency)
        if pair not in rates:
            rates[pair] = rate_for(*pair, today)
        out[c.pk] = claim_checks(
            c,
            rule=rules.get((c.program_id, c.request.activity_type)),
            today=today,
            rate=rates[pair],
            rate_known=True,
        )
    return out


def failed_checks(checks: Iterable[Check]) -> list[str]:
    """The labels of the checks that failed (not those that cannot be decided yet, such as a
    missing exchange rate: approval refuses those by itself)."""
    return [str(c.label) for c in checks if c.ok is False]


# --- Campaign codes -----------------------------------------------------------------------

# A deal may take a campaign code while its activity is approved or completed (the deals an
# activity brings in keep coming after its claim is paid); never once it is cancelled.
CODE_USABLE_STATUSES = (RequestStatus.APPROVED, RequestStatus.COMPLETED)


def campaign_code_usable(*, partner_id: int, code: str) -> bool:
    """Whether `code` is the campaign code of one of this partner's approved (or completed)
    fund requests. Deal registration asks this before a deal takes a code (security issue
    #15): a code is unique in a tenant, and MDF ROI attributes a deal to the request whose
    code it carries, so another partner's code would inflate that partner's ROI."""
    return FundRequest.objects.filter(
        partner_id=partner_id, campaign_code=code, status__in=CODE_USABLE_STATUSES
    ).exists()


# --- ROI ----------------------------------------------------------------------------------

ROI_SQL = """
WITH req AS (
    SELECT r.id, r.program_id, r.partner_id, r.activity_type, r.campaign_code, r.title,
           p.currency, p.name AS program_name, pa.name AS partner_name
    FROM mdf_fundrequest r
    JOIN mdf_program p ON p.id = r.program_id AND p.tenant_id = r.tenant_id
    JOIN partners_partner pa ON pa.id = r.partner_id AND pa.tenant_id = r.tenant_id
    WHERE r.tenant_id = %(tenant)s AND r.campaign_code <> '' {where}
),
paid AS (
    SELECT e.request_id, SUM(e.amount) AS paid
    FROM mdf_ledgerentry e
    WHERE e.tenant_id = %(tenant)s AND e.kind = 'payment' AND e.request_id IS NOT NULL
    GROUP BY e.request_id
),
deals AS (
    SELECT req.id AS request_id,
           SUM(d.amount * fx.rate) FILTER (WHERE d.status = ANY(%(pipeline)s)) AS pipeline,
           SUM(d.won_amount * fx.rate) FILTER (WHERE d.status = 'won') AS won
    FROM req
    JOIN dealreg_deal d ON d.tenant_id = %(tenant)s AND d.mdf_campaign_code = req.campaign_code
    CROSS JOIN LATERAL (
        SELECT CASE WHEN d.currency = req.currency THEN 1::numeric ELSE (
            SELECT x.rate FROM mdf_exchangerate x
            WHERE x.tenant_id = %(tenant)s AND x.from_currency = d.currency
              AND x.to_currency = req.currency
              AND x.valid_from <= COALESCE(d.closed_at, %(today)s)
            ORDER BY x.valid_from DESC LIMIT 1) END AS rate
    ) fx
    GROUP BY req.id
),
per_request AS (
    SELECT req.*, COALESCE(paid.paid, 0) AS paid,
           ROUND(COALESCE(deals.pipeline, 0), 2) AS pipeline,
           ROUND(COALESCE(deals.won, 0), 2) AS won
    FROM req
    LEFT JOIN paid ON paid.request_id = req.id
    LEFT JOIN deals ON deals.request_id = req.id
)
SELECT CASE WHEN GROUPING(id) = 0 THEN 'request'
            WHEN GROUPING(partner_id) = 0 THEN 'partner'
            WHEN GROUPING(activity_type) = 0 THEN 'activity_type'
            ELSE 'program' END AS level,
       program_id, MAX(program_name), MAX(currency),
       CASE WHEN GROUPING(partner_id) = 0 OR GROUPING(id) = 0 THEN MAX(partner_id) END,
       CASE WHEN GROUPING(partner_id) = 0 OR GROUPING(id) = 0 THEN MAX(partner_name) END,
       CASE WHEN GROUPING(activity_type) = 0 OR GROUPING(id) = 0 THEN MAX(activity_type) END,
       id, MAX(title), MAX(campaign_code),
       SUM(paid), SUM(pipeline), SUM(won),
       CASE WHEN SUM(paid) > 0 THEN ROUND((SUM(won) - SUM(paid)) / SUM(paid), 4) END
FROM per_request
GROUP BY GROUPING SETS ((program_id), (program_id, partner_id), (program_id, activity_type),
                        (program_id, id))
ORDER BY program_id, level, 6, 7, id
"""

PIPELINE_STATUSES = ("submitted", "under_review", "approved", "won")


@dataclass
class RoiRow:
    level: str  # program | partner | activity_type | request
    program_id: int
    program_name: str
    currency: str
    partner_id: int | None
    partner_name: str | None
    activity_type: str | None
    request_id: int | None
    title: str | None
    campaign_code: str | None
    paid: Decimal
    pipeline: Decimal
    won: Decimal
    roi: Decimal | None  # (won - paid) / paid; None when nothing was paid

    @property
    def activity_label(self) -> str:
        return str(ActivityType(self.activity_type).label) if self.activity_type else ""


def roi(*, tenant, program=None, partner=None, today: datetime.date | None = None) -> list[RoiRow]:
    """Return on MDF per activity (request), partner, activity type and program, in one
    set-based query: paid amount (payments in the ledger), attributed pipeline (deals with the
    activity's campaign code that are submitted, under review, approved or won) and attributed
    won revenue, converted to the program currency at the rate in force when the deal closed
    (today for open deals; deals in a currency without a rate are left out).

    Rows are per program: the four levels never mix currencies. Must run in tenant_context."""
    params = {
        "tenant": tenant.pk,
        "pipeline": list(PIPELINE_STATUSES),
        "today": today or timezone.localdate(),
    }
    where = ""
    if program is not None:
        where += " AND r.program_id = %(program)s"
        params["program"] = getattr(program, "pk", program)
    if partner is not None:
        where += " AND r.partner_id = %(partner)s"
        params["partner"] = getattr(partner, "pk", partner)
    with connection.cursor() as cur:
        cur.execute(ROI_SQL.format(where=where), params)
        return [RoiRow(*row) for row in cur.fetchall()]


def mdf_paid_by_partner_day(
    partner_ids, *, since: datetime.date, until: datetime.date
) -> dict[int, list[tuple[datetime.date, str, Decimal]]]:
    """MDF paid to these partners per day and currency, from the ledger's payment entries
    created in [since, until) (joint plans' goals for many plans in one query)."""
    out: dict[int, list[tuple[datetime.date, str, Decimal]]] = {}
    for row in (
        LedgerEntry.objects.filter(
            kind=LedgerKind.PAYMENT,
            partner_id__in=partner_ids,
            created_at__date__gte=since,
            created_at__date__lt=until,
        )
        .values("partner_id", "program__currency", day=TruncDate("created_at"))
        .annotate(total=Sum("amount"))
        .order_by("partner_id", "day", "program__currency")
    ):
        out.setdefault(row["partner_id"], []).append(
            (row["day"], row["program__currency"], row["total"])
        )
    return out


def mdf_paid_by_partner(
    *, since: datetime.date | None = None, until: datetime.date | None = None
) -> dict[int, list[tuple[str, Decimal]]]:
    """For the analytics app (ROPI): MDF paid per partner as (currency, amount) pairs, from
    the ledger's payment entries created in [since, until)."""
    qs = LedgerEntry.objects.filter(kind=LedgerKind.PAYMENT)
    if since:
        qs = qs.filter(created_at__date__gte=since)
    if until:
        qs = qs.filter(created_at__date__lt=until)
    out: dict[int, list[tuple[str, Decimal]]] = {}
    for row in (
        qs.values("partner_id", "program__currency")
        .annotate(total=Sum("amount"))
        .order_by("partner_id", "program__currency")
    ):
        out.setdefault(row["partner_id"], []).append((row["program__currency"], row["total"]))
    return out
