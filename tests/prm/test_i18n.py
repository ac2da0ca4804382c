"""Internationalisation: the German catalogue is complete and consistent with the code, a
member's language and the tenant's time zone and locale formats apply, long lists search."""

from __future__ import annotations

import ast
import datetime
import gettext as stdlib_gettext
import re
import shutil
import subprocess
import sys
import zoneinfo
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone, translation

from dealreg.models import Deal
from dealreg.services import leads, named_account_upsert
from prm.models import AuditEvent
from prm.templatetags.prm_l10n import format_money
from prm.tenancy import tenant_context
from tests.conftest import portal_client
from tests.html_helpers import find, find_all
from training.services import course_save

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "locale" / "de" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


# --- a small .po reader (stdlib only) --------------------------------------------------------


def read_po(path: Path) -> list[dict]:
    """Entries as dicts: msgctxt, msgid, msgid_plural, msgstr (list), flags."""
    entries = []
    for block in path.read_text(encoding="utf-8").strip().split("\n\n"):
        entry: dict = {"flags": set(), "msgstr": []}
        field = None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] |= {f.strip() for f in line[2:].split(",")}
                continue
            if line.startswith("#"):
                continue
            match = re.match(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) (\".*\")$", line)
            if match:
                field, text = match.group(1), ast.literal_eval(match.group(2))
                if field.startswith("msgstr"):
                    entry["msgstr"].append(text)
                    field = "msgstr"
                else:
                    entry[field] = text
            elif line.startswith('"') and field:
                text = ast.literal_eval(line)
                if field == "msgstr":
                    entry["msgstr"][-1] += text
                else:
                    entry[field] += text
        if "msgid" in entry:
            entries.append(entry)
    return [e for e in entries if e["msgid"]]  # the header has an empty msgid


def keys(entries) -> set[tuple[str, str]]:
    return {(e.get("msgctxt", ""), e["msgid"]) for e in entries}


PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%[sd]|\{[a-z_]+\}|%%")


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


@pytest.fixture(autouse=True)
def _english_afterwards():
    """Requests activate the member's language in this thread; later tests expect English."""
    yield
    translation.activate("en")


# --- the catalogue ---------------------------------------------------------------------------


def test_german_catalogue_has_no_untranslated_or_fuzzy_entries():
    entries = read_po(PO)
    assert len(entries) > 1500
    untranslated = [e["msgid"] for e in entries if not all(e["msgstr"])]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert untranslated == []
    assert fuzzy == []


def test_placeholders_are_the_same_in_msgid_and_msgstr():
    wrong = []
    for e in read_po(PO):
        sources = [e["msgid"], e.get("msgid_plural", e["msgid"])]
        for i, text in enumerate(e["msgstr"]):
            source = sources[min(i, 1)]
            if placeholders(source) != placeholders(text):
                wrong.append((source, text))
    assert wrong == []


def test_compiled_catalogue_matches_the_po_file():
    """The committed .mo is compiled from the current .po (`make messages`)."""
    with MO.open("rb") as fh:
        compiled = stdlib_gettext.GNUTranslations(fh)
    stale = []
    for e in read_po(PO):
        ctx = e.get("msgctxt")
        if "msgid_plural" in e:
            got = compiled.ngettext(e["msgid"], e["msgid_plural"], 1)
        elif ctx:
            got = compiled.pgettext(ctx, e["msgid"])
        else:
            got = compiled.gettext(e["msgid"])
        if got != e["msgstr"][0]:
            stale.append(e["msgid"])
    assert stale == []


def test_makemessages_finds_no_string_missing_from_the_catalogue(tmp_path):
    """Run makemessages on a copy of the source tree: every marked string is in the catalogue.
    A failure lists the new strings: run `make messages` and translate them."""
    skip = {".venv", ".data", ".git", "tests", "docs", "node_modules", "__pycache__", "static"}
    copy = tmp_path / "src"
    shutil.copytree(ROOT, copy, ignore=lambda d, names: [n for n in names if n in skip])
    env_file = ROOT / ".data" / "env"
    if env_file.exists():
        (copy / ".data").mkdir()
        shutil.copy(env_file, copy / ".data" / "env")
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "de", "--no-obsolete", "-v", "0"],
        cwd=copy,
        check=True,
        capture_output=True,
        timeout=120,
    )
    fresh = keys(read_po(copy / "locale" / "de" / "LC_MESSAGES" / "django.po"))
    missing = fresh - keys(read_po(PO))
    assert sorted(missing) == []


# --- formatting ------------------------------------------------------------------------------


def test_money_is_formatted_for_the_active_language():
    amount = Decimal("1234.5")
    with translation.override("de"):
        assert format_money(amount, "EUR") == "1.234,50\u00a0€"
        assert format_money(amount, "CHF") == "1.234,50\u00a0CHF"
    with translation.override("en"):
        assert format_money(amount, "EUR") == "€1,234.50"
        assert format_money(amount, "CHF") == "CHF 1,234.50"
        assert format_money(Decimal("-5"), "USD") == "−$5.00"
        assert format_money(None, "USD") == "—"
        assert format_money(Decimal("0.005"), "USD") == "$0.01"  # rounded, not cut off


