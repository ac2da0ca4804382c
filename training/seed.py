"""Demo data for training: three published courses (one with a quiz, one with a video link,
one with a downloadable reference card), two certifications, two learning paths, and the
demo partners' people at every stage: certified (one certificate expiring in about 20
days), part-way, enrolled but not started. Everything goes through the services, as people
would do it; only the history of the expiring certificate is moved back in time.

The certified people match the partners' seeded "certified people" figures, so the
recount after each certification leaves the demo tiers as the partners seed set them."""

from __future__ import annotations

import datetime

from allauth.account.models import EmailAddress
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from prm import services as prm_services
from prm.models import Member, User
from prm.roles import Role
from training import rules, services
from training.models import Certificate, Course, Lesson, Option, Question
from training.pdf import html_to_pdf

PASSWORD = "demo-password-1"

SALES_LESSONS = [
    (
        "Why customers buy Acme",
        "## The three problems we solve\n\n1. Cloud bills nobody can explain.\n"
        "2. Security reviews that stall every release.\n3. Data spread over too many tools.\n\n"
        "Lead with the problem your customer names, not with the product.",
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    ),
    (
        "Qualifying an opportunity",
        "Use **BANT** as a start: budget, authority, need, timing.\n\n"
        "| Question | Why |\n|---|---|\n| Who signs? | Authority |\n| By when? | Timing |\n\n"
        "Register the deal in the portal *before* you meet the customer: it protects you.",
        "",
    ),
    (
        "Pricing and discounts",
        "Your tier sets your discount. Higher tiers earn bigger discounts and longer deal "
        "protection; see *Tier* in the portal.",
        "",
    ),
]
SALES_QUIZ = [
    (
        "When should you register a deal?",
        "single",
        [
            ("Before engaging the customer", True),
            ("After the contract is signed", False),
            ("Only for deals above 100k", False),
        ],
    ),
    (
        "Which of these are part of BANT?",
        "multiple",
        [("Budget", True), ("Authority", True), ("Branding", False), ("Timing", True)],
    ),
    (
        "What sets your discount?",
        "single",
        [("Your tier", True), ("The customer's size", False), ("The quarter", False)],
    ),
]
IMPL_LESSONS = [
    (
        "Architecture overview",
        "Acme runs as a control plane and agents.\n\n```\nagent -> gateway -> control plane\n```",
        "https://vimeo.com/76979871",
    ),
    (
        "A first deployment",
        "Follow the checklist: network, identity, agents, dashboards. Each step has a "
        "verification command.",
        "",
    ),
]
SUPPORT_LESSONS = [
    (
        "Triage",
        "Severity 1 means production is down. Page the on-call engineer at once.",
        "",
    ),
    (
        "Escalation paths",
        "Escalate through the partner support portal; include logs and the agent version. "
        "The reference card attached to this lesson lists every contact.",
        "",
    ),
]

# (e-mail, name, partner, training role, title)
EXTRA_PEOPLE = [
    ("nia@northwind.example", "Nia Northwind", "Northwind Resellers", "sales", "Account manager"),
    ("noah@northwind.example", "Noah Northwind", "Northwind Resellers", "sales", "Sales lead"),
    ("nell@northwind.example", "Nell Northwind", "Northwind Resellers", "sales", "Inside sales"),
    ("bo@bluepeak.example", "Bo BluePeak", "BluePeak Integrators", "technical", "Engineer"),
    ("bea@bluepeak.example", "Bea BluePeak", "BluePeak Integrators", "technical", "Architect"),
    ("sam@stackforge.example", "Sam StackForge", "StackForge", "sales", "Partnerships"),
]


def _reference_card(tenant) -> SimpleUploadedFile:
    html = (
        "<html><body><h1>Support reference card</h1>"
        f"<p>{tenant.name} partner support: open a case in the partner portal.</p>"
        "<p>Severity 1: call the on-call number in the portal.</p></body></html>"
    )
    return SimpleUploadedFile("support-reference-card.pdf", html_to_pdf(html))


def _course(admin, code, title, summary, lessons, *, file_on_last=False, **quiz_rules):
    course = services.course_save(by=admin, code=code, title=title, summary=summary, **quiz_rules)
    lesson = None
    for lesson_title, body, video in lessons:
        lesson = services.lesson_save(
            by=admin, course=course, title=lesson_title, body=body, video_url=video
        )
    if file_on_last and lesson is not None:
        services.lesson_attach_file(by=admin, lesson=lesson, upload=_reference_card(admin.tenant))
    return course


