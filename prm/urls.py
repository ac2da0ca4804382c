"""URLs served on a tenant host (<slug>.<base domain> or a mapped custom domain)."""

from django.urls import include, path, re_path

from prm import auth_views, search_views, views
from prm.core_states import TENANT_HOST

urlpatterns = [
    # First: Django tries the patterns in order, and an API call then skips the ~500 portal
    # patterns (resolving /api/v1/deals/ took 1.5 ms with api/v1/ last, 0.4 ms first, on a
    # loaded machine). No portal URL starts with api/v1/.
    path("api/v1/", include("prm.api.urls")),
    # Then the busiest public pages (campaign landing pages and tracked links, syndication
    # embeds), for the same reason. No portal URL starts with c/, t/, u/ or
    # syndication/.
    path("", include("marketing.urls_public")),
    path("", views.home, name="home"),
    # Before allauth's own: e-mail-verification keys bound to the host (prm.auth).
    re_path(
        r"^accounts/confirm-email/(?P<key>[-:\w]+)/$",
        auth_views.confirm_email,
        name="account_confirm_email",
    ),
    path("accounts/", include("allauth.urls")),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation-accept"),
    path("members/", views.members, name="members"),
    path("members/<int:pk>/", views.member_detail, name="member-detail"),
    path("members/<int:pk>/role/", views.member_change_role, name="member-change-role"),
    *(
        path(
            f"members/<int:pk>/{name}/",
            views.member_set_active,
            {"action": name},
            name=f"member-{name}",
        )
        for name in ("deactivate", "reactivate")
    ),
    path("invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation-revoke"),
    path("settings/", views.tenant_settings, name="tenant-settings"),
    path("settings/domains/", views.tenant_host_add, name="tenant-host-add"),
    *(
        path(
            f"settings/domains/<int:pk>/{name.replace('_', '-')}/",
            views.tenant_host_action,
            {"action": name},
            name=f"tenant-host-{name.replace('_', '-')}",
        )
        for name, act in TENANT_HOST.actions.items()
        if not act.system
    ),
    path("search/", search_views.global_search_page, name="global-search"),
    path("audit/", views.audit, name="audit"),
    path("audit/export.csv", views.audit_export, name="audit-export"),
    path("api-keys/", views.api_keys, name="api-keys"),
    path("api-keys/<int:pk>/revoke/", views.api_key_revoke, name="api-key-revoke-portal"),
    path("profile/", views.profile, name="profile"),
    path("switch/enter/", views.switch_enter, name="switch-enter"),
    path("switch/<slug:slug>/", views.switch_tenant, name="switch-tenant"),
    path("branding.css", views.branding_css, name="branding-css"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("branding/logo", views.branding_logo, name="branding-logo"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("partners.urls")),
    path("", include("onboarding.urls")),
    path("", include("training.urls")),
    path("", include("dealreg.urls")),
    path("", include("mdf.urls")),
    path("", include("cosell.urls")),
    path("", include("jointplans.urls")),
    path("", include("marketing.urls")),
    path("", include("community.urls")),
    path("", include("locator.urls")),
    path("", include("analytics.urls")),
    path("", include("predict.urls")),
    path("", include("integrations.urls")),
    path("", include("prm.notification_urls")),
    path("", include("tenantdata.urls")),
    path("", include("imports.urls")),
    path("", include("accountmap.urls")),
    path("", include("accountmap.urls_sharing")),
    path("", include("accountmap.urls_people")),
    path("", include("incentives.urls")),
    path("", include("incentives.urls_payouts")),
]

# A request Django refuses before any view (body over the size limit, too many fields): the
# 400 page, or the API's error format under /api/.
handler400 = "prm.middleware.bad_request"
