"""The API key form is honest about its scopes (issue #18): "Scopes" is marked required, read
is preselected, and a key with no scope ticked is refused at the field, not created."""

from __future__ import annotations

import pytest

from prm.models import ApiKey
from prm.tenancy import tenant_context
from tests.conftest import portal_client
from tests.form_checks import inside, summary_links
from tests.html_helpers import find, find_all

pytestmark = pytest.mark.django_db


def test_read_is_preselected_and_the_scopes_are_marked_required(world):
    page = portal_client(world.tenant, world.partner_user).get("/api-keys/")
    read = find(page, "input", name="scopes", value="read")
    write = find(page, "input", name="scopes", value="write")
    assert "checked" in read.attrs and "checked" not in write.attrs
    stars = [s for s in find_all(page, "span", class_="req") if inside(s, id="id_scopes_field")]
    assert len(stars) == 1


def test_a_key_with_no_scope_is_refused_at_the_field(world):
    client = portal_client(world.tenant, world.partner_user)
    resp = client.post("/api-keys/", {"name": "CRM sync"})
    assert resp.status_code == 200
    error = find(resp, "p", id="id_scopes_error")
    assert inside(error, id="id_scopes_field")
    assert "Choose read, write or both." in error.text()
    assert summary_links(resp) == {"#id_scopes_field"}
    with tenant_context(world.tenant):
        assert not ApiKey.objects.exists()


def test_a_key_with_the_preselected_scope_reads_only(world):
    client = portal_client(world.tenant, world.partner_user)
    resp = client.post("/api-keys/", {"name": "CRM sync", "scopes": ["read"]})
    assert resp.status_code == 200
    with tenant_context(world.tenant):
        assert ApiKey.objects.get().scopes == ["read"]