# --- a member's language, the tenant's zone --------------------------------------------------


def _draft_deal(world, member, **over):
    data = {
        "customer_name": "Globex Corporation",
        "customer_domain_input": "globex.com",
        "country": "DE",
        "amount": "1234.50",
        "currency": "EUR",
        "expected_close_date": (timezone.now().date() + datetime.timedelta(days=20)).isoformat(),
        "deal_type": "new",
        "partner_role": "resell",
    }
    data.update(over)
    client = portal_client(world.tenant, member)
    assert client.post("/deals/new/", data).status_code == 302
    with tenant_context(world.tenant):
        return Deal.objects.get(customer_name=data["customer_name"])


def _speaks(member, language: str) -> None:
    member.user.language = language
    member.user.save(update_fields=["language"])


@pytest.mark.django_db
def test_german_member_sees_german_text_money_and_tenant_local_times(world):
    world.tenant.timezone = "Europe/Berlin"
    world.tenant.save(update_fields=["timezone"])
    _speaks(world.partner_admin, "de")
    deal = _draft_deal(world, world.partner_admin)
    client = portal_client(world.tenant, world.partner_admin)

    page = client.get("/deals/").content.decode()
    assert find_all(page, "html", lang="de")
    assert "Meine Deals" in page and "My deals" not in page
    assert "1.235\u00a0€" in page  # lists round to whole units

    detail = client.get(f"/deals/{deal.pk}/").content.decode()
    assert "1.234,50\u00a0€" in detail
    zone = find(detail, id="timeline-zone").text()  # the zone in words, not its code
    assert "Berlin" in zone and "Europe/Berlin" not in zone
    with tenant_context(world.tenant):
        created = Deal.objects.get(pk=deal.pk).created_at
    berlin = created.astimezone(zoneinfo.ZoneInfo("Europe/Berlin"))
    assert berlin.strftime("%H:%M") in detail


@pytest.mark.django_db
def test_english_member_of_the_same_tenant_sees_english_formats(world):
    _speaks(world.partner_user, "en")
    _draft_deal(world, world.partner_admin)
    page = portal_client(world.tenant, world.partner_user).get("/deals/").content.decode()
    assert "My deals" in page and "Meine Deals" not in page
    assert "€1,235" in page


@pytest.mark.django_db
def test_anonymous_pages_follow_accept_language(world):
    client = portal_client(world.tenant)
    german = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9")
    assert "Anmelden" in german.content.decode()
    english = portal_client(world.tenant).get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Sign in" in english.content.decode()


@pytest.mark.django_db
def test_choosing_german_on_the_profile_is_audited_and_applies_on_the_next_request(world):
    client = portal_client(world.tenant, world.partner_user)
    resp = client.post("/profile/", {"full_name": "Ben", "language": "de"})
    assert resp.status_code == 302
    assert "Profil und Sicherheit" in client.get("/profile/").content.decode()
    with tenant_context(world.tenant):
        event = AuditEvent.objects.filter(action="user.profile_updated").latest("id")
    assert event.after["language"] == "de"


@pytest.mark.django_db
def test_an_unknown_language_is_a_form_error_not_a_500(world):
    client = portal_client(world.tenant, world.partner_user)
    resp = client.post("/profile/", {"full_name": "Ben", "language": "xx"})
    assert resp.status_code == 200
    assert "xx" in resp.content.decode()  # Django's "Select a valid choice. xx is not ..."


# --- search on long lists --------------------------------------------------------------------


@pytest.mark.django_db
def test_named_accounts_search(world):
    with tenant_context(world.tenant):
        named_account_upsert(by=world.admin, name="Initech", domain="initech.com")
        named_account_upsert(by=world.admin, name="Umbrella", domain="umbrella.example")
    client = portal_client(world.tenant, world.admin)
    page = client.get("/named-accounts/", {"q": "initech"}).content.decode()
    assert "Initech" in page and "Umbrella" not in page
    empty = client.get("/named-accounts/", {"q": "nothing-like-this"}).content.decode()
    assert "Nothing matches" in empty


@pytest.mark.django_db
def test_leads_search(world):
    with tenant_context(world.tenant):
        leads.lead_create(by=world.admin, company="Hooli", domain="hooli.com")
        leads.lead_create(by=world.admin, company="Pied Piper", domain="piedpiper.com")
    page = portal_client(world.tenant, world.admin).get("/leads/", {"q": "pied"}).content
    assert b"Pied Piper" in page and b"Hooli" not in page


@pytest.mark.django_db
def test_courses_search(world):
    with tenant_context(world.tenant):
        course_save(by=world.admin, code="SALES-101", title="Selling the platform")
        course_save(by=world.admin, code="TECH-201", title="Installing the agent")
    client = portal_client(world.tenant, world.admin)
    page = client.get("/program/training/", {"q": "tech-2"}).content.decode()
    assert "Installing the agent" in page and "Selling the platform" not in page
