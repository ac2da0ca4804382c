"""Demo data that crosses two apps: deals carrying the paid MDF roadshow's campaign code, so
the program's ROI shows a value, then the program's accrual over them. It lives here, not in
mdf/seed.py, because MDF sits beside deal registration and may not write its deals."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from dealreg.models import Deal
from mdf import services as mdf_services
from mdf.models import FundRequest, Program
from prm.models import Member
from prm.roles import Role

ROADSHOW = "Customer roadshow"


def seed(*, tenant, partners: dict) -> None:
    roadshow = FundRequest.objects.filter(title=ROADSHOW).select_related("program").first()
    if roadshow is None:  # the MDF part of the demo did not run
        return
    today = timezone.localdate()
    for name, status, amount, won in (
        ("Globex Manufacturing", "won", "48000", "46500"),
        ("Initech", "approved", "90000", None),
    ):
        Deal.objects.create(
            tenant=tenant,
            partner=roadshow.partner,
            status=status,
            customer_name=name,  # Deal.save derives the normalised name and its tokens
            amount=Decimal(amount),
            currency=tenant.default_currency,
            won_amount=Decimal(won) if won else None,
            closed_at=today if won else None,
            mdf_campaign_code=roadshow.campaign_code,
            notes="From the customer roadshow",
        )
    admin = Member.objects.filter(role=Role.ADMIN).first()
    for program in Program.objects.all():
        mdf_services.program_accrue(program=program, by=admin)
