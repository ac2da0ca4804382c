"""MDF API under /api/v1/mdf/: programs, allocations, balances, requests, claims (multipart
uploads), their decisions (approve / reject / return / request-info / pay), exchange rates,
the ledger and ROI. The same capabilities as the portal; each write validates its input, then
calls one service."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from mdf.api.funds import AllocationViewSet, BalanceView, LedgerViewSet, ProgramViewSet
from mdf.api.rates import ExchangeRateViewSet, RoiView
from mdf.api.requests_claims import ClaimViewSet, RequestViewSet

router = SimpleRouter(trailing_slash=True)
router.register("mdf/programs", ProgramViewSet, basename="api-mdf-program")
router.register("mdf/allocations", AllocationViewSet, basename="api-mdf-allocation")
router.register("mdf/ledger", LedgerViewSet, basename="api-mdf-ledger")
router.register("mdf/requests", RequestViewSet, basename="api-mdf-request")
router.register("mdf/claims", ClaimViewSet, basename="api-mdf-claim")
router.register("mdf/exchange-rates", ExchangeRateViewSet, basename="api-mdf-exchange-rate")

urlpatterns = [
    path("mdf/balances/", BalanceView.as_view(), name="api-mdf-balances"),
    path("mdf/roi/", RoiView.as_view(), name="api-mdf-roi"),
    path("", include(router.urls)),
]
