"""Account mapping's notices are one notification group, "accounts" ("Accounts and
overlaps"): the preferences page offers it once; introductions and overlapping opportunities
are sent in it; migration accountmap 0005 moved the three old groups' preferences (the most
notifying choice a member had made wins) and notifications into it, in every tenant."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

from django.apps import apps as django_apps
from django.db import connection

from prm import events, notifications
from prm.models import Notification, NotificationPreference
from prm.tenancy import tenant_context
from tests.accountmap.sharing_objects import sharing_objects
from tests.conftest import portal_client
from tests.factories import MemberFactory, NotificationFactory, NotificationPreferenceFactory

MIGRATION = importlib.import_module("accountmap.migrations.0005_notification_groups_merged")


def test_account_mapping_has_one_group_with_one_label():
    assert str(events.GROUPS["accounts"]) == "Accounts and overlaps"
    assert "accountmap" not in events.GROUPS and "overlaps" not in events.GROUPS
    assert events.group_of("account.overlaps_found") == "accounts"


def test_the_preferences_page_offers_the_group_once(world):
    page = portal_client(world.tenant, world.partner_admin).get("/notifications/preferences/")
    assert page.status_code == 200
    text = page.content.decode()
    assert text.count("Accounts and overlaps") == 1
    assert "Account mapping introductions" not in text


def _prefs(world, member, **modes):
    for group, mode in modes.items():
        NotificationPreferenceFactory(tenant=world.tenant, member=member, group=group, mode=mode)


def _run_migration():
    MIGRATION.merge_groups(django_apps, SimpleNamespace(connection=connection))


def test_the_migration_keeps_each_members_most_notifying_choice(world, stranger):
    with tenant_context(world.tenant):
        chose_digest = MemberFactory(tenant=world.tenant, role="channel_manager")
        _prefs(world, chose_digest, accounts="off", accountmap="off", overlaps="digest")
        _prefs(world, world.partner_admin, overlaps="immediate")
        _prefs(world, world.partner_user, accounts="off")
        _prefs(world, world.admin, accountmap="off", deals="off")
        NotificationFactory(tenant=world.tenant, member=world.partner_user, group="overlaps")
        NotificationFactory(tenant=world.tenant, member=world.partner_user, group="accountmap")
        NotificationFactory(tenant=world.tenant, member=world.partner_user, group="deals")
    with tenant_context(stranger.tenant):
        _prefs(stranger, stranger.partner_admin, accountmap="digest", overlaps="off")
    _run_migration()
    with tenant_context(world.tenant):
        rows = dict(
            NotificationPreference.objects.filter(group="accounts").values_list("member_id", "mode")
        )
        assert rows == {
            chose_digest.pk: "digest",
            world.partner_admin.pk: "immediate",
            world.partner_user.pk: "off",
            world.admin.pk: "off",
        }
        assert not NotificationPreference.objects.filter(group__in=["accountmap", "overlaps"])
        assert NotificationPreference.objects.get(member=world.admin, group="deals").mode == "off"
        groups = sorted(Notification.objects.values_list("group", flat=True))
        assert groups == ["accounts", "accounts", "deals"]
        # The preference reads back as the member's mode for the one group.
        assert notifications.preferences_for(chose_digest)["accounts"] == "digest"
    with tenant_context(stranger.tenant):
        row = NotificationPreference.objects.get(member=stranger.partner_admin)
        assert (row.group, row.mode) == ("accounts", "digest")


def test_the_migration_run_twice_changes_nothing_more(world):
    with tenant_context(world.tenant):
        _prefs(world, world.partner_admin, overlaps="digest", accountmap="off")
    _run_migration()
    _run_migration()
    with tenant_context(world.tenant):
        rows = list(
            NotificationPreference.objects.filter(member=world.partner_admin).values_list(
                "group", "mode"
            )
        )
    assert rows == [("accounts", "digest")]


def test_an_introduction_is_sent_in_the_accounts_group(world):
    o = sharing_objects(world)
    client = portal_client(world.tenant, world.partner_user)
    resp = client.post(f"/accounts/overlaps/{o.overlap.pk}/intro/", {"message": "Hello"})
    assert resp.status_code == 302
    with tenant_context(world.tenant):
        groups = set(
            Notification.objects.filter(event_type__startswith="accountmap.").values_list(
                "group", flat=True
            )
        )
    assert groups == {"accounts"}
