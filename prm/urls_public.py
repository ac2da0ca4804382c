"""URLs served on the bare base domain: a neutral landing page that reveals no tenant."""

from django.urls import include, path

from prm import views

urlpatterns = [
    path("", views.landing, name="home"),
    path("accounts/", include("allauth.urls")),
    path("profile/", views.profile, name="profile"),
    path("switch/<slug:slug>/", views.switch_tenant, name="switch-tenant"),
    path("branding.css", views.branding_css, name="branding-css"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
]
