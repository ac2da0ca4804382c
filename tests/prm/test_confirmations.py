"""Irreversible actions of the core ask first (prm/confirm.py), and deactivating a member
offers an Undo (the reactivate action, which the membership machine allows)."""

from __future__ import annotations

import importlib
import tomllib
from pathlib import Path

import pytest

from prm import hosts, services
from prm.confirm import registered
from prm.models import ApiKey, AuditEvent, Member, TenantHost
from prm.states import StateMachine
from prm.tenancy import tenant_context
from tests.conftest import portal_client
from tests.html_helpers import find, find_all

ROOT = Path(__file__).resolve().parents[2]


def _key(world):
    with tenant_context(world.tenant):
        key, _secret = services.api_key_create(
            member=world.partner_user, name="CRM sync", scopes=["read"]
        )
    return key


def _revoked(world, key) -> bool:
    with tenant_context(world.tenant):
        return ApiKey.objects.get(pk=key.pk).revoked_at is not None


def _active(world, member) -> bool:
    with tenant_context(world.tenant):
        return Member.objects.get(pk=member.pk).is_active


@pytest.mark.django_db
def test_api_key_revoke_confirmation_page_names_the_key_and_revokes_nothing(world):
    key = _key(world)
    page = portal_client(world.tenant, world.partner_user).get(f"/api-keys/{key.pk}/revoke/")
    assert page.status_code == 200
    assert "CRM sync" in find(page, "h1").text()
    assert find(page, "form", action=f"/api-keys/{key.pk}/revoke/", method="post")
    assert not _revoked(world, key)


@pytest.mark.django_db
def test_api_keys_page_offers_revoke_through_a_confirmation_dialog(world):
    key = _key(world)
    page = portal_client(world.tenant, world.partner_user).get("/api-keys/")
    link = find(page, "a", href=f"/api-keys/{key.pk}/revoke/", data_confirm=True)
    assert find(page, "dialog", id=link.attrs["data-confirm"])


@pytest.mark.django_db
def test_confirmed_api_key_revoke_revokes_and_is_audited(world):
    key = _key(world)
    client = portal_client(world.tenant, world.partner_user)
    assert client.post(f"/api-keys/{key.pk}/revoke/").status_code == 302
    assert _revoked(world, key)
    with tenant_context(world.tenant):
        assert AuditEvent.objects.filter(action="api_key.revoked", object_id=str(key.pk)).exists()
    # a revoked key has no confirmation to show any more
    assert client.get(f"/api-keys/{key.pk}/revoke/")["Location"] == "/api-keys/"


@pytest.mark.django_db
def test_member_deactivate_confirmation_names_the_person_and_changes_nothing(world):
    client = portal_client(world.tenant, world.admin)
    page = client.get(f"/members/{world.partner_user.pk}/deactivate/")
    assert page.status_code == 200
    assert world.partner_user.user.display_name in find(page, "h1").text()
    assert _active(world, world.partner_user)


@pytest.mark.django_db
def test_member_deactivate_then_undo_reactivates(world):
    target = world.partner_user
    client = portal_client(world.tenant, world.admin)
    resp = client.post(f"/members/{target.pk}/deactivate/", follow=True)
    assert not _active(world, target)
    messages = find(resp, "div", class_="messages")
    assert "was deactivated" in messages.text()
    # the Undo in the message (the page below offers its own Reactivate as well)
    assert find(resp, "form", text="Undo", action=f"/members/{target.pk}/reactivate/")
    client.post(f"/members/{target.pk}/reactivate/")
    assert _active(world, target)
    with tenant_context(world.tenant):
        actions = list(
            AuditEvent.objects.filter(object_id=str(target.pk))
            .order_by("pk")
            .values_list("action", flat=True)
        )
    assert actions[-2:] == ["member.deactivated", "member.reactivated"]


@pytest.mark.django_db
def test_reactivate_is_not_a_page(world):
    client = portal_client(world.tenant, world.admin)
    assert client.get(f"/members/{world.partner_user.pk}/reactivate/").status_code == 405


