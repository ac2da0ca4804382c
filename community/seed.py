"""Demo data for the community: two announcements and a roadmap item, three questions with
answers (one accepted), and an upcoming webinar with registrations. Runs inside the demo
tenant's context after the other apps' seeds (manage.py seed_demo)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from community.services import announcements, events, qa
from prm.models import Member
from prm.roles import Role


def seed(*, tenant, partners: dict) -> None:
    admin = Member.objects.filter(role=Role.ADMIN).select_related("user").first()
    manager = Member.objects.filter(role=Role.CHANNEL_MANAGER).first() or admin
    people = {
        m.user.email: m
        for m in Member.objects.filter(partner__isnull=False).select_related("user", "partner")
    }
    ada, ben = people["ada@northwind.example"], people["ben@northwind.example"]
    carla = people["carla@bluepeak.example"]

    for title, body, kind, extra in (
        (
            "New partner price list for next year",
            "The new price list is in the asset library.\n\nDeal registrations submitted "
            "before the end of the quarter keep this year's prices.",
            "news",
            {},
        ),
        (
            "Partner summit: save the date",
            "Our yearly partner summit takes place in Berlin in the spring. Invitations follow.",
            "news",
            {},
        ),
        (
            "Single sign-on for the partner portal",
            "Sign in to the portal with your company's identity provider (SAML and OIDC).",
            "roadmap",
            {"roadmap_status": "in_progress", "quarter": _next_quarter()},
        ),
    ):
        a = announcements.announcement_create(by=admin, title=title, body=body, kind=kind, **extra)
        announcements.announcement_publish(announcement=a, by=admin)

    q1 = qa.question_ask(
        by=ada,
        title="How do I register a deal for a customer with several subsidiaries?",
        body="Our customer buys through three subsidiaries. One registration or three?",
        tags=["Deal registration"],
    )
    a1 = qa.answer_post(
        question=q1,
        by=manager,
        body="One registration per buying entity: register each subsidiary that signs.",
    )
    qa.answer_post(question=q1, by=carla, body="We register each subsidiary; it worked well.")
    qa.answer_accept(question=q1, answer=a1, by=ada)
    qa.vote_cast(question=q1, answer=a1, by=carla, value=1)
    q2 = qa.question_ask(
        by=carla,
        title="Is there a sandbox tenant for demos?",
        body="We would like to demo the product to prospects without using production data.",
        tags=["Platform"],
    )
    qa.answer_post(question=q2, by=ben, body="Ask your channel manager: ours set one up in a day.")
    qa.question_ask(
        by=ben,
        title="Which certification should new sales engineers start with?",
        body="We are onboarding two sales engineers next month.",
        tags=["Training"],
    )

    start = (timezone.now() + datetime.timedelta(days=10)).replace(
        hour=15, minute=0, second=0, microsecond=0
    )
    webinar = events.event_create(
        by=manager,
        title="What's new this quarter: partner webinar",
        description="The roadmap, the new price list and your questions, in 45 minutes.",
        starts_at=start,
        ends_at=start + datetime.timedelta(minutes=45),
        join_url="https://meet.example/partner-webinar",
        capacity=50,
    )
    events.event_publish(event=webinar, by=manager)
    for person in (ada, carla):
        events.event_register(event=webinar, by=person)


def _next_quarter() -> str:
    today = timezone.localdate()
    q = (today.month - 1) // 3 + 2
    year = today.year + (q > 4)
    return f"{year}-Q{(q - 1) % 4 + 1}"
