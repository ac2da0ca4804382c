"""Portal URLs of the integrations area (webhooks, notifications)."""

from django.urls import path

from prm import integration_views as views

urlpatterns = [
    path("integrations/webhooks/", views.webhook_list, name="webhook-list"),
    path("integrations/webhooks/<int:pk>/", views.webhook_detail, name="webhook-detail"),
    path("integrations/webhooks/<int:pk>/action/", views.webhook_action, name="webhook-action"),
    path("integrations/deliveries/<int:pk>/", views.webhook_delivery, name="webhook-delivery"),
    path("notifications/", views.notification_list, name="notification-list"),
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