@pytest.mark.django_db
def test_invitation_revoke_asks_first(world):
    with tenant_context(world.tenant):
        inv, _token = services.member_invite(
            tenant=world.tenant,
            by=world.admin,
            email="new@example.com",
            role="partner_user",
            partner=world.partner,
        )
    client = portal_client(world.tenant, world.admin)
    page = client.get(f"/invitations/{inv.pk}/revoke/")
    assert "new@example.com" in find(page, "h1").text()
    assert not find_all(client.get("/members/"), "button", text="Revoke")
    assert client.post(f"/invitations/{inv.pk}/revoke/").status_code == 302
    with tenant_context(world.tenant):
        inv.refresh_from_db()
    assert inv.revoked_at is not None


@pytest.mark.django_db
def test_removing_a_custom_domain_asks_first(world):
    with tenant_context(world.tenant):
        th = hosts.tenant_host_add(tenant=world.tenant, by=world.admin, host="p.own.example")
    client = portal_client(world.tenant, world.admin)
    page = client.get(f"/settings/domains/{th.pk}/remove/")
    assert "p.own.example" in find(page, "h1").text()
    settings_page = client.get("/settings/")
    assert find(settings_page, "a", href=f"/settings/domains/{th.pk}/remove/", data_confirm=True)
    with tenant_context(world.tenant):
        assert TenantHost.objects.filter(pk=th.pk).exists()
    assert client.post(f"/settings/domains/{th.pk}/remove/").status_code == 302
    with tenant_context(world.tenant):
        assert not TenantHost.objects.filter(pk=th.pk).exists()


# Each action a state machine marks irreversible (`confirm=True`) and the portal URL that takes
# it; its confirmation must be registered (prm/confirm.py), or the action listed in NOT_ASKED
# with the reason the portal already asks in another way.
CONFIRMED_URLS = {
    ("DEAL", "withdraw"): "deal-withdraw",
    ("INFLUENCE_CLAIM", "withdraw"): "influence-withdraw",
    ("REQUEST_MACHINE", "cancel"): "mdf-request-cancel",
    ("COURSE", "archive"): "training-admin-course-archive",
    ("PARTNER_STATUS", "offboard"): "partner-offboard",
    ("MEMBERSHIP", "deactivate"): "member-deactivate",
    ("TENANT_HOST", "remove"): "tenant-host-remove",
    ("APPLICATION", "approve"): "application-approve",
    ("ANNOUNCEMENT", "withdraw"): "announcement-withdraw",
    ("EVENT", "cancel"): "event-cancel",
    ("OPPORTUNITY", "remove_partner"): "cosell-partner-remove",
    ("OPPORTUNITY", "close"): "cosell-close",
    ("COMMENT", "delete"): "cosell-comment-delete",
    ("PLAN", "close"): "jointplan-close",
    ("PROFILE", "hide"): "locator-profile-hide",
    ("BATCH", "mark_paid"): "incentives-batch-paid",
    ("BATCH", "cancel"): "incentives-batch-cancel",
    ("SEQUENCE", "start"): "marketing-sequence-start",
}
NOT_ASKED = {
    # the dry run's preview page is the confirmation: it shows what the import will write
    ("IMPORT_JOB", "start"),
    # the payment form asks for the payment reference and date: no one-click payment
    ("CLAIM_MACHINE", "pay"),
}


def _machines():
    """Every state machine of every application package (each `<app>/states*.py`), so a new
    app's irreversible actions are held to the same rule."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    names = ["prm.core_states"]
    for package in config["tool"]["importlinter"]["root_packages"]:
        names += [f"{package}.{p.stem}" for p in sorted((ROOT / package).glob("states*.py"))]
    for module in map(importlib.import_module, names):
        for name, value in vars(module).items():
            if isinstance(value, StateMachine):
                yield name, value


def test_every_action_a_machine_marks_irreversible_asks_first():
    marked = {
        (machine_name, act.name)
        for machine_name, machine in _machines()
        for act in machine.actions.values()
        if act.confirm
    }
    assert marked == set(CONFIRMED_URLS) | NOT_ASKED
    for url_name in CONFIRMED_URLS.values():
        assert url_name in registered(), url_name
