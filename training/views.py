"""Portal views for training: the partner's learning (courses, lessons, quizzes,
certificates, their team's training roles), channel managers' readiness per partner, the
admins' course and quiz builder, learning paths and certifications, and the public
certificate verification page. Each validates a form, calls one service, renders."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from partners.models import Partner
from prm.csv_export import csv_response
from prm.decorators import member_required
from prm.errors import DomainError
from prm.portal import apply_error, file_attachment, posted_id, require_action
from prm.roles import Role
from prm.search import search, search_term
from training import selectors, services
from training.forms import (
    CertificationForm,
    CourseCreateForm,
    CourseForm,
    EnrolForm,
    LessonFileForm,
    LessonForm,
    PathForm,
    QuestionForm,
    QuizAnswerForm,
    TrainingRoleForm,
)
from training.models import (
    Certificate,
    CertificateStatus,
    Certification,
    Course,
    CourseStatus,
    LearningPath,
    Lesson,
    Question,
    TrainingRole,
)
from training.states import COURSE


def _published_course(pk: int) -> Course:
    return get_object_or_404(Course, pk=pk, status=CourseStatus.PUBLISHED)


# --- Partner: my learning, the course player, quizzes -------------------------------------


@member_required("training.learn")
def my_learning(request):
    member = request.member
    learning = selectors.my_learning(member)
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
    return render(
        request,
        "training/attempt.html",
        {"attempt": attempt, "course": attempt.course, "form": form},
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
    from training.pdf import certificate_pdf as render_certificate

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


# --- Admins: courses, lessons, quizzes ----------------------------------------------------


@member_required("training.manage")
def admin_courses(request):
    form = CourseCreateForm()
    if request.method == "POST":
        form = CourseCreateForm(request.POST)
        if form.is_valid():
            try:
                course = services.course_save(by=request.member, **form.cleaned_data)
            except DomainError as exc:
                apply_error(form, exc)
            else:
                messages.success(request, _("Course created as a draft. Add its lessons."))
                return redirect("training-admin-course", pk=course.pk)
    q = search_term(request)
    courses = list(search(selectors.course_stats(), q, ("title", "code"))[:500])
    for c in courses:
        c.pass_rate = selectors.pass_rate(c)
    return render(
        request, "training/admin_courses.html", {"courses": courses, "form": form, "q": q}
    )


@member_required("training.manage")
def admin_course(request, pk: int):
    course = get_object_or_404(Course, pk=pk)
    member = request.member
    form = CourseForm(instance=course, prefix="c")
    lesson_form = LessonForm(prefix="l")
    enrol_form = EnrolForm(prefix="e")
    if request.method == "POST":
        op = request.POST.get("op")
        try:
            if op == "course":
                form = CourseForm(request.POST, instance=Course.objects.get(pk=pk), prefix="c")
                if form.is_valid():
                    services.course_save(by=member, course=course, **form.cleaned_data)
                    messages.success(request, _("Course saved."))
                    return redirect("training-admin-course", pk=pk)
            elif op == "add_lesson":
                lesson_form = LessonForm(request.POST, prefix="l")
                if lesson_form.is_valid():
                    lesson = services.lesson_save(
                        by=member, course=course, **lesson_form.cleaned_data
                    )
                    messages.success(request, _("Lesson added."))
                    return redirect("training-admin-lesson", pk=lesson.pk)
            elif op == "move":
                lesson = get_object_or_404(
                    Lesson, pk=posted_id(request.POST.get("lesson")), course=course
                )
                services.lesson_move(
                    by=member, lesson=lesson, direction=request.POST.get("direction", "")
                )
                return redirect("training-admin-course", pk=pk)
            elif op == "enrol":
                enrol_form = EnrolForm(request.POST, prefix="e")
                if enrol_form.is_valid():
                    services.enrollment_create(
                        by=member, member=enrol_form.cleaned_data["member"], course=course
                    )
                    messages.success(request, _("Enrolled; the person was told by e-mail."))
                    return redirect("training-admin-course", pk=pk)
            else:
                raise Http404
        except DomainError as exc:
            target = {"course": form, "add_lesson": lesson_form, "enrol": enrol_form}.get(op)
            if target is None:
                messages.error(request, exc.message)
            else:
                apply_error(target, exc)
        course.refresh_from_db()
    stats = selectors.course_stats().get(pk=course.pk)
    return render(
        request,
        "training/admin_course.html",
        {
            "course": course,
            "form": form,
            "lesson_form": lesson_form,
            "enrol_form": enrol_form,
            "lessons": selectors.course_lessons(course),
            "questions": Question.objects.filter(course=course).prefetch_related("options"),
            "stats": stats,
            "pass_rate": selectors.pass_rate(stats),
            "allowed_actions": COURSE.allowed_actions(course, member),
        },
    )


@require_POST
@member_required("training.manage")
def admin_course_action(request, pk: int, action: str):
    """One URL per action of training.states.COURSE (publish, unpublish, archive)."""
    course = get_object_or_404(Course, pk=pk)
    require_action(COURSE, course, request.member, action)
    try:
        services.course_set_status(by=request.member, course=course, action=action)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Course status changed."))
    return redirect("training-admin-course", pk=pk)


@member_required("training.manage")
def admin_lesson(request, pk: int):
    lesson = get_object_or_404(Lesson.objects.select_related("course"), pk=pk)
    course = lesson.course
    member = request.member
    form = LessonForm(
        initial={"title": lesson.title, "body": lesson.body, "video_url": lesson.video_url}
    )
    file_form = LessonFileForm(prefix="f")
    status = 200
    if request.method == "POST":
        op = request.POST.get("op")
        try:
            if op == "save":
                form = LessonForm(request.POST)
                if form.is_valid():
                    services.lesson_save(
                        by=member, course=course, lesson=lesson, **form.cleaned_data
                    )
                    messages.success(request, _("Lesson saved."))
                    return redirect("training-admin-lesson", pk=pk)
            elif op == "file":
                file_form = LessonFileForm(request.POST, request.FILES, prefix="f")
                if file_form.is_valid():
                    services.lesson_attach_file(
                        by=member, lesson=lesson, upload=file_form.cleaned_data["file"]
                    )
                    messages.success(request, _("File attached."))
                    return redirect("training-admin-lesson", pk=pk)
            elif op == "remove_file":
                services.lesson_remove_file(by=member, lesson=lesson)
                messages.success(request, _("File removed."))
                return redirect("training-admin-lesson", pk=pk)
            elif op == "delete":
                services.lesson_delete(by=member, lesson=lesson)
                messages.success(request, _("Lesson deleted."))
                return redirect("training-admin-course", pk=course.pk)
            else:
                raise Http404
        except DomainError as exc:
            if op == "file":
                apply_error(file_form, exc)
            elif op == "save":
                apply_error(form, exc)
            else:
                messages.error(request, exc.message)
        status = 400
        lesson.refresh_from_db()
    return render(
        request,
        "training/admin_lesson.html",
        {"lesson": lesson, "course": course, "form": form, "file_form": file_form},
        status=status,
    )


@member_required("training.manage")
def admin_questions(request, pk: int):
    course = get_object_or_404(Course, pk=pk)
    form = QuestionForm()
    status = 200
    if request.method == "POST":
        form = QuestionForm(request.POST)
        if form.is_valid():
            try:
                services.question_save(
                    by=request.member,
                    course=course,
                    text=form.cleaned_data["text"],
                    kind=form.cleaned_data["kind"],
                    options=form.options(),
                )
            except DomainError as exc:
                apply_error(form, exc)
            else:
                messages.success(request, _("Question added."))
                return redirect("training-admin-questions", pk=pk)
        status = 400
    return render(
        request,
        "training/admin_questions.html",
        {
            "course": course,
            "questions": Question.objects.filter(course=course).prefetch_related("options"),
            "form": form,
        },
        status=status,
    )


@member_required("training.manage")
def admin_question(request, pk: int):
    question = get_object_or_404(Question.objects.select_related("course"), pk=pk)
    course = question.course
    form = QuestionForm(question=question)
    status = 200
    if request.method == "POST":
        if request.POST.get("op") == "delete":
            services.question_delete(by=request.member, question=question)
            messages.success(request, _("Question deleted."))
            return redirect("training-admin-questions", pk=course.pk)
        form = QuestionForm(request.POST)
        if form.is_valid():
            try:
                services.question_save(
                    by=request.member,
                    course=course,
                    question=question,
                    text=form.cleaned_data["text"],
                    kind=form.cleaned_data["kind"],
                    options=form.options(),
                )
            except DomainError as exc:
                apply_error(form, exc)
            else:
                messages.success(request, _("Question saved."))
                return redirect("training-admin-questions", pk=course.pk)
        status = 400
    return render(
        request,
        "training/admin_question.html",
        {"question": question, "course": course, "form": form},
        status=status,
    )


# --- Admins: learning paths and certifications --------------------------------------------


def _path_data(form) -> dict:
    data = dict(form.cleaned_data)
    data["courses"] = list(data.get("courses") or [])
    return data


@member_required("training.manage")
def admin_paths(request):
    form = PathForm()
    if request.method == "POST":
        form = PathForm(request.POST)
        if form.is_valid():
            try:
                services.path_save(by=request.member, **_path_data(form))
            except DomainError as exc:
                apply_error(form, exc)
            else:
                messages.success(request, _("Learning path saved; matching people are enrolled."))
                return redirect("training-admin-paths")
    return render(
        request,
        "training/admin_paths.html",
        {"paths": selectors.paths().order_by("name"), "form": form},
    )


@member_required("training.manage")
def admin_path(request, pk: int):
    path = get_object_or_404(LearningPath, pk=pk)
    form = PathForm(instance=path)
    if request.method == "POST":
        if request.POST.get("op") == "delete":
            services.path_delete(by=request.member, path=path)
            messages.success(request, _("Learning path deleted. Enrolments it made stay."))
            return redirect("training-admin-paths")
        form = PathForm(request.POST, instance=LearningPath.objects.get(pk=pk))
        if form.is_valid():
            try:
                services.path_save(by=request.member, path=path, **_path_data(form))
            except DomainError as exc:
                apply_error(form, exc)
            else:
                messages.success(request, _("Learning path saved; matching people are enrolled."))
                return redirect("training-admin-path", pk=pk)
    return render(request, "training/admin_path.html", {"path": path, "form": form})


@member_required("training.manage")
def admin_certifications(request):
    form = CertificationForm()
    if request.method == "POST":
        form = CertificationForm(request.POST)
        if form.is_valid():
            try:
                services.certification_save(by=request.member, **_path_data(form))
            except DomainError as exc:
                apply_error(form, exc)
            else:
                messages.success(request, _("Certification saved."))
                return redirect("training-admin-certifications")
    now = timezone.now()
    certs = selectors.certifications().annotate(
        holders=Count(
            "certificates",
            filter=Q(
                certificates__status=CertificateStatus.ACTIVE, certificates__expires_at__gt=now
            ),
        )
    )
    return render(
        request, "training/admin_certifications.html", {"certifications": certs, "form": form}
    )


@member_required("training.manage")
def admin_certification(request, pk: int):
    cert = get_object_or_404(Certification, pk=pk)
    form = CertificationForm(instance=cert)
    if request.method == "POST":
        form = CertificationForm(request.POST, instance=Certification.objects.get(pk=pk))
        if form.is_valid():
            try:
                services.certification_save(
                    by=request.member, certification=cert, **_path_data(form)
                )
            except DomainError as exc:
                apply_error(form, exc)
            else:
                messages.success(request, _("Certification saved."))
                return redirect("training-admin-certification", pk=pk)
    holders = (
        Certificate.objects.filter(certification=cert)
        .select_related("member__user", "member__partner")
        .order_by("expires_at")[:500]
    )
    return render(
        request,
        "training/admin_certification.html",
        {"certification": cert, "form": form, "holders": holders, "now": timezone.now()},
    )
