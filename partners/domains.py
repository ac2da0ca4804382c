"""Company-name and domain normalisation, shared by applications, partners and deals.

Registrable domains use the Public Suffix List snapshot bundled with tldextract (no network):
`https://www.shop.acme.co.uk/x`, `bob@mail.acme.co.uk` and `ACME.CO.UK.` all become
`acme.co.uk`.
"""

from __future__ import annotations

import functools
import re
import unicodedata

import tldextract


@functools.cache
def _extractor() -> tldextract.TLDExtract:
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def registrable_domain(value: str) -> str:
    """The registrable domain in a URL, host or e-mail address; '' if there is none."""
    value = (value or "").strip().lower()
    if not value:
        return ""
    if "@" in value and "://" not in value:
        value = value.rsplit("@", 1)[1]
    value = re.sub(r"^[a-z][a-z0-9+.-]*://", "", value)
    value = re.split(r"[/?#:]", value, maxsplit=1)[0].strip(".")
    if not value:
        return ""
    extracted = _extractor()(value)
    if extracted.ipv4 or extracted.ipv6:
        return ""
    domain = extracted.top_domain_under_public_suffix
    if domain:
        return domain
    # A suffix the list does not know (.example, .internal, a brand-new TLD): the last two
    # labels are the best guess at the registrable part.
    labels = [label for label in value.split(".") if label]
    return ".".join(labels[-2:]) if len(labels) >= 2 else ""


LEGAL_SUFFIXES = {
    "inc",
    "incorporated",
    "llc",
    "llp",
    "lp",
    "ltd",
    "limited",
    "gmbh",
    "ag",
    "sa",
    "sas",
    "sarl",
    "srl",
    "spa",
    "bv",
    "nv",
    "pty",
    "corp",
    "corporation",
    "co",
    "company",
    "plc",
    "oy",
    "ab",
    "as",
    "aps",
    "kg",
    "kgaa",
    "se",
    "sl",
    "kk",
    "pte",
    "pvt",
    "ulc",
    "gbr",
    "ohg",
    "mbh",
    "holding",
    "holdings",
    "group",
}


def normalise_company_name(name: str) -> str:
    """Lowercase, strip accents and punctuation, drop legal suffixes and 'the'."""
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = text.replace("&", " and ")
    text = re.sub(r"[^a-z0-9]+", " ", text)
    words = text.split()
    # "G.m.b.H." became "g m b h": rejoin single letters so the suffix is recognised.
    joined: list[str] = []
    run: list[str] = []
    for w in words:
        if len(w) == 1:
            run.append(w)
            continue
        if run:
            joined.append("".join(run))
            run = []
        joined.append(w)
    if run:
        joined.append("".join(run))
    while joined and joined[-1] in LEGAL_SUFFIXES:
        joined.pop()
    if joined and joined[0] == "the":
        joined = joined[1:]
    return " ".join(joined)
