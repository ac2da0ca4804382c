"""Demo data for market development funds: a current-quarter program with tier allocations,
requests and claims in every state and a paid claim with its remittance advice. The deals that
carry the paid roadshow's campaign code (so ROI shows a value) and the program's accrual come
after, from the demo app (demo/campaign.py), which may write to both apps. Runs inside the demo
tenant's context (manage.py seed_demo)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from mdf import services
from mdf.models import ClaimStatus
from mdf.selectors import available
from prm.models import Member
from prm.roles import Role

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"

RULES = [
    # type, max %, proofs, deadline days
    ("event", "50", ["invoice", "photos", "attendee_list"], 60),
    ("webinar", "75", ["invoice", "attendee_list"], 30),
    ("digital_campaign", "50", ["invoice", "screenshots"], 45),
    ("content", "50", ["invoice"], 45),
    ("trade_show", "50", ["invoice", "photos"], 60),
    ("training", "100", ["attendee_list"], 30),
]


def _quarter_start(day: datetime.date) -> datetime.date:
    return datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _doc(kind: str) -> tuple[str, SimpleUploadedFile]:
    return kind, SimpleUploadedFile(f"{kind}.pdf", PDF, content_type="application/pdf")


def seed(*, tenant, partners: dict) -> None:
    admin = Member.objects.filter(role=Role.ADMIN).select_related("user").first()
    manager = Member.objects.filter(role=Role.CHANNEL_MANAGER).first()
    people = {
        p.partner.name: p
        for p in Member.objects.filter(role=Role.PARTNER_ADMIN).select_related("partner")
    }
    northwind = people["Northwind Resellers"]
    bluepeak = people["BluePeak Integrators"]
    today = timezone.localdate()
    start = _quarter_start(today)
    currency = tenant.default_currency

    program = services.program_create(
        tenant=tenant,
        by=admin,
        name=f"Q{(start.month - 1) // 3 + 1} {start.year} co-marketing",
        period="quarter",
        start_date=start,
        currency=currency,
        budget=Decimal("250000"),
        grace_days=30,
        expiry_warning_days=14,
        second_approval_threshold=Decimal("10000"),
    )
    for activity_type, pct, proofs, days in RULES:
        services.rule_set(
            program=program,
            by=admin,
            activity_type=activity_type,
            max_reimbursable_pct=Decimal(pct),
            required_proofs=proofs,
            claim_deadline_days=days,
        )
    services.program_allocate_by_tier(program=program, by=admin)

    for name, wanted in (("Northwind Resellers", 20000), ("BluePeak Integrators", 5000)):
        missing = Decimal(wanted) - available(program_id=program.pk, partner_id=partners[name].pk)
        if missing > 0:  # the partner's tier gives less than the demo needs
            services.allocation_add(
                program=program, partner=partners[name], amount=missing, by=admin
            )
    services.allocation_add(
        program=program,
        partner=partners["BluePeak Integrators"],
        amount=Decimal("5000"),
        by=admin,
        memo="Launch support for the new security practice",
    )
    services.exchange_rate_set(
        tenant=tenant,
        by=admin,
        from_currency="EUR",
        to_currency=currency,
        rate=Decimal("1.08"),
        valid_from=start,
    )

    def day(n: int) -> datetime.date:
        return min(start + datetime.timedelta(days=n), program.end_date)

    def request(by, activity_type, title, cost, amount, first_day, days=1, **extra):
        return services.request_submit(
            program=program,
            by=by,
            activity_type=activity_type,
            title=title,
            description=extra.pop("description", f"{title}: agenda, speakers and follow-up."),
            start_date=day(first_day),
            end_date=day(first_day + days - 1),
            planned_cost=Decimal(cost),
            requested_amount=Decimal(amount),
            expected_leads=extra.pop("leads", 25),
            expected_pipeline=Decimal(extra.pop("pipeline", "100000")),
            target_audience=extra.pop("audience", "IT and security leaders"),
        )

    def approve(req, amount=None):
        return services.request_transition(request=req, to="approved", by=manager, amount=amount)

    def claim(req, by, claimed, cost, docs, currency_code=None, **results):
        return services.claim_submit(
            request=req,
            by=by,
            activity_start=req.start_date,
            activity_end=req.end_date,
            actual_cost=Decimal(cost),
            amount_claimed=Decimal(claimed),
            currency=currency_code or currency,
            leads=results.get("leads", 18),
            attendees=results.get("attendees", 60),
            impressions=results.get("impressions", 0),
            documents=[_doc(k) for k in docs],
        )

    # Northwind (Gold): a paid roadshow, a trade show waiting for the second approval, a
    # webinar claim in review, an approved content piece and a new webinar request.
    roadshow = approve(request(northwind, "event", "Customer roadshow", "8000", "4000", 2))
    paid = claim(roadshow, northwind, "3800", "7600", ["invoice", "photos", "attendee_list"])
    # The demo's activities ran early in the quarter: a claim may be past its deadline on the
    # day the seed runs, which the reviewer accepts with a reason (used only if a check fails).
    late_ok = "Late claim accepted: the activity ran as agreed."
    paid = services.claim_transition(claim=paid, to="approved", by=manager, override_reason=late_ok)
    paid = services.claim_transition(
        claim=paid,
        to=ClaimStatus.PAID,
        by=admin,
        payment_reference="WIRE-2025-0142",
        paid_on=today,
    )
    services.claim_render_remittance(claim=paid)

    booth = approve(
        request(northwind, "trade_show", "Cloud Expo booth", "30000", "12000", 9, days=3)
    )
    big = claim(booth, northwind, "11500", "24000", ["invoice", "photos"], attendees=900)
    # Above the threshold: waits for the second approval.
    services.claim_transition(claim=big, to="approved", by=manager, override_reason=late_ok)

    webinar = approve(request(northwind, "webinar", "Zero-trust webinar", "2000", "1500", 15))
    claim(webinar, northwind, "1400", "1900", ["invoice", "attendee_list"], attendees=140)
    approve(request(northwind, "content", "Migration e-book", "1600", "800", 20))
    request(northwind, "webinar", "Holiday security webinar", "1400", "1000", 40)

    # BluePeak (Silver + launch support): claims asked for more information, rejected and
    # approved in euros; requests returned, rejected and cancelled.
    ws = approve(request(bluepeak, "webinar", "Data platform webinar", "1600", "1200", 5))
    info = claim(ws, bluepeak, "1200", "1600", ["invoice"])
    services.claim_transition(
        claim=info, to="info_requested", by=manager, reason="Attach the attendee list."
    )
    guide = approve(request(bluepeak, "content", "Buyer's guide", "2000", "1000", 6))
    rejected = claim(guide, bluepeak, "1000", "2000", ["invoice"])
    services.claim_transition(
        claim=rejected,
        to="rejected",
        by=manager,
        reason="The invoice is for a different activity; file a new claim with the right one.",
    )
    ads = approve(request(bluepeak, "digital_campaign", "LinkedIn campaign", "3200", "1600", 8))
    eur = claim(ads, bluepeak, "1400", "2900", ["invoice", "screenshots"], "EUR", leads=35)
    services.claim_transition(claim=eur, to="approved", by=manager, override_reason=late_ok)
    returned = request(bluepeak, "event", "Partner summit dinner", "6000", "2000", 30)
    services.request_transition(
        request=returned, to="returned", by=manager, reason="Add the venue and the agenda."
    )
    training = request(bluepeak, "training", "Admin bootcamp", "500", "500", 35)
    services.request_transition(
        request=training,
        to="rejected",
        by=manager,
        reason="Training is covered by the enablement budget this quarter.",
    )
    cancelled = request(bluepeak, "content", "Case study video", "1200", "300", 25)
    services.request_transition(request=cancelled, to="cancelled", by=bluepeak)
