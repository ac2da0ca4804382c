"""Portal URLs of notifications (every member) and the one-click unsubscribe link."""

from django.urls import path

from prm import notification_views as views

urlpatterns = [
    path("notifications/", views.notification_list, name="notification-list"),
    path(
        "notifications/mark-all-read/",
        views.notification_mark_all_read,
        name="notification-mark-all-read",
    ),
    path("notifications/<int:pk>/open/", views.notification_open, name="notification-open"),
    path(
        "notifications/preferences/",
        views.notification_preferences,
        name="notification-preferences",
    ),
    path(
        "notifications/unsubscribe/<str:token>/",
        views.notification_unsubscribe,
        name="notification-unsubscribe",
    ),
]
