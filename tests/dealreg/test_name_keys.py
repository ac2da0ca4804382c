"""Name lookup keys for conflict detection: kept by triggers for active registrations only,
identical in Python and SQL, chosen by rarity, and served by an index under forced RLS."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from dealreg import conflicts
from dealreg.models import Deal, DealNameKey, DealStatus
from dealreg.rules import name_keys, name_tokens
from partners.domains import normalise_company_name
from prm.tenancy import tenant_context
from tests.factories import DealFactory

pytestmark = pytest.mark.django_db

THRESHOLD = Decimal("0.85")


def _deal(world, name: str, status=DealStatus.UNDER_REVIEW, domain: str = "") -> Deal:
    normalised = normalise_company_name(name)
    with tenant_context(world.tenant):
        return DealFactory(
            tenant=world.tenant,
            partner=world.other_partner,
            status=status,
            customer_name=name,
            customer_name_normalised=normalised,
            customer_name_tokens=name_tokens(normalised),
            customer_domain=domain,
            submitted_at=timezone.now(),
        )


def _keys(world, deal: Deal) -> list[str]:
    with tenant_context(world.tenant):
        return sorted(DealNameKey.objects.filter(deal=deal).values_list("key", flat=True))


def _detect(world, name: str):
    with tenant_context(world.tenant):
        return conflicts.detect(
            conflicts.Probe.from_input(
                tenant_id=world.tenant.pk,
                partner_id=world.partner.pk,
                customer_name=name,
                customer_domain_input="unrelated.example",
            ),
            threshold=THRESHOLD,
        )


@pytest.mark.parametrize(
    "tokens",
    [["bluewave", "analytics"], ["ibm"], ["acme", "acne"], ["müller", "straße"], ["aaaa"], []],
)
def test_python_and_sql_keys_are_the_same(tokens):
    with connection.cursor() as cur:
        cur.execute("SELECT k FROM dealreg_name_keys(%s::varchar[]) AS k ORDER BY 1", [tokens])
        in_sql = sorted(r[0] for r in cur.fetchall())
    assert in_sql == name_keys(tokens)
    assert set(tokens) <= set(name_keys(tokens))


def test_one_typing_slip_apart_share_a_key():
    # dropped, added and changed letters, and names too short for deletions
    assert set(name_keys(["bluewave"])) & set(name_keys(["bluwave"]))
    assert set(name_keys(["globex"])) & set(name_keys(["globexx"]))
    assert set(name_keys(["acme"])) & set(name_keys(["acne"]))
    assert not set(name_keys(["ibm"])) & set(name_keys(["ibn"]))


def test_keys_follow_the_deal_status_and_name(world):
    draft = _deal(world, "Bluewave Analytics", status=DealStatus.DRAFT)
    assert _keys(world, draft) == []
    with tenant_context(world.tenant):
        Deal.objects.filter(pk=draft.pk).update(status=DealStatus.SUBMITTED)
    assert _keys(world, draft) == name_keys(["analytics", "bluewave"])

    # an edit that changes neither the status nor the name leaves the keys alone; a status
    # change recomputes them (issue #17: so keys a deal had lost come back at its next move)
    with tenant_context(world.tenant):
        before = sorted(DealNameKey.objects.filter(deal=draft).values_list("pk", flat=True))
        Deal.objects.filter(pk=draft.pk).update(notes="approved on the phone")
        after = sorted(DealNameKey.objects.filter(deal=draft).values_list("pk", flat=True))
        Deal.objects.filter(pk=draft.pk).update(status=DealStatus.APPROVED)
    assert before == after
    assert _keys(world, draft) == name_keys(["analytics", "bluewave"])

    with tenant_context(world.tenant):
        Deal.objects.filter(pk=draft.pk).update(customer_name="Northwind")
    assert _keys(world, draft) == name_keys(["northwind"])

    for status in (DealStatus.WON, DealStatus.REJECTED, DealStatus.EXPIRED):
        with tenant_context(world.tenant):
            Deal.objects.filter(pk=draft.pk).update(status=status)
        assert _keys(world, draft) == []
        with tenant_context(world.tenant):
            Deal.objects.filter(pk=draft.pk).update(status=DealStatus.APPROVED)
        assert _keys(world, draft) == name_keys(["northwind"])

    with tenant_context(world.tenant):
        Deal.objects.filter(pk=draft.pk).delete()
        assert not DealNameKey.objects.filter(deal_id=draft.pk).exists()


def test_keys_of_one_tenant_are_invisible_to_another(world, stranger):
    _deal(world, "Bluewave Analytics")
    with tenant_context(stranger.tenant):
        assert not DealNameKey.objects.exists()
    assert conflicts.key_counts(world.tenant.pk, ["bluewave"]) == {"bluewave": 0}
    with tenant_context(world.tenant):
        assert conflicts.key_counts(world.tenant.pk, ["bluewave"]) == {"bluewave": 1}
    with tenant_context(stranger.tenant):
        assert conflicts.key_counts(world.tenant.pk, ["bluewave"]) == {"bluewave": 0}


def test_a_typo_in_the_only_word_is_found(world):
    target = _deal(world, "Zentrixa Inc")
    found = _detect(world, "Zentrxa")
    assert [(m.kind, m.matched_deal.pk) for m in found] == [("name", target.pk)]


def test_common_words_do_not_choose_candidates_while_rarer_keys_match(world, monkeypatch):
    monkeypatch.setattr(conflicts, "KEY_CAP", 3)
    for i in range(5):
        _deal(world, f"Qx{i}vel Analytics")
    target = _deal(world, "Bluewave Analytics")
    with tenant_context(world.tenant):
        assert conflicts.key_counts(world.tenant.pk, ["analytics"]) == {"analytics": 4}
        keys = conflicts.candidate_keys(world.tenant.pk, ["analytics", "bluwave"])
    assert "analytics" not in keys and "bluwave" in keys
    found = _detect(world, "Bluwave Analytics")
    assert [m.matched_deal.pk for m in found] == [target.pk]


def test_a_name_of_common_words_alone_still_finds_its_match(world, monkeypatch):
    monkeypatch.setattr(conflicts, "KEY_CAP", 3)
    same = [_deal(world, "Nordic Analytics") for _ in range(5)]
    with tenant_context(world.tenant):
        counts = conflicts.key_counts(world.tenant.pk, name_keys(["analytics", "nordik"]))
        assert all(n in (0, 4) for n in counts.values())  # counted to KEY_CAP + 1 at most
        keys = conflicts.candidate_keys(world.tenant.pk, ["analytics", "nordik"])
    assert "analytics" in keys and "nordi" in keys  # the fallback: only common keys match
    found = _detect(world, "Nordik Analytics")
    assert sorted(m.matched_deal.pk for m in found) == [d.pk for d in same]


def test_the_key_lookup_is_leakproof_and_the_token_overlap_is_not():
    """Why the keys are a table of their own: under forced RLS, PostgreSQL uses a condition
    as an index condition only if its operator is LEAKPROOF. Text equality (the key lookup)
    is; array overlap (the token GIN index it replaced) is not."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT proname, proleakproof FROM pg_proc"
            " WHERE proname IN ('texteq', 'int8eq', 'arrayoverlap')"
        )
        leakproof = dict(cur.fetchall())
    assert leakproof == {"texteq": True, "int8eq": True, "arrayoverlap": False}


def test_key_lookup_can_use_the_key_index_under_forced_row_level_security(world):
    # A word no other test uses, so the planner's statistics do not make the key look common.
    _deal(world, "Qorvantique Analytics")
    with tenant_context(world.tenant), connection.cursor() as cur:
        cur.execute("SELECT rolbypassrls, rolsuper FROM pg_roles r WHERE r.rolname = current_user")
        assert cur.fetchone() == (False, False)  # the policies apply to this connection
        cur.execute("SET LOCAL enable_seqscan = off")
        sql, params = (
            DealNameKey.objects.filter(key__in=["qorvantique"])
            .values_list("deal_id")
            .query.sql_with_params()
        )
        cur.execute("EXPLAIN " + sql, params)
        plan = "\n".join(r[0] for r in cur.fetchall())
        with_key_index = "dealnamekey_key_idx" in plan
    # With tiny tables the planner may pick another tenant index (a tie); when it picks the
    # key index, the key must be part of its index condition, not a filter after the policy.
    if with_key_index:
        conds = [line for line in plan.splitlines() if "Index Cond" in line]
        assert any("key = 'qorvantique'::text" in line for line in conds)
