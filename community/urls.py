from django.urls import path

from community import views, views_events

A = "community/announcements/"
Q = "community/questions/"
E = "community/events/"

urlpatterns = [
    path(A, views.announcement_list, name="announcement-list"),
    path(f"{A}new/", views.announcement_new, name="announcement-new"),
    path(f"{A}<int:pk>/", views.announcement_detail, name="announcement-detail"),
    path(f"{A}<int:pk>/edit/", views.announcement_edit, name="announcement-edit"),
    path(f"{A}<int:pk>/publish/", views.announcement_publish, name="announcement-publish"),
    path(f"{A}<int:pk>/unschedule/", views.announcement_unschedule, name="announcement-unschedule"),
    path(f"{A}<int:pk>/withdraw/", views.announcement_withdraw, name="announcement-withdraw"),
    path(Q, views.question_list, name="question-list"),
    path(f"{Q}new/", views.question_new, name="question-new"),
    path(f"{Q}<int:pk>/", views.question_detail, name="question-detail"),
    path(f"{Q}<int:pk>/answers/", views.question_answer, name="question-answer"),
    path(
        f"{Q}<int:pk>/answers/<int:answer_pk>/accept/",
        views.question_accept,
        name="question-accept",
    ),
    path(f"{Q}<int:pk>/answers/<int:answer_pk>/hide/", views.answer_hide, name="answer-hide"),
    path(f"{Q}<int:pk>/answers/<int:answer_pk>/unhide/", views.answer_unhide, name="answer-unhide"),
    path(f"{Q}<int:pk>/answers/<int:answer_pk>/edit/", views.answer_edit, name="answer-edit"),
    path(f"{Q}<int:pk>/vote/", views.question_vote, name="question-vote"),
    path(f"{Q}<int:pk>/follow/", views.question_follow, name="question-follow"),
    path(f"{Q}<int:pk>/hide/", views.question_hide, name="question-hide"),
    path(f"{Q}<int:pk>/unhide/", views.question_unhide, name="question-unhide"),
    path(f"{Q}<int:pk>/lock/", views.question_lock, name="question-lock"),
    path(f"{Q}<int:pk>/unlock/", views.question_unlock, name="question-unlock"),
    path(f"{Q}<int:pk>/edit/", views.question_edit, name="question-edit"),
    path(E, views_events.event_list, name="event-list"),
    path(f"{E}new/", views_events.event_new, name="event-new"),
    path(f"{E}<int:pk>/", views_events.event_detail, name="event-detail"),
    path(f"{E}<int:pk>/edit/", views_events.event_edit, name="event-edit"),
    path(f"{E}<int:pk>/publish/", views_events.event_publish, name="event-publish"),
    path(f"{E}<int:pk>/cancel/", views_events.event_cancel, name="event-cancel"),
    path(f"{E}<int:pk>/register/", views_events.event_register, name="event-register"),
    path(f"{E}<int:pk>/unregister/", views_events.event_unregister, name="event-unregister"),
    path(f"{E}<int:pk>/attendance/", views_events.event_attendance, name="event-attendance"),
    path(
        f"{E}<int:pk>/attendance/import/",
        views_events.event_attendance_import,
        name="event-attendance-import",
    ),
]
