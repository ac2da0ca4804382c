"""Permission rows for incentives (portal and API). The objects they point at are built
lazily, once per world, by tests.incentives.test_incentives_support.incentive_objects."""

from __future__ import annotations

from tests.incentives.test_incentives_support import incentive_objects
from tests.permissions import PROGRAM, STAFF, Endpoint

PARTNER_ROLES = {"partner_admin", "partner_user"}
ADMIN = {"admin"}


def _o(world):
    return incentive_objects(world)


def _pair(url):
    return {"url": lambda w: url(_o(w)), "stranger_url": lambda w, s: url(_o(s))}


def _program_form(w):
    return {
        "name": f"Matrix program {w.tenant.slug}",
        "kind": "commission",
        "currency": "USD",
        "clawback_days": "30",
        "dispute_sla_days": "5",
    }


ENDPOINTS = [
    # --- Portal: partners
    Endpoint("incentives-earnings", lambda w: (_o(w), "/earnings/")[1], PARTNER_ROLES),
    Endpoint(
        "incentives-earning-detail",
        allowed=PROGRAM,
        **_pair(lambda o: f"/incentives/earnings/{o.pending.pk}/"),
    ),
    Endpoint(
        "incentives-earning-dispute",
        allowed=PARTNER_ROLES,
        method="post",
        data=lambda w: {"reason": "The rate looks wrong."},
        **_pair(lambda o: f"/incentives/earnings/{o.pending2.pk}/dispute/"),
    ),
    # --- Portal: staff
    Endpoint("incentives-queue", lambda w: (_o(w), "/incentives/")[1], STAFF),
    Endpoint(
        "incentives-earning-approve",
        allowed=STAFF,
        method="post",
        **_pair(lambda o: f"/incentives/earnings/{o.pending.pk}/approve/"),
    ),
    Endpoint(
        "incentives-earnings-approve",
        lambda w: "/incentives/earnings/approve/",
        STAFF,
        method="post",
        data=lambda w: {"ids": [_o(w).pending.pk, _o(w).pending2.pk]},
    ),
    Endpoint("incentives-disputes", lambda w: (_o(w), "/incentives/disputes/")[1], STAFF),
    Endpoint(
        "incentives-dispute-answer",
        allowed=STAFF,
        method="post",
        data=lambda w: {"reason": "The deal's tier rate applies."},
        **_pair(lambda o: f"/incentives/disputes/{o.dispute.pk}/answer/"),
    ),
    # --- Portal: admins
    Endpoint("incentives-programs", lambda w: (_o(w), "/incentives/programs/")[1], ADMIN),
    Endpoint(
        "incentives-program-new",
        lambda w: "/incentives/programs/new/",
        ADMIN,
        method="post",
        data=_program_form,
    ),
    Endpoint(
        "incentives-program-detail",
        allowed=ADMIN,
        **_pair(lambda o: f"/incentives/programs/{o.program.pk}/"),
    ),
    Endpoint(
        "incentives-program-edit",
        allowed=ADMIN,
        method="post",
        data=lambda w: _program_form(w) | {"is_active": "on"},
        **_pair(lambda o: f"/incentives/programs/{o.program.pk}/edit/"),
    ),
    Endpoint(
        "incentives-version-save",
        allowed=ADMIN,
        method="post",
        data=lambda w: {"sourced_rate": "11", "influenced_rate": "2", "period": "quarter"},
        **_pair(lambda o: f"/incentives/programs/{o.program.pk}/draft/"),
    ),
    Endpoint(
        "incentives-version-publish",
        allowed=ADMIN,
        method="post",
        **_pair(lambda o: f"/incentives/versions/{o.draft.pk}/publish/"),
    ),
    Endpoint(
        "incentives-adjustment-new",
        lambda w: (_o(w), "/incentives/adjustments/new/")[1],
        ADMIN,
    ),
    Endpoint(
        "incentives-adjustment-new",
        lambda w: "/incentives/adjustments/new/",
        ADMIN,
        method="post",
        data=lambda w: {
            "partner": w.partner.pk,
            "program": _o(w).program.pk,
            "amount": "25.00",
            "reason": "Goodwill",
        },
    ),
    # --- API: programs and versions
    Endpoint(
        "api-incentives-program-list",
        lambda w: (_o(w), "/api/v1/incentives/programs/")[1],
        ADMIN,
        api=True,
    ),
    Endpoint(
        "api-incentives-program-list",
        lambda w: "/api/v1/incentives/programs/",
        ADMIN,
        method="post",
        api=True,
        data=_program_form,
    ),
    Endpoint(
        "api-incentives-program-detail",
        allowed=ADMIN,
        api=True,
        **_pair(lambda o: f"/api/v1/incentives/programs/{o.program.pk}/"),
    ),
    Endpoint(
        "api-incentives-program-detail",
        allowed=ADMIN,
        method="patch",
        api=True,
        data=lambda w: {"clawback_days": 14},
        **_pair(lambda o: f"/api/v1/incentives/programs/{o.program.pk}/"),
    ),
    Endpoint(
        "api-incentives-program-draft",
        allowed=ADMIN,
        method="post",
        api=True,
        data=lambda w: {"rules": {"sourced_rate": "9"}},
        **_pair(lambda o: f"/api/v1/incentives/programs/{o.program.pk}/draft/"),
    ),
    Endpoint(
        "api-incentives-version-list",
        lambda w: (_o(w), "/api/v1/incentives/versions/")[1],
        ADMIN,
        api=True,
    ),
    Endpoint(
        "api-incentives-version-detail",
        allowed=ADMIN,
        api=True,
        **_pair(lambda o: f"/api/v1/incentives/versions/{o.draft.pk}/"),
    ),
    Endpoint(
        "api-incentives-version-publish",
        allowed=ADMIN,
        method="post",
        api=True,
        **_pair(lambda o: f"/api/v1/incentives/versions/{o.draft.pk}/publish/"),
    ),
    # --- API: earnings and disputes
    Endpoint(
        "api-incentives-earning-list",
        lambda w: (_o(w), "/api/v1/incentives/earnings/")[1],
        PROGRAM,
        api=True,
    ),
    Endpoint(
        "api-incentives-earning-detail",
        allowed=PROGRAM,
        api=True,
        **_pair(lambda o: f"/api/v1/incentives/earnings/{o.pending.pk}/"),
    ),
    Endpoint(
        "api-incentives-earning-approve",
        allowed=STAFF,
        method="post",
        api=True,
        expect={200, 400},  # the second staff member finds the line approved: a 400
        **_pair(lambda o: f"/api/v1/incentives/earnings/{o.pending.pk}/approve/"),
    ),
    Endpoint(
        "api-incentives-earning-approve-many",
        lambda w: "/api/v1/incentives/earnings/approve/",
        STAFF,
        method="post",
        api=True,
        data=lambda w: {"ids": [_o(w).pending.pk]},
    ),
    Endpoint(
        "api-incentives-earning-adjust",
        lambda w: "/api/v1/incentives/earnings/adjustments/",
        ADMIN,
        method="post",
        api=True,
        data=lambda w: {
            "partner": w.partner.pk,
            "program": _o(w).program.pk,
            "amount": "-10.00",
            "reason": "Correction",
        },
    ),
    Endpoint(
        "api-incentives-earning-dispute",
        allowed=PARTNER_ROLES,
        method="post",
        api=True,
        expect={201, 400},  # the second partner person finds a dispute open: a 400
        data=lambda w: {"reason": "Why so low?"},
        **_pair(lambda o: f"/api/v1/incentives/earnings/{o.pending2.pk}/dispute/"),
    ),
    Endpoint(
        "api-incentives-dispute-list",
        lambda w: (_o(w), "/api/v1/incentives/disputes/")[1],
        PROGRAM,
        api=True,
    ),
    Endpoint(
        "api-incentives-dispute-detail",
        allowed=PROGRAM,
        api=True,
        **_pair(lambda o: f"/api/v1/incentives/disputes/{o.dispute.pk}/"),
    ),
    Endpoint(
        "api-incentives-dispute-answer",
        allowed=STAFF,
        method="post",
        api=True,
        expect={200, 400},
        data=lambda w: {"reason": "Checked: correct."},
        **_pair(lambda o: f"/api/v1/incentives/disputes/{o.dispute.pk}/answer/"),
    ),
    Endpoint(
        "api-incentives-balances",
        lambda w: (_o(w), "/api/v1/incentives/balances/")[1],
        PROGRAM,
        api=True,
    ),
    Endpoint(
        "api-incentives-projection",
        allowed=PROGRAM,
        api=True,
        **_pair(lambda o: f"/api/v1/incentives/projections/{o.open_deal.pk}/"),
    ),
    # --- incent2: set-based recomputation of a commission program ---
    Endpoint(
        "incentives-program-recompute",
        allowed=ADMIN,
        method="post",
        **_pair(lambda o: f"/incentives/programs/{o.program.pk}/recompute/"),
    ),
    Endpoint(
        "api-incentives-program-recompute",
        allowed=ADMIN,
        method="post",
        api=True,
        expect={202},
        **_pair(lambda o: f"/api/v1/incentives/programs/{o.program.pk}/recompute/"),
    ),
    # --- end incent2 ---
]
