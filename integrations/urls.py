"""Portal URLs of webhooks (admins): one URL per action, POST only for the actions."""

from django.urls import path

from integrations import views

urlpatterns = [
    path("integrations/webhooks/", views.webhook_list, name="webhook-list"),
    path("integrations/webhooks/<int:pk>/", views.webhook_detail, name="webhook-detail"),
    path("integrations/webhooks/<int:pk>/disable/", views.webhook_disable, name="webhook-disable"),
    path("integrations/webhooks/<int:pk>/enable/", views.webhook_enable, name="webhook-enable"),
    path(
        "integrations/webhooks/<int:pk>/rotate-secret/",
        views.webhook_rotate_secret,
        name="webhook-rotate-secret",
    ),
    path("integrations/deliveries/<int:pk>/", views.webhook_delivery, name="webhook-delivery"),
    path(
        "integrations/deliveries/<int:pk>/redeliver/",
        views.webhook_redeliver,
        name="webhook-redeliver",
    ),
]
