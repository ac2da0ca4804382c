"""Portal views for training: the partner's learning (courses, lessons, quizzes,
certificates, their team's training roles), channel managers' readiness per partner, the
admins' course and quiz builder, learning paths and certifications, and the public
certificate verification page. Each validates a form, calls one service, renders."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from partners.models import Partner
from prm.csv_export import csv_response
from prm.decorators import member_required
from prm.errors import DomainError
from prm.portal import apply_error, file_attachment, require_action
from prm.roles import Role
from training import selectors, services
from training.forms import (
    QuizAnswerForm,
    TrainingRoleForm,
)
from training.models import (
    Certificate,
    CertificateStatus,
    Course,
    CourseStatus,
    Lesson,
    Question,
    TrainingRole,
)
from training.pdf import certificate_pdf as render_certificate
from training.states import ENROLLMENT


def _published_course(pk: int) -> Course:
    return get_object_or_404(Course, pk=pk, status=CourseStatus.PUBLISHED)


# --- Partner: my learning, the course player, quizzes -------------------------------------


@member_required("training.learn")
def my_learning(request):
    member = request.member
    learning = selectors.my_learning(member)
    for enrollment in learning.assigned + learning.in_progress + learning.done:
        enrollment.allowed = ENROLLMENT.allowed(enrollment, member)
    certificates = list(
        selectors.certificates_visible_to(member).filter(member=member).order_by("expires_at")
    )
    return render(
        request,
        "training/my_learning.html",
        {"learning": learning, "certificates": certificates, "now": timezone.now()},
    )


@member_required("training.learn")
def course_detail(request, pk: int):
    member = request.member
    course = _published_course(pk)
    enrollment = selectors.enrollment_for(member, course)
    lessons = selectors.course_lessons(course)
    done = selectors.done_lesson_ids(enrollment)
    return render(
        request,
        "training/course.html",
        {
            "course": course,
            "enrollment": enrollment,
            "lessons": lessons,
            "done": done,
            "resume": selectors.resume_lesson(lessons, done) if enrollment else None,
            "quiz": selectors.quiz_state(course, enrollment),
            "allowed": ENROLLMENT.allowed(enrollment, member) if enrollment else frozenset(),
        },
    )


@require_POST
@member_required("training.learn")
def course_enrol(request, pk: int):
    course = _published_course(pk)
    try:
        services.enrollment_create(by=request.member, member=request.member, course=course)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("You are enrolled. Start with the first lesson."))
    return redirect("training-course", pk=pk)


@require_POST
@member_required("training.learn")
def course_restart(request, pk: int):
    """Take a completed course again; 404 for a course the member is not enrolled in."""
    course = _published_course(pk)
    enrollment = selectors.enrollment_for(request.member, course)
    if enrollment is None:
        raise Http404
    require_action(ENROLLMENT, enrollment, request.member, "restart")
    try:
        services.enrollment_restart(by=request.member, enrollment=enrollment)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The course starts again from the first lesson."))
    return redirect("training-course", pk=pk)


@member_required("training.learn")
def lesson_page(request, pk: int, lesson_pk: int):
    member = request.member
    course = _published_course(pk)
    lesson = get_object_or_404(Lesson, pk=lesson_pk, course=course)
    enrollment = selectors.enrollment_for(member, course)
    if enrollment is None:
        messages.info(request, _("Enrol in the course to follow its lessons."))
        return redirect("training-course", pk=pk)
    lessons = selectors.course_lessons(course)
    previous, following = selectors.neighbours(lessons, lesson)
    if request.method == "POST":
        try:
            services.lesson_complete(by=member, lesson=lesson)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("training-lesson", pk=pk, lesson_pk=lesson.pk)
        if following is not None:
            return redirect("training-lesson", pk=pk, lesson_pk=following.pk)
        return redirect("training-course", pk=pk)
    done = selectors.done_lesson_ids(enrollment)
    return render(
        request,
        "training/lesson.html",
        {
            "course": course,
            "lesson": lesson,
            "lessons": lessons,
            "position": [x.pk for x in lessons].index(lesson.pk) + 1,
            "previous": previous,
            "next": following,
            "done": done,
            "enrollment": enrollment,
            "has_quiz": Question.objects.filter(course=course).exists(),
        },
    )


@member_required("training.learn")
def quiz_page(request, pk: int):
    member = request.member
    course = _published_course(pk)
    enrollment = selectors.enrollment_for(member, course)
    if request.method == "POST":
        try:
            attempt = services.attempt_start(by=member, course=course)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("training-quiz", pk=pk)
        return redirect("training-attempt", pk=attempt.pk)
    state = selectors.quiz_state(course, enrollment)
    if not state.has_quiz:
        raise Http404
    return render(
        request,
        "training/quiz.html",
        {"course": course, "enrollment": enrollment, "quiz": state},
    )


@member_required("training.learn")
def attempt_page(request, pk: int):
    member = request.member
    attempt = get_object_or_404(selectors.attempts_visible_to(member).filter(member=member), pk=pk)
    questions = selectors.attempt_questions(attempt) if attempt.is_open else []
    form = QuizAnswerForm(questions=questions) if attempt.is_open else None
    status = 200
    if request.method == "POST":
        if not attempt.is_open:
            return redirect("training-attempt", pk=pk)
        form = QuizAnswerForm(request.POST, questions=questions)
        if form.is_valid():
            try:
                attempt = services.attempt_submit(
                    by=member, attempt=attempt, answers=form.answers()
                )
            except DomainError as exc:
                apply_error(form, exc)
            else:
                return redirect("training-attempt", pk=pk)
        status = 400
    certificates = (
        list(selectors.certificates_with_course(member, attempt.course))
        if attempt.passed and not attempt.is_open
        else []
    )
    return render(
        request,
        "training/attempt.html",
        {
            "attempt": attempt,
            "course": attempt.course,
            "form": form,
            "certificates": [c for c in certificates if c.is_valid()],
        },
        status=status,
    )


@member_required("training.learn")
def my_certificates(request):
    member = request.member
    qs = selectors.certificates_visible_to(member).order_by(
        "member__user__email", "certification__name"
    )
    return render(
        request,
        "training/certificates.html",
        {
            "certificates": qs[:500],
            "now": timezone.now(),
            "team": member.role == Role.PARTNER_ADMIN,
        },
    )


@member_required("training.view")
def certificate_pdf(request, pk: int):
    certificate = get_object_or_404(selectors.certificates_visible_to(request.member), pk=pk)

    pdf = render_certificate(tenant=request.tenant, certificate=certificate)
    name = f"certificate-{certificate.certification.code}-{certificate.code}.pdf"
    resp = HttpResponse(pdf, content_type="application/pdf")
    resp["Content-Disposition"] = f'attachment; filename="{name}"'
    resp["X-Content-Type-Options"] = "nosniff"
    resp["Cache-Control"] = "private, no-store"
    return resp


@member_required("training.view")
def lesson_file(request, pk: int):
    lesson = selectors.lesson_visible_to(request.member, pk)
    if lesson is None or not lesson.file:
        raise Http404
    return file_attachment(
        lesson.file, filename=lesson.file_name, content_type=lesson.file_content_type
    )


def _set_role(request, people: list) -> None:
    """Handle a posted training-role change for one of `people` (shown on the page)."""
    form = TrainingRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a training role."))
        return
    member = next((p.member for p in people if p.member.pk == form.cleaned_data["member"]), None)
    if member is None:
        raise Http404
    try:
        services.training_role_set(
            by=request.member, member=member, training_role=form.cleaned_data["training_role"]
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Training role saved; matching learning paths apply."))


@member_required("training.team")
def team(request):
    partner = get_object_or_404(Partner, pk=request.member.partner_id)
    people = selectors.partner_people(partner)
    if request.method == "POST":
        _set_role(request, people)
        return redirect("training-team")
    return render(
        request,
        "training/team.html",
        {
            "partner": partner,
            "people": people,
            "roles": TrainingRole.choices,
            "now": timezone.now(),
        },
    )


# --- Public: certificate verification -----------------------------------------------------


def verify(request, code: str):
    """Public, on the tenant's host: only the holder's name, the certification, its
    validity and the tenant. Unknown codes are a plain 404."""
    certificate = selectors.certificate_by_code(code)
    if certificate is None:
        raise Http404
    resp = render(
        request,
        "training/verify.html",
        {"certificate": certificate, "valid": certificate.is_valid(), "tenant": request.tenant},
    )
    resp["X-Robots-Tag"] = "noindex"
    return resp


# --- Channel managers: readiness ----------------------------------------------------------


@member_required("training.monitor")
def readiness(request):
    now = timezone.now()
    partners = list(selectors.readiness(now=now)[:500])
    expiring = list(
        Certificate.objects.filter(
            status=CertificateStatus.ACTIVE,
            expires_at__gt=now,
            expires_at__lte=now + datetime.timedelta(days=selectors.EXPIRING_DAYS),
            member__partner__isnull=False,
            member__is_active=True,
        )
        .select_related("certification", "member__user", "member__partner")
        .order_by("expires_at")[:100]
    )
    return render(
        request,
        "training/readiness.html",
        {"partners": partners, "expiring": expiring, "now": now, "days": selectors.EXPIRING_DAYS},
    )


@member_required("training.monitor")
def readiness_partner(request, pk: int):
    partner = get_object_or_404(Partner, pk=pk)
    people = selectors.partner_people(partner)
    if request.method == "POST":
        _set_role(request, people)
        return redirect("training-readiness-partner", pk=pk)
    return render(
        request,
        "training/readiness_partner.html",
        {
            "partner": partner,
            "people": people,
            "roles": TrainingRole.choices,
            "now": timezone.now(),
        },
    )


@member_required("training.monitor")
def readiness_export(request):
    now = timezone.now()
    header = (
        "partner",
        "person",
        "email",
        "training_role",
        "certification",
        "status",
        "issued_at",
        "expires_at",
        "verification_code",
    )
    rows = (
        (
            c.member.partner.name,
            c.holder_name,
            c.member.user.email,
            c.training_role or "",
            c.certification.name,
            "valid" if c.is_valid(now) else "expired",
            c.issued_at.date(),
            c.expires_at.date(),
            c.code,
        )
        for c in selectors.readiness_export_rows(now=now).iterator(chunk_size=500)
    )
    return csv_response("training-readiness", header, rows)
