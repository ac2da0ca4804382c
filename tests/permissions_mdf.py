"""Permission rows for market development funds (portal and API). The objects they point at
are built lazily, once per world, by tests.mdf.test_mdf_support.mdf_objects."""

from __future__ import annotations

from django.utils import timezone

from tests.mdf.test_mdf_support import (
    claim_fields,
    mdf_objects,
    mdf_second_approval,
    request_fields,
)
from tests.permissions import PROGRAM, STAFF, Endpoint

PARTNER_ROLES = {"partner_admin", "partner_user"}
ADMIN = {"admin"}


def _m(world):
    return mdf_objects(world)


def _pair(url):
    """(url lambda, stranger url lambda) for an object of the world's MDF objects."""
    return {
        "url": lambda w: url(_m(w)),
        "stranger_url": lambda w, s: url(_m(s)),
    }


def _request_form(w) -> dict:
    program = _m(w).program
    fields = request_fields(program, requested_amount="500")
    return {"program": program.pk} | {k: str(v) for k, v in fields.items()}


ENDPOINTS = [
    # --- Portal: partners
    Endpoint("mdf-home", lambda w: "/mdf/", PARTNER_ROLES),
    Endpoint("mdf-request-list", lambda w: "/mdf/requests/", PARTNER_ROLES),
    Endpoint("mdf-request-new", lambda w: (_m(w), "/mdf/requests/new/")[1], PARTNER_ROLES),
    Endpoint(
        "mdf-request-detail",
        allowed=PROGRAM,
        **_pair(lambda m: f"/mdf/requests/{m.submitted.pk}/"),
    ),
    Endpoint(
        "mdf-request-edit",
        allowed=PARTNER_ROLES,
        **_pair(lambda m: f"/mdf/requests/{m.submitted.pk}/edit/"),
    ),
    Endpoint(
        "mdf-claim-new",
        allowed=PARTNER_ROLES,
        **_pair(lambda m: f"/mdf/requests/{m.approved_unclaimed.pk}/claim/"),
    ),
    Endpoint("mdf-claim-list", lambda w: "/mdf/claims/", PARTNER_ROLES),
    Endpoint(
        "mdf-claim-detail",
        allowed=PROGRAM,
        **_pair(lambda m: f"/mdf/claims/{m.claim_submitted.pk}/"),
    ),
    Endpoint(
        "mdf-remittance",
        allowed=PROGRAM,
        **_pair(lambda m: f"/mdf/claims/{m.claim_paid.pk}/remittance.pdf"),
    ),
    Endpoint("mdf-documents", lambda w: (_m(w), "/mdf/documents/")[1], PARTNER_ROLES),
    Endpoint(
        "mdf-document-download",
        allowed=PROGRAM,
        **_pair(lambda m: f"/mdf/documents/{m.document.pk}/"),
    ),
    # --- Portal: the actions on requests and claims, one URL each (POST)
    Endpoint(
        "mdf-request-new",
        lambda w: "/mdf/requests/new/",
        PARTNER_ROLES,
        method="post",
        data=lambda w: _request_form(w),
    ),
    Endpoint(
        "mdf-request-edit",
        allowed=PARTNER_ROLES,
        method="post",
        data=lambda w: {k: v for k, v in _request_form(w).items() if k != "program"},
        **_pair(lambda m: f"/mdf/requests/{m.submitted.pk}/edit/"),
    ),
    Endpoint(
        "mdf-request-approve",
        allowed=STAFF,
        method="post",
        data=lambda w: {"amount": "800.00"},
        **_pair(lambda m: f"/mdf/requests/{m.submitted.pk}/approve/"),
    ),
    Endpoint(
        "mdf-request-reject",
        allowed=STAFF,
        method="post",
        data=lambda w: {"reason": "Outside the program's focus."},
        **_pair(lambda m: f"/mdf/requests/{m.submitted.pk}/reject/"),
    ),
    Endpoint(
        "mdf-request-return",
        allowed=STAFF,
        method="post",
        data=lambda w: {"reason": "Add the agenda."},
        **_pair(lambda m: f"/mdf/requests/{m.submitted.pk}/return/"),
    ),
    Endpoint(
        "mdf-request-cancel",
        allowed=PROGRAM,
        method="post",
        data=lambda w: {"reason": "Venue closed."},
        **_pair(lambda m: f"/mdf/requests/{m.submitted.pk}/cancel/"),
    ),
    Endpoint(
        "mdf-claim-new",
        allowed=PARTNER_ROLES,
        method="post",
        data=lambda w: {k: str(v) for k, v in claim_fields(_m(w).approved_unclaimed).items()},
        **_pair(lambda m: f"/mdf/requests/{m.approved_unclaimed.pk}/claim/"),
    ),
    Endpoint(
        "mdf-claim-approve",
        allowed=STAFF,
        method="post",
        data=lambda w: {"amount": "900.00"},
        **_pair(lambda m: f"/mdf/claims/{m.claim_submitted.pk}/approve/"),
    ),
    Endpoint(
        "mdf-claim-request-info",
        allowed=STAFF,
        method="post",
        data=lambda w: {"reason": "Attach the attendee list."},
        **_pair(lambda m: f"/mdf/claims/{m.claim_submitted.pk}/request-info/"),
    ),
    Endpoint(
        "mdf-claim-reject",
        allowed=STAFF,
        method="post",
        data=lambda w: {"reason": "No proof of the event."},
        **_pair(lambda m: f"/mdf/claims/{m.claim_submitted.pk}/reject/"),
    ),
    # Irreversible actions: a GET of the action URL is its confirmation page (prm/confirm.py)
    Endpoint(
        "mdf-request-cancel",
        allowed=PROGRAM,
        **_pair(lambda m: f"/mdf/requests/{m.submitted.pk}/cancel/"),
    ),
    Endpoint(
        "mdf-claim-reject",
        allowed=STAFF,
        **_pair(lambda m: f"/mdf/claims/{m.claim_submitted.pk}/reject/"),
    ),
    Endpoint(
        "mdf-request-reject",
        allowed=STAFF,
        **_pair(lambda m: f"/mdf/requests/{m.submitted.pk}/reject/"),
    ),
    Endpoint(
        "mdf-claim-second-reject",
        lambda w: f"/mdf/claims/{mdf_second_approval(w).pk}/second-approval/reject/",
        ADMIN,
        stranger_url=lambda w, s: (
            f"/mdf/claims/{mdf_second_approval(s).pk}/second-approval/reject/"
        ),
    ),
    Endpoint(
        "mdf-claim-second-approval",
        lambda w: f"/mdf/claims/{mdf_second_approval(w).pk}/second-approval/",
        ADMIN,
        method="post",
        stranger_url=lambda w, s: f"/mdf/claims/{mdf_second_approval(s).pk}/second-approval/",
    ),
    Endpoint(
        "mdf-claim-second-reject",
        lambda w: f"/mdf/claims/{mdf_second_approval(w).pk}/second-approval/reject/",
        ADMIN,
        method="post",
        data=lambda w: {"reason": "The invoice does not match the event."},
        stranger_url=lambda w, s: (
            f"/mdf/claims/{mdf_second_approval(s).pk}/second-approval/reject/"
        ),
    ),
    Endpoint(
        "mdf-claim-pay",
        allowed=ADMIN,
        method="post",
        data=lambda w: {"payment_reference": "WIRE-77", "paid_on": str(timezone.localdate())},
        **_pair(lambda m: f"/mdf/claims/{m.claim_approved.pk}/pay/"),
    ),
    Endpoint(
        "mdf-claim-respond",
        allowed=PARTNER_ROLES,
        method="post",
        data=lambda w: {k: str(v) for k, v in claim_fields(_m(w).claim_info.request).items()},
        **_pair(lambda m: f"/mdf/claims/{m.claim_info.pk}/respond/"),
    ),
    # Without a file an allowed role gets the form again (200) with the error; uploads are
    # tested in test_mdf_portal.py.
    Endpoint(
        "mdf-claim-documents",
        allowed=PARTNER_ROLES,
        method="post",
        data=lambda w: {"kind": "photos"},
        expect={200},
        **_pair(lambda m: f"/mdf/claims/{m.claim_submitted.pk}/documents/"),
    ),
    # --- Portal: staff
    Endpoint("mdf-review-requests", lambda w: (_m(w), "/mdf/review/requests/")[1], STAFF),
    Endpoint("mdf-review-claims", lambda w: (_m(w), "/mdf/review/claims/")[1], STAFF),
    Endpoint("mdf-history", lambda w: (_m(w), "/mdf/review/history/")[1], STAFF),
    Endpoint("mdf-roi", lambda w: (_m(w), "/mdf/roi/")[1], STAFF),
    # --- Portal: admins
    Endpoint("mdf-program-list", lambda w: (_m(w), "/mdf/programs/")[1], ADMIN),
    Endpoint(
        "mdf-program-detail", allowed=ADMIN, **_pair(lambda m: f"/mdf/programs/{m.program.pk}/")
    ),
    Endpoint(
        "mdf-allocations",
        allowed=ADMIN,
        **_pair(lambda m: f"/mdf/programs/{m.program.pk}/allocations/"),
    ),
    Endpoint("mdf-exchange-rates", lambda w: (_m(w), "/mdf/exchange-rates/")[1], ADMIN),
    # --- Portal: the admins' actions (POST)
    Endpoint(
        "mdf-program-list",
        lambda w: "/mdf/programs/",
        ADMIN,
        method="post",
        data=lambda w: {
            "name": "Next year",
            "period": "year",
            "start_date": "2031-01-01",
            "currency": "USD",
            "budget": "50000",
            "grace_days": "30",
            "expiry_warning_days": "14",
        },
    ),
    Endpoint(
        "mdf-program-settings",
        allowed=ADMIN,
        method="post",
        data=lambda w: {
            "name": "Renamed program",
            "budget": "150000",
            "grace_days": "30",
            "expiry_warning_days": "14",
        },
        **_pair(lambda m: f"/mdf/programs/{m.program.pk}/settings/"),
    ),
    Endpoint(
        "mdf-program-rule",
        allowed=ADMIN,
        method="post",
        data=lambda w: {
            "activity_type": "webinar",
            "max_reimbursable_pct": "75",
            "claim_deadline_days": "30",
        },
        **_pair(lambda m: f"/mdf/programs/{m.program.pk}/rules/"),
    ),
    Endpoint(
        "mdf-program-remove-rule",
        allowed=ADMIN,
        method="post",
        **_pair(lambda m: f"/mdf/programs/{m.program.pk}/rules/event/remove/"),
    ),
    Endpoint(
        "mdf-allocation-manual",
        allowed=ADMIN,
        method="post",
        data=lambda w: {"partner": w.other_partner.pk, "amount": "2500.00"},
        **_pair(lambda m: f"/mdf/programs/{m.program.pk}/allocations/manual/"),
    ),
    Endpoint(
        "mdf-allocation-tier",
        allowed=ADMIN,
        method="post",
        **_pair(lambda m: f"/mdf/programs/{m.program.pk}/allocations/tier/"),
    ),
    Endpoint(
        "mdf-allocation-accrue",
        allowed=ADMIN,
        method="post",
        **_pair(lambda m: f"/mdf/programs/{m.program.pk}/allocations/accrue/"),
    ),
    Endpoint(
        "mdf-exchange-rate-add",
        lambda w: (_m(w), "/mdf/exchange-rates/add/")[1],
        ADMIN,
        method="post",
        data=lambda w: {
            "from_currency": "GBP",
            "to_currency": "USD",
            "rate": "1.27",
            "valid_from": "2030-01-01",
        },
    ),
    Endpoint("mdf-ledger", lambda w: (_m(w), "/mdf/ledger/")[1], ADMIN),
    Endpoint("mdf-ledger-export", lambda w: (_m(w), "/mdf/ledger/export.csv")[1], ADMIN),
    # --- API: programs and allocations
    Endpoint("api-mdf-program-list", lambda w: "/api/v1/mdf/programs/", PROGRAM, api=True),
    Endpoint(
        "api-mdf-program-list",
        lambda w: "/api/v1/mdf/programs/",
        ADMIN,
        method="post",
        api=True,
        data=lambda w: {
            "name": "Next year",
            "period": "year",
            "start_date": "2031-01-01",
            "currency": "USD",
            "budget": "50000.00",
        },
    ),
    Endpoint(
        "api-mdf-program-detail",
        allowed=PROGRAM,
        api=True,
        **_pair(lambda m: f"/api/v1/mdf/programs/{m.program.pk}/"),
    ),
    Endpoint(
        "api-mdf-program-detail",
        allowed=ADMIN,
        method="patch",
        api=True,
        data=lambda w: {"budget": "150000.00"},
        **_pair(lambda m: f"/api/v1/mdf/programs/{m.program.pk}/"),
    ),
    Endpoint(
        "api-mdf-program-set-rule",
        allowed=ADMIN,
        method="post",
        api=True,
        data=lambda w: {"activity_type": "webinar", "max_reimbursable_pct": "75"},
        **_pair(lambda m: f"/api/v1/mdf/programs/{m.program.pk}/rules/"),
    ),
    Endpoint(
        "api-mdf-program-allocate-by-tier",
        allowed=ADMIN,
        method="post",
        api=True,
        **_pair(lambda m: f"/api/v1/mdf/programs/{m.program.pk}/allocate-by-tier/"),
    ),
    Endpoint(
        "api-mdf-program-accrue",
        allowed=ADMIN,
        method="post",
        api=True,
        expect={202},
        **_pair(lambda m: f"/api/v1/mdf/programs/{m.program.pk}/accrue/"),
    ),
    Endpoint(
        "api-mdf-allocation-list",
        lambda w: (_m(w), "/api/v1/mdf/allocations/")[1],
        STAFF,
        api=True,
    ),
    Endpoint(
        "api-mdf-allocation-list",
        lambda w: "/api/v1/mdf/allocations/",
        ADMIN,
        method="post",
        api=True,
        data=lambda w: {
            "program": _m(w).program.pk,
            "partner": w.other_partner.pk,
            "amount": "2500.00",
        },
    ),
    Endpoint("api-mdf-ledger-list", lambda w: (_m(w), "/api/v1/mdf/ledger/")[1], ADMIN, api=True),
    Endpoint("api-mdf-balances", lambda w: (_m(w), "/api/v1/mdf/balances/")[1], PROGRAM, api=True),
    Endpoint("api-mdf-roi", lambda w: (_m(w), "/api/v1/mdf/roi/")[1], STAFF, api=True),
    # --- API: requests and their decisions
    Endpoint(
        "api-mdf-request-list", lambda w: (_m(w), "/api/v1/mdf/requests/")[1], PROGRAM, api=True
    ),
    Endpoint(
        "api-mdf-request-list",
        lambda w: "/api/v1/mdf/requests/",
        PARTNER_ROLES,
        method="post",
        api=True,
        data=lambda w: {
            "program": _m(w).program.pk,
            **{k: str(v) for k, v in request_fields(_m(w).program, requested_amount="500").items()},
        },
    ),
    Endpoint(
        "api-mdf-request-detail",
        allowed=PROGRAM,
        api=True,
        **_pair(lambda m: f"/api/v1/mdf/requests/{m.submitted.pk}/"),
    ),
    Endpoint(
        "api-mdf-request-detail",
        allowed=PARTNER_ROLES,
        method="patch",
        api=True,
        data=lambda w: {"title": "Customer roadshow, autumn"},
        **_pair(lambda m: f"/api/v1/mdf/requests/{m.submitted.pk}/"),
    ),
    Endpoint(
        "api-mdf-request-approve",
        allowed=STAFF,
        method="post",
        api=True,
        data=lambda w: {"amount": "800.00"},
        **_pair(lambda m: f"/api/v1/mdf/requests/{m.submitted.pk}/approve/"),
    ),
    Endpoint(
        "api-mdf-request-reject",
        allowed=STAFF,
        method="post",
        api=True,
        data=lambda w: {"reason": "Outside the program's focus."},
        **_pair(lambda m: f"/api/v1/mdf/requests/{m.submitted.pk}/reject/"),
    ),
    Endpoint(
        "api-mdf-request-return",
        allowed=STAFF,
        method="post",
        api=True,
        data=lambda w: {"reason": "Add the agenda."},
        **_pair(lambda m: f"/api/v1/mdf/requests/{m.submitted.pk}/return/"),
    ),
    Endpoint(
        "api-mdf-request-cancel",
        allowed=PROGRAM,
        method="post",
        api=True,
        **_pair(lambda m: f"/api/v1/mdf/requests/{m.submitted.pk}/cancel/"),
    ),
    # --- API: claims and their decisions
    Endpoint("api-mdf-claim-list", lambda w: (_m(w), "/api/v1/mdf/claims/")[1], PROGRAM, api=True),
    Endpoint(
        "api-mdf-claim-list",
        lambda w: "/api/v1/mdf/claims/",
        PARTNER_ROLES,
        method="post",
        api=True,
        data=lambda w: {
            "request": _m(w).approved_unclaimed.pk,
            **{k: str(v) for k, v in claim_fields(_m(w).approved_unclaimed).items()},
        },
    ),
    Endpoint(
        "api-mdf-claim-detail",
        allowed=PROGRAM,
        api=True,
        **_pair(lambda m: f"/api/v1/mdf/claims/{m.claim_submitted.pk}/"),
    ),
    # The matrix sends JSON, which carries no file: an allowed role passes the permission
    # gate and gets 400 for the missing file (uploads are tested in test_mdf_files.py).
    Endpoint(
        "api-mdf-claim-documents",
        allowed=PARTNER_ROLES,
        method="post",
        api=True,
        data=lambda w: {"kind": "photos"},
        expect={400},
        **_pair(lambda m: f"/api/v1/mdf/claims/{m.claim_submitted.pk}/documents/"),
    ),
    Endpoint(
        "api-mdf-claim-resubmit",
        allowed=PARTNER_ROLES,
        method="post",
        api=True,
        data=lambda w: {"notes": "Invoice attached now."},
        **_pair(lambda m: f"/api/v1/mdf/claims/{m.claim_info.pk}/resubmit/"),
    ),
    Endpoint(
        "api-mdf-claim-approve",
        allowed=STAFF,
        method="post",
        api=True,
        data=lambda w: {"amount": "900.00"},
        **_pair(lambda m: f"/api/v1/mdf/claims/{m.claim_submitted.pk}/approve/"),
    ),
    Endpoint(
        "api-mdf-claim-reject",
        allowed=STAFF,
        method="post",
        api=True,
        data=lambda w: {"reason": "No proof of the event."},
        **_pair(lambda m: f"/api/v1/mdf/claims/{m.claim_submitted.pk}/reject/"),
    ),
    Endpoint(
        "api-mdf-claim-request-info",
        allowed=STAFF,
        method="post",
        api=True,
        data=lambda w: {"reason": "Attach the attendee list."},
        **_pair(lambda m: f"/api/v1/mdf/claims/{m.claim_submitted.pk}/request-info/"),
    ),
    Endpoint(
        "api-mdf-claim-pay",
        allowed=ADMIN,
        method="post",
        api=True,
        data=lambda w: {"payment_reference": "WIRE-77", "paid_on": str(timezone.localdate())},
        **_pair(lambda m: f"/api/v1/mdf/claims/{m.claim_approved.pk}/pay/"),
    ),
    # --- API: exchange rates
    Endpoint(
        "api-mdf-exchange-rate-list",
        lambda w: (_m(w), "/api/v1/mdf/exchange-rates/")[1],
        ADMIN,
        api=True,
    ),
    Endpoint(
        "api-mdf-exchange-rate-list",
        lambda w: "/api/v1/mdf/exchange-rates/",
        ADMIN,
        method="post",
        api=True,
        data=lambda w: {
            "from_currency": "GBP",
            "to_currency": "USD",
            "rate": "1.27",
            "valid_from": "2030-01-01",
        },
    ),
    Endpoint(
        "api-mdf-exchange-rate-import",
        lambda w: "/api/v1/mdf/exchange-rates/import/",
        ADMIN,
        method="post",
        api=True,
        data=lambda w: {
            "csv": "from_currency,to_currency,rate,valid_from\nEUR,USD,1.08,2030-01-01\n",
            "dry_run": True,
        },
    ),
]