def _pass(member: Member, course: Course, *, lessons: int | None = None) -> None:
    """Take `course` as `member`: the first `lessons` lessons (all by default) and, when
    everything is done, the quiz with the right answers."""
    services.enrollment_create(by=member, member=member, course=course)
    items = list(Lesson.objects.filter(course=course).order_by("order", "id"))
    for lesson in items[: len(items) if lessons is None else lessons]:
        services.lesson_complete(by=member, lesson=lesson)
    if lessons is not None or not Question.objects.filter(course=course).exists():
        return
    attempt = services.attempt_start(by=member, course=course)
    right: dict[int, list[int]] = {}
    for qid, oid in Option.objects.filter(question__course=course, is_correct=True).values_list(
        "question_id", "pk"
    ):
        right.setdefault(qid, []).append(oid)
    services.attempt_submit(by=member, attempt=attempt, answers=right)


def _person(tenant, partners, email, name, partner_name, title) -> Member:
    user = User.objects.filter(email=email).first() or User.objects.create_user(
        email, PASSWORD, full_name=name
    )
    EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return prm_services.member_add(
        tenant=tenant,
        user=user,
        role=Role.PARTNER_USER,
        partner=partners[partner_name],
        title=title,
    )


def seed(*, tenant, partners: dict) -> None:
    admin = Member.objects.filter(role=Role.ADMIN).select_related("user").first()
    sales = _course(
        admin,
        "SALES-101",
        "Acme Sales Foundations",
        "Position Acme, qualify opportunities and register deals the right way.",
        SALES_LESSONS,
        quiz_pass_mark=70,
        quiz_max_attempts=3,
        quiz_cooldown_hours=12,
    )
    for text, kind, options in SALES_QUIZ:
        services.question_save(by=admin, course=sales, text=text, kind=kind, options=options)
    impl = _course(
        admin,
        "IMPL-201",
        "Acme Implementation Fundamentals",
        "Deploy Acme for a first customer: architecture, checklist, verification.",
        IMPL_LESSONS,
    )
    support = _course(
        admin,
        "SUPPORT-110",
        "Supporting Acme customers",
        "Triage and escalate customer issues.",
        SUPPORT_LESSONS,
        file_on_last=True,
    )
    for course in (sales, impl, support):
        services.course_set_status(by=admin, course=course, to="published")

    sales_cert = services.certification_save(
        by=admin,
        code="ACSP",
        name="Acme Certified Sales Professional",
        description="Sells Acme: positioning, qualification, deal registration.",
        validity_months=12,
        courses=[sales],
    )
    services.certification_save(
        by=admin,
        code="ACIE",
        name="Acme Certified Implementation Engineer",
        description="Deploys and supports Acme for customers.",
        validity_months=24,
        courses=[impl, support],
    )
    services.path_save(
        by=admin,
        name="Sales essentials",
        description="For everyone who sells Acme.",
        training_role="sales",
        courses=[sales],
    )
    services.path_save(
        by=admin,
        name="Integrator technical track",
        description="For system integrators' engineers.",
        training_role="technical",
        partner_type="system_integrator",
        courses=[impl, support],
    )

    people = {m.user.email: m for m in Member.objects.select_related("user", "partner")}
    for email, role in (
        ("ada@northwind.example", "sales"),
        ("ben@northwind.example", "sales"),
        ("carla@bluepeak.example", "technical"),
    ):
        # The learning path enrols them as soon as their role is set.
        services.training_role_set(by=admin, member=people[email], training_role=role)
    extra = {}
    for email, name, partner_name, role, title in EXTRA_PEOPLE:
        member = _person(tenant, partners, email, name, partner_name, title)
        services.training_role_set(by=admin, member=member, training_role=role)
        extra[email] = member

    # Ada: certified a year ago less 20 days, so her certificate expires in about 20 days.
    ada = people["ada@northwind.example"]
    _pass(ada, sales)
    cert = Certificate.objects.get(member=ada, certification=sales_cert)
    issued = timezone.now() - datetime.timedelta(days=345)
    Certificate.objects.filter(pk=cert.pk).update(
        issued_at=issued,
        first_issued_at=issued,
        expires_at=rules.add_months(issued, sales_cert.validity_months),
    )
    # Ben: part-way through the sales course.
    _pass(people["ben@northwind.example"], sales, lessons=2)
    # Carla: implementation done, support course half-way: not certified yet.
    carla = people["carla@bluepeak.example"]
    _pass(carla, impl)
    _pass(carla, support, lessons=1)
    # Dev: enrolled by the program team, not started.
    services.enrollment_create(by=admin, member=people["dev@stackforge.example"], course=support)
    # Certified colleagues (they match the partners' certified-people figures).
    for email in ("nia@northwind.example", "noah@northwind.example", "nell@northwind.example"):
        _pass(extra[email], sales)
    for email in ("bo@bluepeak.example", "bea@bluepeak.example"):
        _pass(extra[email], impl)
        _pass(extra[email], support)
    _pass(extra["sam@stackforge.example"], sales)
