"""Permission rows for payouts (portal and API). The objects they point at are built
lazily, once per world, by tests.incentives.payouts_support.payout_objects.

Who may do what (incentives/states_payouts.py): channel managers prepare batches, give the
first approval and see statements; admins (finance) review payee details, give the second
approval, export, mark paid, cancel and change the settings; a partner's admins keep its
payee details; partner people download their statements and remittance advice."""

from __future__ import annotations

import datetime

from tests.incentives.payouts_support import IBAN, payout_objects, tax_form
from tests.permissions import PROGRAM, STAFF, Endpoint

ADMIN = {"admin"}
PA = {"partner_admin"}
TODAY = datetime.date.today().isoformat()


def _o(world):
    return payout_objects(world)


def _pair(url):
    return {"url": lambda w: url(_o(w)), "stranger_url": lambda w, s: url(_o(s))}


def _payee_form(w):
    return {
        "account_holder": "Matrix GmbH",
        "iban": IBAN,
        "bic": "",
        "address": "Hauptstr. 1",
        "currency": "EUR",
        "tax_form": tax_form(),
    }


def _payee_json(w):
    return {k: v for k, v in _payee_form(w).items() if k != "tax_form"}


def _settings(w):
    return {"minimum_payout": "10.00", "second_approval_above": "5000.00"}


