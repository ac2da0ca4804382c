from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from prm.api import views
from prm.api.search import SearchView

router = SimpleRouter(trailing_slash=True)
router.register("members", views.MemberViewSet, basename="api-member")
router.register("invitations", views.InvitationViewSet, basename="api-invitation")
router.register("api-keys", views.ApiKeyViewSet, basename="api-key")
router.register("audit-events", views.AuditEventViewSet, basename="api-audit-event")

# Each app has an api.py with `urlpatterns` (its router's URLs), included below.
urlpatterns = [
    path(
        "schema/",
        SpectacularAPIView.as_view(permission_classes=[], authentication_classes=[]),
        name="api-schema",
    ),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api-schema", permission_classes=[], authentication_classes=[]
        ),
        name="api-docs",
    ),
    path("me/", views.MeView.as_view(), name="api-me"),
    path("tenant/", views.TenantView.as_view(), name="api-tenant"),
    path("search/", SearchView.as_view(), name="api-search"),
    path("", include(router.urls)),
    path("", include("partners.api")),
    path("", include("onboarding.api")),
    path("", include("training.api")),
    path("", include("dealreg.api")),
    path("", include("dealreg.influence_api")),
    path("", include("dealreg.direct_api")),
    path("", include("mdf.api")),
    path("", include("cosell.api")),
    path("", include("jointplans.api")),
    path("marketing/", include("marketing.api")),
    path("locator/", include("locator.api")),
    path("", include("community.api")),
    path("", include("analytics.api")),
    path("", include("predict.api")),
    path("", include("integrations.api")),
    path("", include("prm.notification_api")),
    path("", include("prm.api.governance")),
    path("", include("tenantdata.api")),
    path("", include("onboarding.settings_api")),
    path("", include("analytics.program_api")),
    path("", include("accountmap.api")),
    path("", include("accountmap.api_sharing")),
    path("", include("accountmap.api_people")),
    path("", include("incentives.api")),
    path("", include("incentives.api_payouts")),
    # Last: any other path under /api/v1/ is a 404 in the API's error format, not HTML.
    re_path(r"^", views.not_found),
]
