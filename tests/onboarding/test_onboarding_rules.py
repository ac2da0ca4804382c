"""The pure onboarding rules: fit score, regions, free-mail domains, document sniffing and
automatic decisions. No database."""

from __future__ import annotations

from decimal import Decimal

import pytest

from onboarding import rules
from onboarding.rules import Candidate, IdealProfile, fit_score


def candidate(**kw) -> Candidate:
    base = {
        "country": "DE",
        "partner_type": "reseller",
        "specialties": frozenset(),
        "size_band": "50-249",
        "expected_revenue": Decimal("100000"),
    }
    base.update(kw)
    return Candidate(**base)


def test_a_perfect_match_scores_100_with_every_criterion_met():
    profile = IdealProfile(
        countries=frozenset({"DE"}),
        partner_types=frozenset({"reseller"}),
        specialties=frozenset({"Security"}),
        size_bands=frozenset({"50-249"}),
        revenue_min=Decimal("50000"),
        revenue_max=Decimal("500000"),
    )
    fit = fit_score(profile, candidate(specialties=frozenset({"Security", "DevOps"})))
    assert fit.score == 100 and fit.assessed
    assert [r["criterion"] for r in fit.reasons] == [
        "geography",
        "type",
        "specialties",
        "size",
        "revenue",
    ]
    assert all(r["met"] for r in fit.reasons)


def test_no_match_scores_0_and_every_reason_says_why():
    profile = IdealProfile(
        countries=frozenset({"US"}),
        partner_types=frozenset({"msp"}),
        size_bands=frozenset({"1000+"}),
    )
    fit = fit_score(profile, candidate())
    assert fit.score == 0
    assert "DE is outside" in fit.reasons[0]["detail"]
    assert not any(r["met"] for r in fit.reasons)


def test_weights_decide_the_share_of_each_criterion():
    profile = IdealProfile(
        countries=frozenset({"DE"}),
        partner_types=frozenset({"msp"}),
        weights={"geography": 30, "type": 10},
    )
    fit = fit_score(profile, candidate())
    assert fit.score == 75  # 30 of 40
    assert fit.reasons[0]["points"] == 75.0 and fit.reasons[1]["max"] == 25.0


def test_a_criterion_weighted_zero_or_left_empty_is_not_assessed():
    profile = IdealProfile(
        countries=frozenset({"US"}),
        partner_types=frozenset({"reseller"}),
        weights={"geography": 0, "type": 20},
    )
    fit = fit_score(profile, candidate())
    assert fit.score == 100
    assert [r["criterion"] for r in fit.reasons] == ["type"]


def test_a_region_matches_a_country_within_it():
    profile = IdealProfile(regions=frozenset({"emea"}))
    assert fit_score(profile, candidate(country="fr")).score == 100
    assert fit_score(profile, candidate(country="JP")).score == 0


def test_specialties_earn_a_third_each_up_to_full_marks():
    profile = IdealProfile(specialties=frozenset({"A", "B", "C", "D"}))
    assert fit_score(profile, candidate(specialties=frozenset({"A"}))).score == 33
    assert fit_score(profile, candidate(specialties=frozenset({"A", "B"}))).score == 67
    assert fit_score(profile, candidate(specialties=frozenset({"A", "B", "C", "D"}))).score == 100
    few = IdealProfile(specialties=frozenset({"A", "B"}))
    assert fit_score(few, candidate(specialties=frozenset({"A", "B"}))).score == 100


@pytest.mark.parametrize(
    ("revenue", "score"),
    [("0", 0), ("25000", 50), ("50000", 100), ("400000", 100), ("900000", 50)],
)
def test_revenue_band_within_below_and_above(revenue, score):
    profile = IdealProfile(revenue_min=Decimal("50000"), revenue_max=Decimal("500000"))
    assert fit_score(profile, candidate(expected_revenue=Decimal(revenue))).score == score


def test_an_empty_profile_assesses_nothing():
    fit = fit_score(IdealProfile(), candidate())
    assert fit == rules.Fit(score=0, reasons=[], assessed=False)


def test_country_codes_and_regions():
    assert rules.region_of("us") == "na" and rules.region_of("BR") == "latam"
    assert rules.region_of("DE") == "emea" and rules.region_of("SG") == "apac"
    assert rules.is_country_code("aq") and not rules.is_country_code("XX")
    assert len(rules.COUNTRY_REGION) > 240


def test_free_mail_domains_never_identify_a_company():
    assert rules.company_domains(["gmail.com", "", "acme.example", "acme.example"]) == [
        "acme.example"
    ]


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"%PDF-1.7\n", "application/pdf"),
        (b"\x89PNG\r\n\x1a\n\x00", "image/png"),
        (b"\xff\xd8\xff\xe0\x00", "image/jpeg"),
        (b"GIF89a", None),
        (b"<html>", None),
        (b"", None),
    ],
)
def test_documents_are_typed_from_their_bytes(head, expected):
    assert rules.sniff_document_type(head) == expected


@pytest.mark.parametrize(
    ("score", "duplicate", "expected"),
    [(10, False, "reject"), (50, False, None), (90, False, "approve"), (90, True, None)],
)
def test_automatic_decisions(score, duplicate, expected):
    fit = rules.Fit(score=score, reasons=[], assessed=True)
    assert (
        rules.automatic_decision(
            fit=fit, possible_duplicate=duplicate, reject_below=30, approve_at_or_above=80
        )
        == expected
    )


def test_no_automatic_decision_without_a_profile():
    fit = rules.Fit(score=0, reasons=[], assessed=False)
    assert (
        rules.automatic_decision(
            fit=fit, possible_duplicate=False, reject_below=30, approve_at_or_above=80
        )
        is None
    )
