from django.urls import path

from mdf import views

urlpatterns = [
    # Partners
    path("mdf/", views.home, name="mdf-home"),
    path("mdf/requests/", views.request_list, name="mdf-request-list"),
    path("mdf/requests/new/", views.request_new, name="mdf-request-new"),
    path("mdf/requests/<int:pk>/", views.request_detail, name="mdf-request-detail"),
    path("mdf/requests/<int:pk>/edit/", views.request_edit, name="mdf-request-edit"),
    path("mdf/requests/<int:pk>/claim/", views.claim_new, name="mdf-claim-new"),
    path("mdf/claims/", views.claim_list, name="mdf-claim-list"),
    path("mdf/claims/<int:pk>/", views.claim_detail, name="mdf-claim-detail"),
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
    path("mdf/programs/<int:pk>/allocations/", views.allocations, name="mdf-allocations"),
    path("mdf/exchange-rates/", views.exchange_rates, name="mdf-exchange-rates"),
    path("mdf/ledger/", views.ledger, name="mdf-ledger"),
    path("mdf/ledger/export.csv", views.ledger_export, name="mdf-ledger-export"),
]
