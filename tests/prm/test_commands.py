"""Operator management commands."""

from __future__ import annotations

import io

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from demo.management.commands.seed_demo import DEMO_UNREAD
from prm.models import Invitation, Member, Notification, Tenant
from prm.tenancy import tenant_context
from tests.conftest import host_of, wait_worker_idle
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_create_tenant_invites_the_admin(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        out = run(
            "create_tenant", "globex", "--name", "Globex", "--admin-email", "boss@globex.example"
        )
    tenant = Tenant.objects.get(slug="globex")
    with tenant_context(tenant):
        inv = Invitation.objects.get()
    assert inv.role == "admin" and inv.email == "boss@globex.example"
    assert "http://globex.localhost:8000/invitations/" in out
    assert mail.outbox[-1].to == ["boss@globex.example"]


def test_create_tenant_rejects_a_bad_or_taken_slug():
    run("create_tenant", "initech", "--name", "Initech", "--admin-email", "a@i.example")
    with pytest.raises(CommandError):
        run("create_tenant", "initech", "--name", "Again", "--admin-email", "a@i.example")
    with pytest.raises(CommandError):
        run("create_tenant", "Bad Slug!", "--name", "Bad", "--admin-email", "a@i.example")


def test_add_member_adds_an_existing_account_directly(world):
    user = UserFactory(email="existing@example.com")
    out = run(
        "add_member",
        "--tenant",
        world.tenant.slug,
        "--email",
        user.email,
        "--role",
        "partner_user",
        "--partner",
        str(world.partner.pk),
    )
    assert "Partner user" in out
    with tenant_context(world.tenant):
        assert Member.objects.get(user=user).partner_id == world.partner.pk


def test_add_member_invites_an_unknown_address(world):
    out = run(
        "add_member",
        "--tenant",
        world.tenant.slug,
        "--email",
        "new@example.com",
        "--role",
        "channel_manager",
    )
    assert "/invitations/" in out


def test_add_member_refuses_a_partner_role_without_partner(world):
    user = UserFactory()
    with pytest.raises(CommandError):
        run(
            "add_member",
            "--tenant",
            world.tenant.slug,
            "--email",
            user.email,
            "--role",
            "partner_user",
        )


def test_create_api_key_prints_a_working_key_on_its_last_line(world):
    from rest_framework.test import APIClient

    out = run(
        "create_api_key",
        "--tenant",
        world.tenant.slug,
        "--email",
        world.admin.user.email,
        "--name",
        "ops",
        "--scopes",
        "read",
    )
    key = out.strip().splitlines()[-1]
    assert key.startswith("prm_")
    client = APIClient(HTTP_HOST=host_of(world.tenant), HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.get("/api/v1/me/").status_code == 200
    assert client.patch("/api/v1/tenant/", {"name": "x"}, format="json").status_code == 403


def test_create_api_key_for_a_non_member_fails(world, stranger):
    with pytest.raises(CommandError):
        run(
            "create_api_key",
            "--tenant",
            world.tenant.slug,
            "--email",
            stranger.admin.user.email,
            "--name",
            "x",
        )


def test_seed_demo_runs_once():
    first = run("seed_demo")
    second = run("seed_demo")
    assert "Seeded" in first and "already present" in second
    tenant = Tenant.objects.get(slug="acme")
    with tenant_context(tenant):
        roles = set(Member.objects.values_list("role", flat=True))
    assert roles == {"admin", "channel_manager", "partner_admin", "partner_user", "sales_rep"}


def test_seed_demo_leaves_each_person_a_handful_of_unread_notifications():
    """The seeded history is not news: each demo person starts with fewer than 10 unread
    notifications (the newest), not the 80-100 the history made."""
    run("seed_demo")
    tenant = Tenant.objects.get(slug="acme")
    with tenant_context(tenant):
        assert Notification.objects.exists()
        for member in Member.objects.all():
            unread = Notification.objects.filter(member=member, read_at__isnull=True).count()
            assert unread < 10, (member.user.email, unread)
        assert Notification.objects.filter(read_at__isnull=True).exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.celery_worker
def test_the_demo_keeps_its_handful_of_unread_once_the_worker_has_run(celery_worker):
    """The seed queues work for after its commit (MDF decisions tell the partner's admins):
    once the worker has run all of it, each partner person still has at most the seeded
    handful unread; the staff a few more, the reviews still waiting for them."""
    run("seed_demo")
    wait_worker_idle(timeout=120)
    tenant = Tenant.objects.get(slug="acme")
    with tenant_context(tenant):
        for member in Member.objects.select_related("user"):
            unread = Notification.objects.filter(member=member, read_at__isnull=True).count()
            limit = DEMO_UNREAD + 2 if member.is_staff_role else DEMO_UNREAD
            assert unread <= limit, (member.user.email, unread)
        ada = Member.objects.get(user__email="ada@northwind.example")
        assert Notification.objects.filter(member=ada, read_at__isnull=True).exists()
