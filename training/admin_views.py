"""Portal views of the training admins (`training.manage`): the course and quiz builder,
learning paths and certifications. One URL per action; each validates a form, calls one
service, renders."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, ExpressionWrapper, F, FloatField, Q, Value
from django.db.models.functions import Lower, NullIf
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from prm.confirm import confirm_first, confirmation_for, confirmed, success_with_undo
from prm.decorators import member_required
from prm.errors import DomainError
from prm.portal import apply_error, require_action
from prm.search import search, search_term
from prm.sorting import Sorting
from prm.states import ActionNotAllowed
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
)
from training.models import (
    Certificate,
    CertificateStatus,
    Certification,
    Course,
    LearningPath,
    Lesson,
    Question,
)
from training.states import COURSE, COURSE_TONE

# --- Admins: courses, lessons, quizzes ----------------------------------------------------

# The course list's sortable columns (prm.sorting) over selectors.course_stats()'s figures;
# by title unless asked. Pass rate as selectors.pass_rate() computes it (none without takers).
COURSE_COLUMNS = {
    "course": Lower("title"),
    "status": "status",
    "lessons": "lesson_count",
    "questions": "question_count",
    "enrolled": "enrolled",
    "completed": "completed",
    "pass_rate": ExpressionWrapper(
        F("passers") * Value(1.0) / NullIf(F("takers"), Value(0)), output_field=FloatField()
    ),
    "avg_score": "avg_score",
}


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
    sorting = Sorting.from_request(request, COURSE_COLUMNS, default="course")
    courses = list(sorting.apply(search(selectors.course_stats(), q, ("title", "code")))[:500])
    for c in courses:
        c.pass_rate = selectors.pass_rate(c)
        c.tone = COURSE_TONE.get(c.status, "off")
    return render(
        request,
        "training/admin_courses.html",
        {"courses": courses, "form": form, "q": q, "sorting": sorting},
    )


def _course_page(request, course: Course, *, form=None, lesson_form=None, enrol_form=None):
    member = request.member
    stats = selectors.course_stats().get(pk=course.pk)
    allowed = COURSE.allowed_actions(course, member)
    bound = form or lesson_form or enrol_form
    return render(
        request,
        "training/admin_course.html",
        {
            "course": course,
            "tone": COURSE_TONE.get(course.status, "off"),
            "form": form or CourseForm(instance=course, prefix="c"),
            "lesson_form": lesson_form or LessonForm(prefix="l"),
            "enrol_form": enrol_form or EnrolForm(prefix="e"),
            "lessons": selectors.course_lessons(course),
            "questions": Question.objects.filter(course=course).prefetch_related("options"),
            "stats": stats,
            "pass_rate": selectors.pass_rate(stats),
            # The status moves get buttons; "enrol" shows the enrolment form.
            "allowed_actions": [act for act in allowed if act.target],
            "allowed": {act.name for act in allowed},
        },
        status=400 if bound is not None else 200,
    )


@member_required("training.manage")
def admin_course(request, pk: int):
    return _course_page(request, get_object_or_404(Course, pk=pk))


@require_POST
@member_required("training.manage")
def admin_course_save(request, pk: int):
    course = get_object_or_404(Course, pk=pk)
    form = CourseForm(request.POST, instance=Course.objects.get(pk=pk), prefix="c")
    if form.is_valid():
        try:
            services.course_save(by=request.member, course=course, **form.cleaned_data)
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Course saved."))
            return redirect("training-admin-course", pk=pk)
    course.refresh_from_db()
    return _course_page(request, course, form=form)


@require_POST
@member_required("training.manage")
def admin_lesson_add(request, pk: int):
    course = get_object_or_404(Course, pk=pk)
    lesson_form = LessonForm(request.POST, prefix="l")
    if lesson_form.is_valid():
        try:
            lesson = services.lesson_save(
                by=request.member, course=course, **lesson_form.cleaned_data
            )
        except DomainError as exc:
            apply_error(lesson_form, exc)
        else:
            messages.success(request, _("Lesson added."))
            return redirect("training-admin-lesson", pk=lesson.pk)
    return _course_page(request, course, lesson_form=lesson_form)


@require_POST
@member_required("training.manage")
def admin_course_enrol(request, pk: int):
    """Enrol a person in a published course (training.states.COURSE `enrol`)."""
    course = get_object_or_404(Course, pk=pk)
    require_action(COURSE, course, request.member, "enrol")
    try:
        COURSE.check(course, request.member, "enrol")  # published courses only
    except ActionNotAllowed as exc:
        messages.error(request, exc.message)
        return redirect("training-admin-course", pk=pk)
    enrol_form = EnrolForm(request.POST, prefix="e")
    if enrol_form.is_valid():
        try:
            services.enrollment_create(
                by=request.member, member=enrol_form.cleaned_data["member"], course=course
            )
        except DomainError as exc:
            apply_error(enrol_form, exc)
        else:
            messages.success(request, _("Enrolled; the person was told by e-mail."))
            return redirect("training-admin-course", pk=pk)
    return _course_page(request, course, enrol_form=enrol_form)


@require_POST
@member_required("training.manage")
def admin_lesson_move(request, pk: int, direction: str):
    """Move a lesson one place up or down (one URL each)."""
    lesson = get_object_or_404(Lesson, pk=pk)
    try:
        services.lesson_move(by=request.member, lesson=lesson, direction=direction)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("training-admin-course", pk=lesson.course_id)


@require_http_methods(["GET", "POST"])
@member_required("training.manage")
def admin_course_action(request, pk: int, action: str):
    """One URL per action of training.states.COURSE (publish, unpublish, archive). Archiving
    asks first (prm/confirm.py: a GET is its confirmation page) and offers Undo (publish)."""
    course = get_object_or_404(Course, pk=pk)
    require_action(COURSE, course, request.member, action)
    if action == "archive":
        _form, page = confirmed(request, confirmation_for("training-admin-course-archive", course))
        if page is not None:
            return page
    elif request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        course = services.course_set_status(by=request.member, course=course, action=action)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if action == "archive" and "publish" in COURSE.allowed(course, request.member):
            undo = reverse("training-admin-course-publish", args=[pk])
            success_with_undo(request, _("Course archived."), undo_url=undo)
        else:
            messages.success(request, _("Course status changed."))
    return redirect("training-admin-course", pk=pk)


def _lesson_page(request, lesson: Lesson, *, form=None, file_form=None):
    return render(
        request,
        "training/admin_lesson.html",
        {
            "lesson": lesson,
            "course": lesson.course,
            "form": form
            or LessonForm(
                initial={"title": lesson.title, "body": lesson.body, "video_url": lesson.video_url}
            ),
            "file_form": file_form or LessonFileForm(prefix="f"),
        },
        status=400 if form is not None or file_form is not None else 200,
    )


def _lesson(pk: int) -> Lesson:
    return get_object_or_404(Lesson.objects.select_related("course"), pk=pk)


@member_required("training.manage")
def admin_lesson(request, pk: int):
    return _lesson_page(request, _lesson(pk))


@require_POST
@member_required("training.manage")
def admin_lesson_save(request, pk: int):
    lesson = _lesson(pk)
    form = LessonForm(request.POST)
    if form.is_valid():
        try:
            services.lesson_save(
                by=request.member, course=lesson.course, lesson=lesson, **form.cleaned_data
            )
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Lesson saved."))
            return redirect("training-admin-lesson", pk=pk)
    lesson.refresh_from_db()
    return _lesson_page(request, lesson, form=form)


@require_POST
@member_required("training.manage")
def admin_lesson_file(request, pk: int):
    lesson = _lesson(pk)
    file_form = LessonFileForm(request.POST, request.FILES, prefix="f")
    if file_form.is_valid():
        try:
            services.lesson_attach_file(
                by=request.member, lesson=lesson, upload=file_form.cleaned_data["file"]
            )
        except DomainError as exc:
            apply_error(file_form, exc)
        else:
            messages.success(request, _("File attached."))
            return redirect("training-admin-lesson", pk=pk)
    lesson.refresh_from_db()
    return _lesson_page(request, lesson, file_form=file_form)


@require_http_methods(["GET", "POST"])
@member_required("training.manage")
@confirm_first("training-admin-lesson-file-remove", lambda request, pk: _lesson(pk))
def admin_lesson_file_remove(request, pk: int):
    lesson = _lesson(pk)
    try:
        services.lesson_remove_file(by=request.member, lesson=lesson)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("File removed."))
    return redirect("training-admin-lesson", pk=pk)


@require_http_methods(["GET", "POST"])
@member_required("training.manage")
@confirm_first("training-admin-lesson-delete", lambda request, pk: _lesson(pk))
def admin_lesson_delete(request, pk: int):
    lesson = _lesson(pk)
    try:
        services.lesson_delete(by=request.member, lesson=lesson)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("training-admin-lesson", pk=pk)
    messages.success(request, _("Lesson deleted."))
    return redirect("training-admin-course", pk=lesson.course_id)


def _question_saved(request, form, course, *, question=None) -> bool:
    """Validate the question form and save it (new, or `question`); False leaves the errors
    on the form."""
    if not form.is_valid():
        return False
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
        return False
    return True


@member_required("training.manage")
def admin_questions(request, pk: int):
    course = get_object_or_404(Course, pk=pk)
    form = QuestionForm()
    status = 200
    if request.method == "POST":
        form = QuestionForm(request.POST)
        if _question_saved(request, form, course):
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
        form = QuestionForm(request.POST)
        if _question_saved(request, form, course, question=question):
            messages.success(request, _("Question saved."))
            return redirect("training-admin-questions", pk=course.pk)
        status = 400
    return render(
        request,
        "training/admin_question.html",
        {"question": question, "course": course, "form": form},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@member_required("training.manage")
@confirm_first(
    "training-admin-question-delete",
    lambda request, pk: get_object_or_404(Question.objects.select_related("course"), pk=pk),
)
def admin_question_delete(request, pk: int):
    question = get_object_or_404(Question, pk=pk)
    services.question_delete(by=request.member, question=question)
    messages.success(request, _("Question deleted."))
    return redirect("training-admin-questions", pk=question.course_id)


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


@require_http_methods(["GET", "POST"])
@member_required("training.manage")
@confirm_first(
    "training-admin-path-delete", lambda request, pk: get_object_or_404(LearningPath, pk=pk)
)
def admin_path_delete(request, pk: int):
    path = get_object_or_404(LearningPath, pk=pk)
    services.path_delete(by=request.member, path=path)
    messages.success(request, _("Learning path deleted. Enrolments it made stay."))
    return redirect("training-admin-paths")


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
