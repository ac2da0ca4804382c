from django.urls import path

from incentives import views_payouts as v

# Every action has its own URL (POST); pages and downloads are GET.
urlpatterns = [
    # Partners
    path("earnings/payee/", v.payee, name="incentives-payee"),
    path("earnings/payee/tax-form/", v.payee_tax_form, name="incentives-payee-tax-form"),
    path("earnings/payouts/<int:pk>/", v.remittance, name="incentives-remittance"),
    path("earnings/statements/<int:pk>/pdf/", v.statement_pdf, name="incentives-statement-pdf"),
    path("earnings/statements/<int:pk>/csv/", v.statement_csv, name="incentives-statement-csv"),
    # Staff
    path("incentives/payouts/", v.batches, name="incentives-batches"),
    path("incentives/payouts/new/", v.batch_new, name="incentives-batch-new"),
    path("incentives/payouts/settings/", v.payout_settings, name="incentives-payout-settings"),
    path("incentives/payouts/<int:pk>/", v.batch_detail, name="incentives-batch-detail"),
    path("incentives/payouts/<int:pk>/approve/", v.batch_approve, name="incentives-batch-approve"),
    path(
        "incentives/payouts/<int:pk>/second-approval/",
        v.batch_approve_second,
        name="incentives-batch-approve-second",
    ),
    path("incentives/payouts/<int:pk>/paid/", v.batch_mark_paid, name="incentives-batch-paid"),
    path("incentives/payouts/<int:pk>/cancel/", v.batch_cancel, name="incentives-batch-cancel"),
    path(
        "incentives/payouts/<int:pk>/export/csv/",
        v.batch_export_csv,
        name="incentives-batch-export-csv",
    ),
    path(
        "incentives/payouts/<int:pk>/export/sepa/",
        v.batch_export_sepa,
        name="incentives-batch-export-sepa",
    ),
    path(
        "incentives/payouts/lines/<int:pk>/remittance/",
        v.line_remittance,
        name="incentives-line-remittance",
    ),
    path("incentives/payees/", v.payees, name="incentives-payees"),
    path("incentives/payees/<int:pk>/approve/", v.payee_approve, name="incentives-payee-approve"),
    path("incentives/payees/<int:pk>/reject/", v.payee_reject, name="incentives-payee-reject"),
    path(
        "incentives/payees/<int:pk>/tax-form/",
        v.payee_tax_form_staff,
        name="incentives-payee-tax-form-staff",
    ),
    path("incentives/statements/", v.statements, name="incentives-statements"),
    path(
        "incentives/statements/generate/",
        v.statements_generate_now,
        name="incentives-statements-generate",
    ),
]
