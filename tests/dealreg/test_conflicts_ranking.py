"""Conflict detection at scale: name candidates ranked in SQL, cheap scoring in Python."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from django.utils import timezone

from dealreg import conflicts
from dealreg.models import Deal, DealStatus
from dealreg.rules import name_similarity, name_tokens
from partners.domains import normalise_company_name
from prm.tenancy import tenant_context

pytestmark = pytest.mark.django_db

THRESHOLD = Decimal("0.85")


def _active_deals(world, names: list[str]) -> list[Deal]:
    """Registrations under review, inserted directly (the services are not under test)."""
    now = timezone.now()
    rows = []
    for i, name in enumerate(names):
        normalised = normalise_company_name(name)
        rows.append(
            Deal(
                tenant=world.tenant,
                partner=world.other_partner,
                status=DealStatus.UNDER_REVIEW,
                customer_name=name,
                customer_name_normalised=normalised,
                customer_name_tokens=name_tokens(normalised),
                customer_domain=f"customer{i}.example",
                submitted_at=now,
            )
        )
    with tenant_context(world.tenant):
        return Deal.objects.bulk_create(rows)


def _detect(world, name: str, domain: str = "unrelated.example"):
    return conflicts.detect(
        conflicts.Probe.from_input(
            tenant_id=world.tenant.pk,
            partner_id=world.partner.pk,
            customer_name=name,
            customer_domain_input=domain,
        ),
        threshold=THRESHOLD,
    )


def _fillers(n: int) -> list[str]:
    return [f"Zq{i:03d}x Analytics Inc" for i in range(n)]


def test_typo_is_found_when_more_deals_share_a_common_token_than_are_scored(world):
    # The typo leaves "analytics" as the only shared token; the real customer is inserted
    # last, after more fillers than RANKED_LIMIT, so only ranking by similarity finds it.
    *_, target = _active_deals(
        world, [*_fillers(conflicts.RANKED_LIMIT * 3), "Bluewave Analytics Inc"]
    )
    with tenant_context(world.tenant):
        found = _detect(world, "Bluwave Analytics LLC")
    assert [(m.kind, m.matched_deal.pk) for m in found] == [("name", target.pk)]
    assert "similar to “Bluewave Analytics Inc”" in found[0].reason


def test_detect_query_count_does_not_grow_with_shared_token_candidates(
    world, django_assert_max_num_queries
):
    _active_deals(world, [*_fillers(conflicts.RANKED_LIMIT * 3), "Bluewave Analytics Inc"])
    with tenant_context(world.tenant), django_assert_max_num_queries(6):
        # domain, name key counts, ranked names, the matched rows, named accounts by domain
        # and by name
        assert len(_detect(world, "Bluwave Analytics LLC")) == 1


def test_candidates_rank_by_trigram_overlap_before_primary_key(world):
    far, close = _active_deals(world, ["Bluewave Logistics", "Bluewave Analytics"])
    with tenant_context(world.tenant):
        ranked = list(
            conflicts._ranked(
                Deal.objects.filter(customer_name_tokens__overlap=["bluewave"]),
                "customer_name_normalised",
                "bluewave analytic",
            ).values_list("pk", flat=True)
        )
    assert ranked == [close.pk, far.pk]


NAMES = [
    "bluewave analytics",
    "bluwave analytics",
    "blue wave analytics",
    "analytics bluewave",
    "bluewave analytics group",
    "northwind traders",
    "northwind trader",
    "north wind traders",
    "globex",
    "globex corporation",
    "acme",
    "acme rockets",
    "silverforge health 2",
    "silverforge health",
    "silverforge pharma",
]


@pytest.mark.parametrize("threshold", [0.5, 0.8, 0.85, 0.9, 0.95])
def test_early_exit_never_changes_a_score_that_reaches_the_threshold(threshold):
    for a, b in itertools.permutations(NAMES, 2):
        full = name_similarity(a, b)
        quick = name_similarity(a, b, at_least=threshold)
        if full >= threshold:
            assert quick == full, (a, b)
        else:
            assert quick < threshold, (a, b)
