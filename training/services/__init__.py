"""Writes for training and certification, by sub-area: content (courses, lessons, questions,
paths, certifications), learning (enrolment and progress), quizzes, certificates, and the
reactions to other apps' events (hooks: prm.events subscribers, registered in
training.apps). Import from here (`from training import services`).

Every function is keyword-only (except the event subscribers, which take one
prm.events.Event), runs inside the caller's tenant context, validates before writing, locks the
row it moves, audits with log_action, and sends e-mail only after the transaction commits.

`by=None` means the system (hooks, the expiry sweep); members need the capability.
"""

from training.services._base import (
    CODE_CHARS,
    LESSON_TAGS,
    render_lesson_markdown,
)
from training.services.certificates import (
    certificates_sweep,
    certifications_check,
    metrics_refresh_certified,
)
from training.services.content import (
    COURSE_FIELDS,
    certification_save,
    course_save,
    course_set_status,
    lesson_attach_file,
    lesson_delete,
    lesson_move,
    lesson_remove_file,
    lesson_save,
    path_delete,
    path_save,
    question_delete,
    question_save,
)
from training.services.hooks import (
    on_member_joined_or_changed,
    on_partner_profile_updated,
    on_partner_status_changed,
)
from training.services.learning import (
    enrol_matching,
    enrollment_create,
    enrollment_restart,
    lesson_complete,
    training_role_set,
)
from training.services.quizzes import (
    attempt_start,
    attempt_submit,
)

__all__ = [
    "CODE_CHARS",
    "COURSE_FIELDS",
    "LESSON_TAGS",
    "attempt_start",
    "attempt_submit",
    "certificates_sweep",
    "certification_save",
    "certifications_check",
    "course_save",
    "course_set_status",
    "enrol_matching",
    "enrollment_create",
    "enrollment_restart",
    "lesson_attach_file",
    "lesson_complete",
    "lesson_delete",
    "lesson_move",
    "lesson_remove_file",
    "lesson_save",
    "metrics_refresh_certified",
    "on_member_joined_or_changed",
    "on_partner_profile_updated",
    "on_partner_status_changed",
    "path_delete",
    "path_save",
    "question_delete",
    "question_save",
    "render_lesson_markdown",
    "training_role_set",
]
