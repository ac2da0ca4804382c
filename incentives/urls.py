from django.urls import path

from incentives import views

# Every action has its own URL (POST); pages are GET.
urlpatterns = [
    # Partners
    path("earnings/", views.earnings, name="incentives-earnings"),
    path("incentives/earnings/<int:pk>/", views.earning_detail, name="incentives-earning-detail"),
    path(
        "incentives/earnings/<int:pk>/dispute/",
        views.earning_dispute,
        name="incentives-earning-dispute",
    ),
    # Staff
    path("incentives/", views.queue, name="incentives-queue"),
    path(
        "incentives/earnings/<int:pk>/approve/",
        views.earning_approve,
        name="incentives-earning-approve",
    ),
    path(
        "incentives/earnings/approve/", views.earnings_approve, name="incentives-earnings-approve"
    ),
    path("incentives/disputes/", views.disputes, name="incentives-disputes"),
    path(
        "incentives/disputes/<int:pk>/answer/",
        views.dispute_answer,
        name="incentives-dispute-answer",
    ),
    # Admins
    path("incentives/programs/", views.programs, name="incentives-programs"),
    path("incentives/programs/new/", views.program_new, name="incentives-program-new"),
    path("incentives/programs/<int:pk>/", views.program_detail, name="incentives-program-detail"),
    path("incentives/programs/<int:pk>/edit/", views.program_edit, name="incentives-program-edit"),
    path("incentives/programs/<int:pk>/draft/", views.version_save, name="incentives-version-save"),
    path(
        "incentives/versions/<int:pk>/publish/",
        views.version_publish,
        name="incentives-version-publish",
    ),
    path("incentives/adjustments/new/", views.adjustment_new, name="incentives-adjustment-new"),
    # --- incent2: set-based recomputation of a commission program ---
    path(
        "incentives/programs/<int:pk>/recompute/",
        views.program_recompute,
        name="incentives-program-recompute",
    ),
]
