"""Labels of the audit actions this app writes (prm.labels), registered in ready()."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "training.course_created": _("Course created"),
    "training.course_status_changed": _("Course status changed"),
    "training.lesson_created": _("Lesson created"),
    "training.lesson_file_attached": _("File attached to a lesson"),
    "training.lesson_file_removed": _("File removed from a lesson"),
    "training.lessons_reordered": _("Lessons reordered"),
    "training.lesson_deleted": _("Lesson deleted"),
    "training.question_created": _("Quiz question created"),
    "training.question_deleted": _("Quiz question deleted"),
    "training.path_created": _("Learning path created"),
    "training.path_deleted": _("Learning path deleted"),
    "training.certification_created": _("Certification created"),
    "training.quiz_started": _("Quiz started"),
    "training.quiz_submitted": _("Quiz submitted"),
    "training.enrolled_by_path": _("Enrolled through a learning path"),
    "training.enrolled": _("Enrolled in a course"),
    "training.role_changed": _("Training role changed"),
    "training.lesson_completed": _("Lesson completed"),
    "training.course_completed": _("Course completed"),
    "training.course_restarted": _("Course restarted"),
    "training.certificate_notice_sent": _("Certificate expiry notice sent"),
    "training.certificate_expired": _("Certificate expired"),
}
