from django.urls import path

from mdf import views

# Every action has its own URL (POST); pages are GET.
urlpatterns = [
    # Partners
    path("mdf/", views.home, name="mdf-home"),
    path("mdf/requests/", views.request_list, name="mdf-request-list"),
    path("mdf/requests/new/", views.request_new, name="mdf-request-new"),
    path("mdf/requests/<int:pk>/", views.request_detail, name="mdf-request-detail"),
    path("mdf/requests/<int:pk>/edit/", views.request_edit, name="mdf-request-edit"),
    path("mdf/requests/<int:pk>/approve/", views.request_approve, name="mdf-request-approve"),
    path("mdf/requests/<int:pk>/reject/", views.request_reject, name="mdf-request-reject"),
    path("mdf/requests/<int:pk>/return/", views.request_return, name="mdf-request-return"),
    path("mdf/requests/<int:pk>/cancel/", views.request_cancel, name="mdf-request-cancel"),
    path("mdf/requests/<int:pk>/claim/", views.claim_new, name="mdf-claim-new"),
    path("mdf/claims/", views.claim_list, name="mdf-claim-list"),
    path("mdf/claims/<int:pk>/", views.claim_detail, name="mdf-claim-detail"),
    path("mdf/claims/<int:pk>/approve/", views.claim_approve, name="mdf-claim-approve"),
    path(
        "mdf/claims/<int:pk>/request-info/",
        views.claim_request_info,
        name="mdf-claim-request-info",
    ),
    path("mdf/claims/<int:pk>/reject/", views.claim_reject, name="mdf-claim-reject"),
    path(
        "mdf/claims/<int:pk>/second-approval/",
        views.claim_second_approve,
        name="mdf-claim-second-approval",
    ),
    path(
        "mdf/claims/<int:pk>/second-approval/reject/",
        views.claim_second_reject,
        name="mdf-claim-second-reject",
    ),
    path("mdf/claims/<int:pk>/pay/", views.claim_pay, name="mdf-claim-pay"),
    path("mdf/claims/<int:pk>/respond/", views.claim_respond, name="mdf-claim-respond"),
    path("mdf/claims/<int:pk>/documents/", views.claim_add_document, name="mdf-claim-documents"),
    path("mdf/claims/<int:pk>/remittance.pdf", views.remittance_download, name="mdf-remittance"),
    path("mdf/documents/", views.documents, name="mdf-documents"),
    path("mdf/documents/<int:pk>/", views.document_download, name="mdf-document-download"),
    # Staff
    path("mdf/review/requests/", views.review_requests, name="mdf-review-requests"),
    path("mdf/review/claims/", views.review_claims, name="mdf-review-claims"),
    path("mdf/review/history/", views.history, name="mdf-history"),
    path("mdf/roi/", views.roi, name="mdf-roi"),
    # Admins
    path("mdf/programs/", views.program_list, name="mdf-program-list"),
    path("mdf/programs/<int:pk>/", views.program_detail, name="mdf-program-detail"),
    path("mdf/programs/<int:pk>/settings/", views.program_settings, name="mdf-program-settings"),
    path("mdf/programs/<int:pk>/rules/", views.program_rule, name="mdf-program-rule"),
    path(
        "mdf/programs/<int:pk>/rules/<str:activity_type>/remove/",
        views.program_remove_rule,
        name="mdf-program-remove-rule",
    ),
    path("mdf/programs/<int:pk>/allocations/", views.allocations, name="mdf-allocations"),
    path(
        "mdf/programs/<int:pk>/allocations/manual/",
        views.allocation_manual,
        name="mdf-allocation-manual",
    ),
    path(
        "mdf/programs/<int:pk>/allocations/tier/",
        views.allocation_tier,
        name="mdf-allocation-tier",
    ),
    path(
        "mdf/programs/<int:pk>/allocations/accrue/",
        views.allocation_accrue,
        name="mdf-allocation-accrue",
    ),
    path("mdf/exchange-rates/", views.exchange_rates, name="mdf-exchange-rates"),
    path("mdf/exchange-rates/add/", views.exchange_rate_add, name="mdf-exchange-rate-add"),
    path("mdf/ledger/", views.ledger, name="mdf-ledger"),
    path("mdf/ledger/export.csv", views.ledger_export, name="mdf-ledger-export"),
]
