"""Quiz attempts: started and scored on the server, within the course's attempt rules."""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Sequence

from django.db.models import Max
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from prm.audit import log_action
from prm.errors import DomainError, PermissionDenied
from prm.models import Member
from training import rules
from training.models import (
    Course,
    Enrollment,
    Option,
    Question,
    QuestionKind,
    QuizAttempt,
)
from training.services.learning import enrollment_complete_if_met, own_enrollment

# --- Quizzes ------------------------------------------------------------------------------


def _gate(course: Course, enrollment: Enrollment, now: datetime.datetime) -> rules.Gate:
    submitted = list(
        QuizAttempt.objects.filter(
            enrollment=enrollment, cycle=enrollment.cycle, submitted_at__isnull=False
        ).values_list("submitted_at", "passed")
    )
    return rules.attempt_gate(
        max_attempts=course.quiz_max_attempts,
        cooldown_hours=course.quiz_cooldown_hours,
        submitted=[(at, bool(p)) for at, p in submitted],
        now=now,
    )


def attempt_start(*, by: Member, course: Course) -> QuizAttempt:
    """Start an attempt at the course's quiz, or return the one already open. Refused when
    the quiz is passed, the attempts of this round are used up, or the cool-down after a
    failed attempt is still running. Questions and options are shuffled per attempt."""
    enrollment = own_enrollment(by, course, lock=True)
    course = Course.objects.get(pk=course.pk)
    open_attempt = QuizAttempt.objects.filter(
        enrollment=enrollment, submitted_at__isnull=True
    ).first()
    if open_attempt is not None:
        return open_attempt
    questions = list(Question.objects.filter(course=course).prefetch_related("options"))
    if not questions:
        raise DomainError(_("This course has no quiz."))
    if enrollment.completed_at is not None:
        raise DomainError(_("You completed this course. Start it again to retake the quiz."))
    now = timezone.now()
    gate = _gate(course, enrollment, now)
    if not gate.allowed:
        message = gate.reason
        if gate.ready_at is not None:
            message = _("You can try again from %(t)s.") % {
                "t": date_format(timezone.localtime(gate.ready_at), "DATETIME_FORMAT")
            }
        raise DomainError(message, code="cooldown" if gate.ready_at else "limit")
    number = (
        QuizAttempt.objects.filter(enrollment=enrollment, cycle=enrollment.cycle).aggregate(
            m=Max("number")
        )["m"]
        or 0
    ) + 1
    layout = rules.shuffled_layout(
        [(q.pk, [o.pk for o in q.options.all()]) for q in questions], secrets.SystemRandom()
    )
    attempt = QuizAttempt.objects.create(
        tenant_id=enrollment.tenant_id,
        enrollment=enrollment,
        course=course,
        member=by,
        cycle=enrollment.cycle,
        number=number,
        layout=layout,
        question_count=len(layout),
        started_at=now,
    )
    if enrollment.started_at is None:
        enrollment.started_at = now
        enrollment.save(update_fields=["started_at"])
    log_action(
        "training.quiz_started",
        obj=attempt,
        object_label=course.code,
        after={"course": course.pk, "number": number, "cycle": enrollment.cycle},
    )
    return attempt


def attempt_submit(
    *, by: Member, attempt: QuizAttempt, answers: dict[int, Sequence[int]]
) -> QuizAttempt:
    """Score an open attempt on the server. `answers` maps question ids of the attempt to
    the chosen option ids; a question left out counts as wrong. Passing (score >= the pass
    mark) may complete the course."""
    if by is None or attempt.member_id != by.pk:
        raise PermissionDenied()
    attempt = QuizAttempt.objects.select_for_update().get(pk=attempt.pk)
    if attempt.submitted_at is not None:
        raise DomainError(_("This attempt was already submitted."))
    shown = {item["q"]: set(item["o"]) for item in attempt.layout}
    chosen: dict[int, set[int]] = {}
    for qid, option_ids in (answers or {}).items():
        try:
            qid = int(qid)
            picked = {int(o) for o in option_ids}
        except (TypeError, ValueError):
            raise DomainError(_("Answers must be ids."), field="answers")
        if qid not in shown:
            raise DomainError(
                _("Question %(q)s is not part of this attempt.") % {"q": qid}, field="answers"
            )
        if not picked <= shown[qid]:
            raise DomainError(
                _("An answer to question %(q)s is not one of its options.") % {"q": qid},
                field="answers",
            )
        chosen[qid] = picked
    kinds = dict(Question.objects.filter(pk__in=shown).values_list("pk", "kind"))
    for qid, picked in chosen.items():
        if kinds.get(qid) == QuestionKind.SINGLE and len(picked) > 1:
            raise DomainError(_("Question %(q)s takes one answer.") % {"q": qid}, field="answers")
    correct: dict[int, set[int]] = {qid: set() for qid in kinds}
    for qid, oid in Option.objects.filter(question_id__in=kinds, is_correct=True).values_list(
        "question_id", "pk"
    ):
        correct[qid].add(oid)
    result = rules.score(attempt.layout, chosen, correct)
    course = Course.objects.get(pk=attempt.course_id)
    now = timezone.now()
    attempt.answers = {str(q): sorted(o) for q, o in chosen.items()}
    attempt.submitted_at = now
    attempt.score, attempt.correct_count = result.percent, result.correct
    attempt.question_count = result.total
    attempt.passed = result.total > 0 and result.percent >= course.quiz_pass_mark
    attempt.save(
        update_fields=[
            "answers",
            "submitted_at",
            "score",
            "correct_count",
            "question_count",
            "passed",
        ]
    )
    enrollment = Enrollment.objects.select_for_update().get(pk=attempt.enrollment_id)
    if enrollment.best_score is None or result.percent > enrollment.best_score:
        enrollment.best_score = result.percent
        enrollment.save(update_fields=["best_score"])
    log_action(
        "training.quiz_submitted",
        obj=attempt,
        object_label=course.code,
        after={
            "course": course.pk,
            "number": attempt.number,
            "score": result.percent,
            "passed": attempt.passed,
            "pass_mark": course.quiz_pass_mark,
        },
    )
    if attempt.passed and attempt.cycle == enrollment.cycle:
        enrollment_complete_if_met(enrollment)
    return attempt
