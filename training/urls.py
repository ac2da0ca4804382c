from django.urls import path

from training import views
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
    path("program/training/", views.admin_courses, name="training-admin-courses"),
    path("program/training/courses/<int:pk>/", views.admin_course, name="training-admin-course"),
    *(
        path(
            f"program/training/courses/<int:pk>/{name}/",
            views.admin_course_action,
            {"action": name},
            name=f"training-admin-course-{name}",
        )
        for name in COURSE.actions
    ),
    path(
        "program/training/courses/<int:pk>/questions/",
        views.admin_questions,
        name="training-admin-questions",
    ),
    path(
        "program/training/questions/<int:pk>/", views.admin_question, name="training-admin-question"
    ),
    path("program/training/lessons/<int:pk>/", views.admin_lesson, name="training-admin-lesson"),
    path("program/training/paths/", views.admin_paths, name="training-admin-paths"),
    path("program/training/paths/<int:pk>/", views.admin_path, name="training-admin-path"),
    path(
        "program/training/certifications/",
        views.admin_certifications,
        name="training-admin-certifications",
    ),
    path(
        "program/training/certifications/<int:pk>/",
        views.admin_certification,
        name="training-admin-certification",
    ),
]
