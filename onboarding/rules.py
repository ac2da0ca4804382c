"""Onboarding rules with no I/O: the fit score against the ideal partner profile, the
country-to-region map, free-mail domains and document type sniffing.

Everything here takes plain values and returns plain values, so it is tested on its own and
reused by the application form, the services and the API alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from partners.freemail import is_freemail
from partners.models import PartnerType, Region, SizeBand

# --- Countries and regions ----------------------------------------------------------------

_REGION_CODES = {
    Region.NORTH_AMERICA: "US CA BM GL PM UM",
    Region.LATIN_AMERICA: (
        "MX GT BZ SV HN NI CR PA CU DO HT JM PR TT BB BS AG DM GD KN LC VC AW CW SX BQ KY TC VG "
        "VI AI MS GP MQ BL MF AR BO BR CL CO EC GY PY PE SR UY VE GF FK GS"
    ),
    Region.EMEA: (
        "AD AL AT AX BA BE BG BY CH CY CZ DE DK EE ES FI FO FR GB GG GI GR HR HU IE IM IS IT JE "
        "LI LT LU LV MC MD ME MK MT NL NO PL PT RO RS RU SE SI SJ SK SM UA VA "
        "AE BH IL IQ IR JO KW LB OM PS QA SA SY TR YE AM AZ GE KZ KG TJ TM UZ "
        "DZ AO BJ BW BF BI CV CM CF TD KM CG CD CI DJ EG GQ ER SZ ET GA GM GH GN GW KE LS LR LY "
        "MG MW ML MR MU YT MA MZ NA NE NG RE RW SH ST SN SC SL SO ZA SS SD TZ TG TN UG EH ZM ZW "
        "TF BV"
    ),
    Region.APAC: (
        "AF BD BT IN MV NP PK LK CN HK MO MN JP KP KR TW BN KH ID LA MY MM PH SG TH TL VN "
        "AU NZ PG FJ SB VU NC PF WS TO KI TV NR FM MH PW CK NU TK WF AS GU MP NF CX CC PN HM IO"
    ),
}
COUNTRY_REGION: dict[str, str] = {
    code: str(region) for region, codes in _REGION_CODES.items() for code in codes.split()
}
COUNTRY_REGION["AQ"] = ""  # Antarctica: a valid code in no sales region


def region_of(country: str) -> str:
    return COUNTRY_REGION.get((country or "").upper(), "")


def is_country_code(value: str) -> bool:
    return (value or "").upper() in COUNTRY_REGION


# --- Free-mail providers ------------------------------------------------------------------

# Registrable domains shared by unrelated people are never evidence that two companies are
# one: the one list is partners.freemail.


def company_domains(domains: Iterable[str]) -> list[str]:
    """The domains that can identify a company: non-empty, not a free-mail provider."""
    return sorted({d for d in domains if d and not is_freemail(d)})


# --- The fit score ------------------------------------------------------------------------

CRITERIA = ("geography", "type", "specialties", "size", "revenue")
DEFAULT_WEIGHTS = dict.fromkeys(CRITERIA, 20)
# Covering this many of the target specialties earns the full weight.
SPECIALTIES_FOR_FULL_MARKS = 3


@dataclass(frozen=True)
class IdealProfile:
    countries: frozenset[str] = frozenset()
    regions: frozenset[str] = frozenset()
    partner_types: frozenset[str] = frozenset()
    specialties: frozenset[str] = frozenset()
    size_bands: frozenset[str] = frozenset()
    revenue_min: Decimal | None = None
    revenue_max: Decimal | None = None
    weights: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))


@dataclass(frozen=True)
class Candidate:
    country: str
    partner_type: str
    specialties: frozenset[str]
    size_band: str
    expected_revenue: Decimal


@dataclass(frozen=True)
class Fit:
    score: int  # 0-100
    reasons: list[dict]  # one per assessed criterion, JSON-ready
    assessed: bool  # False when the profile defines no weighted criterion


def _labels(choices, values: Iterable[str]) -> str:
    names = dict(choices)
    return ", ".join(str(names.get(v, v)) for v in sorted(values))


def _money(value: Decimal) -> str:
    return f"{value:,.0f}"


def fit_score(profile: IdealProfile, candidate: Candidate) -> Fit:
    """Score `candidate` against `profile`: each criterion the profile defines earns a
    fraction (0-1) of its weight, and the score is the earned share of the weights in play.

    - geography: the country is a target country, or lies in a target region;
    - type: the partner type is a target type;
    - specialties: each target specialty covered earns 1/3 of the weight (all of it when the
      profile names fewer than three);
    - size: the size band is a target band;
    - revenue: within [min, max] earns all; below min, the share of min reached; above max,
      half (a partner too large for the band is still worth a look).

    A criterion the profile leaves empty, or weighs 0, is not assessed and does not count.
    """
    parts: list[tuple[str, int, Decimal, str]] = []  # (criterion, weight, fraction, detail)

    def add(criterion: str, fraction: Decimal, detail: str) -> None:
        weight = int(profile.weights.get(criterion, 0) or 0)
        if weight > 0:
            parts.append((criterion, weight, max(Decimal(0), min(Decimal(1), fraction)), detail))

    country = (candidate.country or "").upper()
    if profile.countries or profile.regions:
        region = region_of(country)
        if country in profile.countries:
            add("geography", Decimal(1), _("%(c)s is a target country.") % {"c": country})
        elif region and region in profile.regions:
            add(
                "geography",
                Decimal(1),
                _("%(c)s lies in a target region (%(r)s).")
                % {"c": country, "r": _labels(Region.choices, [region])},
            )
        else:
            add(
                "geography",
                Decimal(0),
                _("%(c)s is outside the target countries and regions.") % {"c": country},
            )

    if profile.partner_types:
        label = _labels(PartnerType.choices, [candidate.partner_type])
        if candidate.partner_type in profile.partner_types:
            add("type", Decimal(1), _("%(t)s is a target partner type.") % {"t": label})
        else:
            add("type", Decimal(0), _("%(t)s is not a target partner type.") % {"t": label})

    if profile.specialties:
        common = sorted(profile.specialties & candidate.specialties)
        needed = min(len(profile.specialties), SPECIALTIES_FOR_FULL_MARKS)
        if common:
            detail = ngettext(
                "Covers %(n)d target specialty: %(s)s.",
                "Covers %(n)d target specialties: %(s)s.",
                len(common),
            ) % {"n": len(common), "s": ", ".join(common)}
        else:
            detail = _("Covers none of the target specialties.")
        add("specialties", Decimal(len(common)) / Decimal(needed), detail)

    if profile.size_bands:
        label = _labels(SizeBand.choices, [candidate.size_band])
        if candidate.size_band in profile.size_bands:
            add("size", Decimal(1), _("Company size %(s)s is a target size.") % {"s": label})
        else:
            add("size", Decimal(0), _("Company size %(s)s is not a target size.") % {"s": label})

    lo, hi, revenue = profile.revenue_min, profile.revenue_max, candidate.expected_revenue
    if lo is not None or hi is not None:
        if lo is not None and revenue < lo:
            fraction = revenue / lo if lo > 0 else Decimal(1)
            detail = _("Expected revenue %(v)s is below the target minimum of %(m)s.") % {
                "v": _money(revenue),
                "m": _money(lo),
            }
        elif hi is not None and revenue > hi:
            fraction = Decimal("0.5")
            detail = _("Expected revenue %(v)s is above the target maximum of %(m)s.") % {
                "v": _money(revenue),
                "m": _money(hi),
            }
        else:
            fraction = Decimal(1)
            detail = _("Expected revenue %(v)s is within the target band.") % {"v": _money(revenue)}
        add("revenue", fraction, detail)

    total = sum(weight for _c, weight, _f, _d in parts)
    if not total:
        return Fit(score=0, reasons=[], assessed=False)
    earned = sum(Decimal(weight) * fraction for _c, weight, fraction, _d in parts)
    score = int((earned * 100 / total).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    reasons = [
        {
            "criterion": criterion,
            "detail": detail,
            "points": float(
                (Decimal(weight) * fraction * 100 / total).quantize(Decimal("0.1"), ROUND_HALF_UP)
            ),
            "max": float((Decimal(weight) * 100 / total).quantize(Decimal("0.1"), ROUND_HALF_UP)),
            "met": fraction == 1,
        }
        for criterion, weight, fraction, detail in parts
    ]
    return Fit(score=score, reasons=reasons, assessed=True)


# --- Documents ----------------------------------------------------------------------------

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
_SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)


def sniff_document_type(head: bytes) -> str | None:
    """The content type of a PDF, PNG or JPEG from its first bytes; None for anything else.
    The file name and the browser's declared type are never trusted."""
    for signature, content_type in _SIGNATURES:
        if head.startswith(signature):
            return content_type
    return None


# --- Auto decisions -----------------------------------------------------------------------


def automatic_decision(
    *,
    fit: Fit,
    possible_duplicate: bool,
    reject_below: int | None,
    approve_at_or_above: int | None,
) -> str | None:
    """'reject', 'approve' or None (a person decides). Nothing is decided automatically
    without an assessed profile, and possible duplicates are never approved automatically."""
    if not fit.assessed:
        return None
    if reject_below is not None and fit.score < reject_below:
        return "reject"
    if approve_at_or_above is not None and fit.score >= approve_at_or_above:
        return None if possible_duplicate else "approve"
    return None
