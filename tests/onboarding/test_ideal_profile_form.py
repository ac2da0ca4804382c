"""Target countries of the ideal partner profile are chosen from a list of country names
(issue #18: a select for every coded value), not typed as ISO codes."""

from __future__ import annotations

import pytest

from onboarding.models import IdealPartnerProfile
from prm.tenancy import tenant_context
from tests.conftest import portal_client
from tests.html_helpers import find

pytestmark = pytest.mark.django_db

WEIGHTS = {
    f"ipp-weight_{name}": "10" for name in ("geography", "type", "specialties", "size", "revenue")
}


def test_target_countries_are_a_list_of_country_names(world):
    page = portal_client(world.tenant, world.admin).get("/program/onboarding/")
    select = find(page, "select", name="ipp-countries")
    assert "multiple" in select.attrs
    assert find(page, "option", value="DE").text() == "Germany"


def test_chosen_countries_are_saved(world):
    client = portal_client(world.tenant, world.admin)
    resp = client.post("/program/onboarding/profile/", {**WEIGHTS, "ipp-countries": ["FR", "DE"]})
    assert resp.status_code == 302
    with tenant_context(world.tenant):
        assert IdealPartnerProfile.for_tenant(world.tenant).countries == ["DE", "FR"]


def test_a_code_not_on_the_list_is_refused_at_the_field(world):
    client = portal_client(world.tenant, world.admin)
    resp = client.post("/program/onboarding/profile/", {**WEIGHTS, "ipp-countries": ["XX"]})
    assert resp.status_code == 200
    assert "XX" in find(resp, "p", id="id_ipp-countries_error").text()
