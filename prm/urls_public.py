"""URLs served on the bare base domain: a neutral landing page that reveals no tenant."""

from django.urls import include, path, re_path

from prm import auth_views, views

urlpatterns = [
    path("", views.landing, name="home"),
    # Before allauth's own: e-mail-verification keys bound to the host (prm.auth).
    re_path(
        r"^accounts/confirm-email/(?P<key>[-:\w]+)/$",
        auth_views.confirm_email,
        name="account_confirm_email",
    ),
    path("accounts/", include("allauth.urls")),
    path("profile/", views.profile, name="profile"),
    path("switch/<slug:slug>/", views.switch_tenant, name="switch-tenant"),
    path("branding.css", views.branding_css, name="branding-css"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
]