ENDPOINTS = [
    # --- Portal: partners
    Endpoint("incentives-payee", lambda w: (_o(w), "/earnings/payee/")[1], PA),
    Endpoint(
        "incentives-payee",
        lambda w: (_o(w), "/earnings/payee/")[1],
        PA,
        method="post",
        data=_payee_form,
    ),
    Endpoint("incentives-payee-tax-form", lambda w: (_o(w), "/earnings/payee/tax-form/")[1], PA),
    Endpoint(
        "incentives-remittance",
        allowed=PROGRAM,
        **_pair(lambda o: f"/earnings/payouts/{o.line.pk}/"),
    ),
    Endpoint(
        "incentives-statement-pdf",
        allowed=PROGRAM,
        **_pair(lambda o: f"/earnings/statements/{o.statement.pk}/pdf/"),
    ),
    Endpoint(
        "incentives-statement-csv",
        allowed=PROGRAM,
        **_pair(lambda o: f"/earnings/statements/{o.statement.pk}/csv/"),
    ),
    # --- Portal: staff
    Endpoint("incentives-batches", lambda w: (_o(w), "/incentives/payouts/")[1], STAFF),
    Endpoint(
        "incentives-batch-new",
        lambda w: (_o(w), "/incentives/payouts/new/")[1],
        STAFF,
        method="post",
        data=lambda w: {"currency": "EUR", "period_end": TODAY},
        expect={302, 400},  # 400: nothing left to pay in this world (a form error)
    ),
    Endpoint(
        "incentives-payout-settings",
        lambda w: "/incentives/payouts/settings/",
        ADMIN,
        method="post",
        data=_settings,
    ),
    Endpoint(
        "incentives-batch-detail",
        allowed=STAFF,
        **_pair(lambda o: f"/incentives/payouts/{o.draft.pk}/"),
    ),
    Endpoint(
        "incentives-batch-approve",
        allowed=STAFF,
        method="post",
        **_pair(lambda o: f"/incentives/payouts/{o.draft.pk}/approve/"),
    ),
    Endpoint(
        "incentives-batch-approve-second",
        allowed=ADMIN,
        method="post",
        **_pair(lambda o: f"/incentives/payouts/{o.draft.pk}/second-approval/"),
    ),
    Endpoint(
        "incentives-batch-paid",
        allowed=ADMIN,
        **_pair(lambda o: f"/incentives/payouts/{o.draft.pk}/paid/"),
    ),
    Endpoint(
        "incentives-batch-paid",
        allowed=ADMIN,
        method="post",
        data=lambda w: {"reason": "BANK-3"},  # the draft is not approved: refused, redirected
        **_pair(lambda o: f"/incentives/payouts/{o.draft.pk}/paid/"),
    ),
    Endpoint(
        "incentives-batch-cancel",
        allowed=ADMIN,
        **_pair(lambda o: f"/incentives/payouts/{o.draft.pk}/cancel/"),
    ),
    Endpoint(
        "incentives-batch-cancel",
        allowed=ADMIN,
        method="post",
        data=lambda w: {"reason": "Wrong period"},
        **_pair(lambda o: f"/incentives/payouts/{o.draft.pk}/cancel/"),
    ),
    Endpoint(
        "incentives-batch-export-csv",
        allowed=ADMIN,
        method="post",
        **_pair(lambda o: f"/incentives/payouts/{o.paid.pk}/export/csv/"),
    ),
    Endpoint(
        "incentives-batch-export-sepa",
        allowed=ADMIN,
        method="post",
        **_pair(lambda o: f"/incentives/payouts/{o.paid.pk}/export/sepa/"),
    ),
    Endpoint(
        "incentives-line-remittance",
        allowed=STAFF,
        **_pair(lambda o: f"/incentives/payouts/lines/{o.line.pk}/remittance/"),
    ),
    Endpoint("incentives-payees", lambda w: (_o(w), "/incentives/payees/")[1], ADMIN),
    Endpoint(
        "incentives-payee-approve",
        allowed=ADMIN,
        method="post",
        **_pair(lambda o: f"/incentives/payees/{o.other_payee.pk}/approve/"),
    ),
    Endpoint(
        "incentives-payee-reject",
        allowed=ADMIN,
        method="post",
        data=lambda w: {"reason": "Wrong holder"},
        **_pair(lambda o: f"/incentives/payees/{o.other_payee.pk}/reject/"),
    ),
    Endpoint(
        "incentives-payee-tax-form-staff",
        allowed=ADMIN,
        **_pair(lambda o: f"/incentives/payees/{o.payee.pk}/tax-form/"),
    ),
    Endpoint("incentives-statements", lambda w: (_o(w), "/incentives/statements/")[1], STAFF),
    Endpoint(
        "incentives-statements-generate",
        lambda w: "/incentives/statements/generate/",
        STAFF,
        method="post",
        data=lambda w: {"month": TODAY[:7]},
    ),
    # --- API
    Endpoint(
        "api-incentives-own-payee",
        lambda w: (_o(w), "/api/v1/incentives/payee/")[1],
        PA,
        api=True,
    ),
    Endpoint(
        "api-incentives-own-payee",
        lambda w: (_o(w), "/api/v1/incentives/payee/")[1],
        PA,
        method="put",
        data=_payee_json,
        api=True,
    ),
    Endpoint(
        "api-incentives-payout-settings",
        lambda w: "/api/v1/incentives/payout-settings/",
        ADMIN,
        api=True,
    ),
    Endpoint(
        "api-incentives-payout-settings",
        lambda w: "/api/v1/incentives/payout-settings/",
        ADMIN,
        method="put",
        data=_settings,
        api=True,
    ),
    Endpoint(
        "api-incentives-payee-list",
        lambda w: (_o(w), "/api/v1/incentives/payees/")[1],
        ADMIN,
        api=True,
    ),
    Endpoint(
        "api-incentives-payee-detail",
        allowed=ADMIN,
        api=True,
        **_pair(lambda o: f"/api/v1/incentives/payees/{o.payee.pk}/"),
    ),
    Endpoint(
        "api-incentives-payee-approve",
        allowed=ADMIN,
        method="post",
        api=True,
        **_pair(lambda o: f"/api/v1/incentives/payees/{o.other_payee.pk}/approve/"),
    ),
    Endpoint(
        "api-incentives-payee-reject",
        allowed=ADMIN,
        method="post",
        data=lambda w: {"reason": "Wrong holder"},
        api=True,
        **_pair(lambda o: f"/api/v1/incentives/payees/{o.other_payee.pk}/reject/"),
    ),
    Endpoint(
        "api-incentives-payout-list",
        lambda w: (_o(w), "/api/v1/incentives/payouts/")[1],
        STAFF,
        api=True,
    ),
    Endpoint(
        "api-incentives-payout-list",
        lambda w: (_o(w), "/api/v1/incentives/payouts/")[1],
        STAFF,
        method="post",
        data=lambda w: {"currency": "EUR", "period_end": TODAY},
        expect={201, 400},  # 400: nothing left to pay in this world
        api=True,
    ),
    Endpoint(
        "api-incentives-payout-detail",
        allowed=STAFF,
        api=True,
        **_pair(lambda o: f"/api/v1/incentives/payouts/{o.draft.pk}/"),
    ),
    Endpoint(
        "api-incentives-payout-approve",
        allowed=STAFF,
        method="post",
        api=True,
        **_pair(lambda o: f"/api/v1/incentives/payouts/{o.draft.pk}/approve/"),
    ),
    Endpoint(
        "api-incentives-payout-second",
        allowed=ADMIN,
        method="post",
        api=True,
        expect={200, 400},  # 400: this batch needs no second approval
        **_pair(lambda o: f"/api/v1/incentives/payouts/{o.draft.pk}/second-approval/"),
    ),
    Endpoint(
        "api-incentives-payout-cancel",
        allowed=ADMIN,
        method="post",
        data=lambda w: {"reason": "Wrong period"},
        api=True,
        **_pair(lambda o: f"/api/v1/incentives/payouts/{o.draft.pk}/cancel/"),
    ),
    Endpoint(
        "api-incentives-payout-paid",
        allowed=ADMIN,
        method="post",
        data=lambda w: {"reference": "BANK-2"},
        api=True,
        expect={200, 400},  # 400: the draft is not approved yet
        **_pair(lambda o: f"/api/v1/incentives/payouts/{o.draft.pk}/paid/"),
    ),
    Endpoint(
        "api-incentives-payout-export-csv",
        allowed=ADMIN,
        method="post",
        api=True,
        **_pair(lambda o: f"/api/v1/incentives/payouts/{o.paid.pk}/export/csv/"),
    ),
    Endpoint(
        "api-incentives-payout-export-sepa",
        allowed=ADMIN,
        method="post",
        api=True,
        expect={200, 400},  # 400: no paying account set in this world
        **_pair(lambda o: f"/api/v1/incentives/payouts/{o.paid.pk}/export/sepa/"),
    ),
    Endpoint(
        "api-incentives-payout-line-list",
        lambda w: (_o(w), "/api/v1/incentives/payout-lines/")[1],
        PROGRAM,
        api=True,
    ),
    Endpoint(
        "api-incentives-payout-line-detail",
        allowed=PROGRAM,
        api=True,
        **_pair(lambda o: f"/api/v1/incentives/payout-lines/{o.line.pk}/"),
    ),
    Endpoint(
        "api-incentives-payout-line-remittance",
        allowed=PROGRAM,
        api=True,
        **_pair(lambda o: f"/api/v1/incentives/payout-lines/{o.line.pk}/remittance/"),
    ),
    Endpoint(
        "api-incentives-statement-list",
        lambda w: (_o(w), "/api/v1/incentives/statements/")[1],
        PROGRAM,
        api=True,
    ),
    Endpoint(
        "api-incentives-statement-detail",
        allowed=PROGRAM,
        api=True,
        **_pair(lambda o: f"/api/v1/incentives/statements/{o.statement.pk}/"),
    ),
    Endpoint(
        "api-incentives-statement-pdf",
        allowed=PROGRAM,
        api=True,
        **_pair(lambda o: f"/api/v1/incentives/statements/{o.statement.pk}/pdf/"),
    ),
    Endpoint(
        "api-incentives-statement-csv",
        allowed=PROGRAM,
        api=True,
        **_pair(lambda o: f"/api/v1/incentives/statements/{o.statement.pk}/csv/"),
    ),
    Endpoint(
        "api-incentives-statement-generate",
        lambda w: "/api/v1/incentives/statements/generate/",
        STAFF,
        method="post",
        data=lambda w: {"month": TODAY},
        expect={202},  # queued for the worker
        api=True,
    ),
]
