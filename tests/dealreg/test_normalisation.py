"""Company-name and domain normalisation over real-world forms."""

import pytest

from dealreg.rules import name_similarity
from partners.domains import normalise_company_name, registrable_domain


@pytest.mark.parametrize(
    "raw",
    [
        "Acme",
        "ACME",
        "Acme, Inc.",
        "Acme Inc",
        "Acme LLC",
        "Acme Ltd.",
        "Acme Limited",
        "Acme GmbH",
        "Acme G.m.b.H.",
        "Acme AG",
        "Acme S.A.",
        "Acme SAS",
        "Acme S.A.S.",
        "Acme B.V.",
        "Acme Pty Ltd",
        "Acme Corp.",
        "Acme Corporation",
        "Acme plc",
        "The Acme",
        "  acme  ",
        "Acmé",
        "ÀCME",
        "Acme, Inc",
        "acme-",
        "ACME Co.",
    ],
)
def test_company_name_forms_normalise_to_the_same_key(raw):
    assert normalise_company_name(raw) == "acme"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Müller & Söhne GmbH", "muller and sohne"),
        ("Procter & Gamble Co.", "procter and gamble"),
        ("AT&T Inc.", "at and t"),
        ("Société Générale S.A.", "societe generale"),
        ("Johnson-Matthey plc", "johnson matthey"),
    ],
)
def test_names_keep_their_distinguishing_words(raw, expected):
    assert normalise_company_name(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("acme.com", "acme.com"),
        ("ACME.COM", "acme.com"),
        ("www.acme.com", "acme.com"),
        ("https://www.acme.com/", "acme.com"),
        ("http://shop.eu.acme.com/path?q=1#x", "acme.com"),
        ("acme.com:8443", "acme.com"),
        ("bob@acme.com", "acme.com"),
        ("Bob.Smith@Sales.ACME.com", "acme.com"),
        ("acme.co.uk", "acme.co.uk"),
        ("https://www.shop.acme.co.uk/x", "acme.co.uk"),
        ("jane@acme.com.au", "acme.com.au"),
        ("acme.com.", "acme.com"),
        ("ftp://files.acme.de", "acme.de"),
        ("", ""),
        ("localhost", ""),
        ("http://10.0.0.1/", ""),
    ],
)
def test_registrable_domains(raw, expected):
    assert registrable_domain(raw) == expected


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("globex", "globex"),
        ("northwind traders", "northwind trader"),
        ("initech systems", "initech"),
        ("blue sky analytics", "bluesky analytics"),
    ],
)
def test_similar_names_score_high(a, b):
    assert name_similarity(a, b) >= 0.85


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("globex", "initech"),
        ("acme", "apex"),
        ("northwind", "southwind logistics"),
    ],
)
def test_different_names_score_low(a, b):
    assert name_similarity(a, b) < 0.85
