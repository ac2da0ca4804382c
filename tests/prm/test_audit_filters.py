"""The audit trail's filters are selects of labelled values (an action or a whole area, an
object by name) and find actors by name or e-mail."""

from __future__ import annotations

from prm.audit import log_action
from prm.tenancy import tenant_context
from tests.conftest import portal_client
from tests.html_helpers import find, find_all


def _log(world, action):
    with tenant_context(world.tenant):
        log_action(action, tenant=world.tenant, obj=world.partner, actor=world.admin.user)


def test_the_filters_offer_labelled_actions_areas_and_objects(world):
    page = portal_client(world.tenant, world.admin).get("/audit/")
    find(page, "select", name="action")
    assert find_all(page, "option", value="tier.updated", text="Tier updated")
    assert find_all(page, "option", value="deal.", text="All: Deal")
    assert find_all(page, "option", value="partners.partner", text="Partner")
    assert not find_all(page, "input", name="object_type")


def test_an_area_finds_every_action_in_it_and_the_actor_is_found_by_name(world):
    world.admin.user.full_name = "Alice Admin"
    world.admin.user.save(update_fields=["full_name"])
    _log(world, "tier.updated")
    _log(world, "partner.updated")
    client = portal_client(world.tenant, world.admin)
    page = client.get("/audit/?action=tier.&actor=alice").content.decode()
    assert find_all(page, "td", text="Tier updated")
    assert not find_all(page, "td", text="Partner updated")


def test_an_unknown_action_is_a_field_error_not_a_500(world):
    resp = portal_client(world.tenant, world.admin).get("/audit/?action=%27%3Bdrop")
    assert resp.status_code == 200
    assert find_all(resp, id="id_action_error") or b"Select a valid choice" in resp.content
