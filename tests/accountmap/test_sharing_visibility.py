"""THE permission table of the sharing matrix: for each level one side shares a population
at (hidden, counts, overlapping accounts with chosen fields, all accounts) and each role
(admin, channel manager, partner admin, partner user, another partner's user), what is
visible in the portal, the API, the CSV export and the global search, and that nothing else
is: the other side's names, domains and unshared fields are asserted absent."""

from __future__ import annotations

import pytest

from prm.tenancy import tenant_context
from tests.accountmap import sharing_world as sw
from tests.conftest import api_client, portal_client

# level -> (fields shared, what the other side sees of the overlap / greenfield account)
CASES = {
    "hidden": ((), False, False),
    "counts": ((), False, False),
    "overlaps": (("industry",), True, False),
    "all": (("industry", "owner"), True, True),
}


def _text(resp) -> str:
    assert resp.status_code == 200, resp.status_code
    if hasattr(resp, "streaming_content"):
        return b"".join(resp.streaming_content).decode()
    return resp.content.decode()


def _everything_partner_sees(world, member) -> dict[str, str]:
    """Every channel a partner person reads the vendor's accounts through."""
    web = portal_client(world.tenant, member)
    api = api_client(world.tenant, member)
    return {
        "page": _text(web.get("/accounts/overlaps/")),
        "csv": _text(web.get("/accounts/overlaps/?format=csv")),
        "greenfield": _text(web.get("/accounts/overlaps/greenfield/")),
        "greenfield_csv": _text(web.get("/accounts/overlaps/greenfield/?format=csv")),
        "api": _text(api.get("/api/v1/account-overlaps/")),
        "api_greenfield": _text(api.get("/api/v1/greenfield-accounts/")),
        "search": _text(web.get("/search/?q=zephyrcustomer"))
        + _text(api.get("/api/v1/search/?q=zephyrcustomer")),
        "search_green": _text(web.get("/search/?q=greenacre"))
        + _text(api.get("/api/v1/search/?q=greenacre")),
        "search_prospect": _text(web.get("/search/?q=quillprospect")),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("level", list(CASES))
@pytest.mark.parametrize("role", ["partner_admin", "partner_user"])
def test_a_partner_sees_the_vendors_accounts_only_as_the_vendor_shares_them(world, level, role):
    fields, listed, greenfield = CASES[level]
    sw.build(world)
    sw.share(world, side="vendor", level=level, fields=fields)
    seen = _everything_partner_sees(world, world.member(role))

    for channel in ("page", "csv", "api"):
        text = seen[channel]
        assert (sw.V_NAME in text) is listed, channel
        assert (sw.V_DOMAIN in text) is listed, channel
        assert (sw.V_INDUSTRY in text) is listed, channel  # shared at overlaps and all
        assert (sw.V_OWNER in text) is greenfield, channel  # only "all" shares the owner
        assert (sw.V_OWNER_EMAIL in text) is greenfield, channel
        assert str(sw.V_EMPLOYEES) not in text, channel  # never chosen
        assert sw.VP_NAME not in text, channel  # prospects stay at counts
        assert sw.VG_NAME not in text, channel  # not an overlap
        assert sw.B_NAME not in text, channel  # another partner's account
        # The partner's own account is its own data: always there when the overlap is.
        assert (sw.P_NAME in text) is listed, channel
    for channel in ("greenfield", "greenfield_csv", "api_greenfield"):
        assert (sw.VG_NAME in seen[channel]) is greenfield, channel
        assert sw.V_NAME not in seen[channel], channel  # overlapping: not greenfield
        assert sw.VP_NAME not in seen[channel], channel
    assert (sw.V_NAME in seen["search"]) is listed
    assert (sw.VG_NAME in seen["search_green"]) is greenfield
    assert sw.VP_NAME not in seen["search_prospect"]


@pytest.mark.django_db
@pytest.mark.parametrize("level", list(CASES))
def test_another_partners_user_sees_nothing_of_an_override_for_someone_else(world, level):
    fields, _listed, _green = CASES[level]
    sw.build(world)
    sw.share(world, side="vendor", level=level, fields=fields)
    seen = _everything_partner_sees(world, world.other_partner_user)
    for channel, text in seen.items():
        for token in sw.VENDOR_TOKENS + [sw.VG_NAME, sw.P_NAME, sw.P_DOMAIN, sw.PG_NAME]:
            assert token not in text, (channel, token)


def _everything_staff_sees(world, member) -> dict[str, str]:
    web = portal_client(world.tenant, member)
    api = api_client(world.tenant, member)
    pid = world.partner.pk
    return {
        "page": _text(web.get(f"/accounts/overlaps/partners/{pid}/")),
        "csv": _text(web.get(f"/accounts/overlaps/partners/{pid}/?format=csv")),
        "api": _text(api.get(f"/api/v1/account-overlaps/?partner={pid}")),
        "greenfield": _text(web.get(f"/accounts/overlaps/partners/{pid}/greenfield/")),
        "greenfield_csv": _text(
            web.get(f"/accounts/overlaps/partners/{pid}/greenfield/?format=csv")
        ),
        "api_greenfield": _text(api.get(f"/api/v1/greenfield-accounts/?partner={pid}")),
        "who_knows": _text(web.get(f"/accounts/{world.mapped.vc.pk}/partners/")),
        "search": _text(web.get("/search/?q=zephyr")) + _text(api.get("/api/v1/search/?q=zephyr")),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("level", list(CASES))
@pytest.mark.parametrize("role", ["admin", "channel_manager"])
def test_staff_see_a_partners_accounts_only_as_the_partner_shares_them(world, level, role):
    fields, listed, greenfield = CASES[level]
    world.mapped = sw.build(world)
    sw.share(world, side="partner", level=level, fields=fields)
    seen = _everything_staff_sees(world, world.member(role))

    for channel in ("page", "csv", "api", "who_knows"):
        text = seen[channel]
        assert (sw.P_NAME in text) is listed, channel
        assert (sw.P_DOMAIN in text) is listed, channel
        if channel != "who_knows":  # that page names the partner's population and owner
            assert (sw.P_INDUSTRY in text) is listed, channel
        assert (sw.P_OWNER in text) is greenfield, channel
        assert sw.B_NAME not in text, channel  # partner B shares nothing (counts)
    for channel in ("greenfield", "greenfield_csv", "api_greenfield"):
        assert (sw.PG_NAME in seen[channel]) is greenfield, channel
        assert sw.P_NAME not in seen[channel], channel
    # The vendor's own accounts are found by name; the partners' never through search.
    assert sw.V_NAME in seen["search"]
    assert sw.P_NAME not in seen["search"]
    assert sw.B_NAME not in seen["search"]


@pytest.mark.django_db
def test_each_side_decides_for_its_own_records_only(world):
    """The partner shares everything, the vendor nothing: the partner still sees none of the
    vendor's accounts, and the vendor sees the partner's."""
    world.mapped = sw.build(world)
    sw.share(world, side="partner", level="all", fields=("industry", "owner"))
    sw.share(world, side="vendor", level="hidden")
    partner_seen = _everything_partner_sees(world, world.partner_admin)
    for channel, text in partner_seen.items():
        for token in sw.VENDOR_TOKENS:
            assert token not in text, (channel, token)
    staff_seen = _everything_staff_sees(world, world.admin)
    assert sw.P_NAME in staff_seen["page"] and sw.P_OWNER in staff_seen["api"]


@pytest.mark.django_db
def test_a_vendor_default_applies_until_a_partner_override_says_otherwise(world):
    sw.build(world)
    with_default = sw.share(world, side="vendor", level="overlaps", fields=("industry",))
    with_default.partner = None  # make it the default for every partner
    with tenant_context(world.tenant):
        with_default.save()
    page = _text(portal_client(world.tenant, world.partner_user).get("/accounts/overlaps/"))
    assert sw.V_NAME in page and sw.V_INDUSTRY in page
    sw.share(world, side="vendor", level="counts")  # override for partner A
    page = _text(portal_client(world.tenant, world.partner_user).get("/accounts/overlaps/"))
    assert sw.V_NAME not in page and sw.V_INDUSTRY not in page
