"""Demo data for shared opportunities: Northwind's Globex registration sold together with
BluePeak (the systems integrator), the vendor's channel manager and its sales rep for the
account (Sam, a participant who co-sells and runs nothing), with a short thread, a mention,
and tasks open, done and coming due."""

from __future__ import annotations

import datetime

from django.utils import timezone

from cosell import services
from dealreg.models import Deal
from prm.models import Member


def seed(*, tenant, partners: dict) -> None:
    deal = (
        Deal.objects.filter(
            partner=partners["Northwind Resellers"], customer_name="Globex Corporation"
        )
        .order_by("id")
        .first()
    )
    if deal is None:
        return
    ada = Member.objects.get(user__email="ada@northwind.example")
    ben = Member.objects.get(user__email="ben@northwind.example")
    carla = Member.objects.get(user__email="carla@bluepeak.example")
    manager = Member.objects.get(user__email="manager@acme.example")
    opp, _created = services.opportunity_open(by=ada, deal=deal)
    services.participant_add(
        opportunity=opp, by=ada, partner_id=partners["BluePeak Integrators"].pk, role="si"
    )
    if not opp.team.filter(member=manager).exists():  # Northwind's channel manager already is
        services.team_member_add(opportunity=opp, by=ada, member_id=manager.pk)
    sam = Member.objects.filter(user__email="sam@acme.example").first()
    if sam is not None and not opp.team.filter(member=sam).exists():
        services.team_member_add(opportunity=opp, by=manager, member_id=sam.pk)
    services.comment_add(
        opportunity=opp,
        by=ada,
        body=(
            "Globex wants the migration done before their fiscal year ends. "
            f"@{carla.user.email} can BluePeak run the data migration workshop?"
        ),
    )
    services.comment_add(
        opportunity=opp,
        by=carla,
        body="Yes: we did the same for Initech last quarter. I'll share the workshop outline.",
    )
    services.comment_add(
        opportunity=opp,
        by=manager,
        body=(
            f"@{ben.user.email} I can bring our solutions engineer to the technical "
            "deep-dive. Which week suits the customer?"
        ),
    )
    today = timezone.localdate()
    services.task_add(
        opportunity=opp,
        by=ada,
        title="Run the data migration workshop",
        owner_id=carla.pk,
        due_on=today + datetime.timedelta(days=10),
    )
    services.task_add(
        opportunity=opp,
        by=manager,
        title="Book the technical deep-dive with Globex IT",
        owner_id=ben.pk,
        due_on=today + datetime.timedelta(days=2),
    )
    quote = services.task_add(
        opportunity=opp,
        by=ada,
        title="Send the joint quote",
        owner_id=ada.pk,
        due_on=today - datetime.timedelta(days=1),
    )
    services.task_set_done(task=quote, by=ada, done=True)
