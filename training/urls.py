from django.urls import path

from training import admin_views, views
from training.states import COURSE

urlpatterns = [
    # Public, on the tenant's host
    path("verify/<str:code>", views.verify, name="training-verify"),
    # Partner people
    path("learning/", views.my_learning, name="training-my"),
    path("learning/courses/<int:pk>/", views.course_detail, name="training-course"),
    path("learning/courses/<int:pk>/enrol/", views.course_enrol, name="training-course-enrol"),
    path(
        "learning/courses/<int:pk>/restart/", views.course_restart, name="training-course-restart"
    ),
    path(
        "learning/courses/<int:pk>/lessons/<int:lesson_pk>/",
        views.lesson_page,
        name="training-lesson",
    ),
    path("learning/courses/<int:pk>/quiz/", views.quiz_page, name="training-quiz"),
    path("learning/attempts/<int:pk>/", views.attempt_page, name="training-attempt"),
    path("learning/certificates/", views.my_certificates, name="training-certificates"),
    path(
        "learning/certificates/<int:pk>.pdf",
        views.certificate_pdf,
        name="training-certificate-pdf",
    ),
    path("learning/files/<int:pk>/", views.lesson_file, name="training-lesson-file"),
    path("learning/team/", views.team, name="training-team"),
    # Channel managers
    path("training/readiness/", views.readiness, name="training-readiness"),
    path("training/readiness/export.csv", views.readiness_export, name="training-readiness-export"),
    path(
        "training/readiness/partners/<int:pk>/",
        views.readiness_partner,
        name="training-readiness-partner",
    ),
    # Admins
    path("program/training/", admin_views.admin_courses, name="training-admin-courses"),
    path(
        "program/training/courses/<int:pk>/", admin_views.admin_course, name="training-admin-course"
    ),
    *(
        path(
            f"program/training/courses/<int:pk>/{name}/",
            admin_views.admin_course_action,
            {"action": name},
            name=f"training-admin-course-{name}",
        )
        for name, act in COURSE.actions.items()
        if act.target is not None  # the status moves; enrolling has its own view
    ),
    path(
        "program/training/courses/<int:pk>/save/",
        admin_views.admin_course_save,
        name="training-admin-course-save",
    ),
    path(
        "program/training/courses/<int:pk>/enrol/",
        admin_views.admin_course_enrol,
        name="training-admin-course-enrol",
    ),
    path(
        "program/training/courses/<int:pk>/lessons/",
        admin_views.admin_lesson_add,
        name="training-admin-lesson-add",
    ),
    *(
        path(
            f"program/training/lessons/<int:pk>/{direction}/",
            admin_views.admin_lesson_move,
            {"direction": direction},
            name=f"training-admin-lesson-{direction}",
        )
        for direction in ("up", "down")
    ),
    path(
        "program/training/lessons/<int:pk>/save/",
        admin_views.admin_lesson_save,
        name="training-admin-lesson-save",
    ),
    path(
        "program/training/lessons/<int:pk>/file/",
        admin_views.admin_lesson_file,
        name="training-admin-lesson-file",
    ),
    path(
        "program/training/lessons/<int:pk>/file/remove/",
        admin_views.admin_lesson_file_remove,
        name="training-admin-lesson-file-remove",
    ),
    path(
        "program/training/lessons/<int:pk>/delete/",
        admin_views.admin_lesson_delete,
        name="training-admin-lesson-delete",
    ),
    path(
        "program/training/questions/<int:pk>/delete/",
        admin_views.admin_question_delete,
        name="training-admin-question-delete",
    ),
    path(
        "program/training/paths/<int:pk>/delete/",
        admin_views.admin_path_delete,
        name="training-admin-path-delete",
    ),
    path(
        "program/training/courses/<int:pk>/questions/",
        admin_views.admin_questions,
        name="training-admin-questions",
    ),
    path(
        "program/training/questions/<int:pk>/",
        admin_views.admin_question,
        name="training-admin-question",
    ),
    path(
        "program/training/lessons/<int:pk>/", admin_views.admin_lesson, name="training-admin-lesson"
    ),
    path("program/training/paths/", admin_views.admin_paths, name="training-admin-paths"),
    path("program/training/paths/<int:pk>/", admin_views.admin_path, name="training-admin-path"),
    path(
        "program/training/certifications/",
        admin_views.admin_certifications,
        name="training-admin-certifications",
    ),
    path(
        "program/training/certifications/<int:pk>/",
        admin_views.admin_certification,
        name="training-admin-certification",
    ),
]
