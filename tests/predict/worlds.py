"""The tests' synthetic worlds: predict.synthetic's documented processes (churn: sign-ins that
fade before a partner goes quiet; deal outcomes: skill and deal size), run inside the
tenant's context with the names the tests have always used."""

from __future__ import annotations

from predict import synthetic
from prm.tenancy import tenant_context


def build(tenant, *, kind: str, partners: int = 150, seed: int = 7, today=None) -> list:
    with tenant_context(tenant):
        return synthetic.build_engagement(
            tenant, kind=kind, partners=partners, seed=seed, today=today
        )


def build_deals(tenant, *, kind: str, partners: int = 40, deals: int = 1200, seed: int = 11):
    with tenant_context(tenant):
        return synthetic.build_deals(tenant, kind=kind, partners=partners, deals=deals, seed=seed)
