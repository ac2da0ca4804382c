"""Every list page of a fresh tenant says what to do next instead of showing an empty table.

A new tenant (two partners, one member per role, no deals, funds, courses...) renders each
list page for each role allowed to see it; the page must carry an empty-state element
(class "empty") and must not render an empty table."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.conftest import portal_client
from tests.html_helpers import find_all

STAFF = ("admin", "channel_manager")
PARTNER = ("partner_admin", "partner_user")

LIST_PAGES = [
    ("deal-list", STAFF + PARTNER),
    ("deal-review", STAFF),
    ("lead-list", STAFF),
    ("lead-inbox", PARTNER),
    ("application-list", STAFF),
    ("agreement-list", STAFF),
    ("training-my", PARTNER),
    ("training-certificates", PARTNER),
    ("training-admin-courses", ("admin",)),
    ("training-admin-certifications", ("admin",)),
    ("mdf-request-list", PARTNER),
    ("mdf-claim-list", PARTNER),
    ("mdf-documents", PARTNER),
    ("mdf-review-requests", STAFF),
    ("mdf-review-claims", STAFF),
    ("mdf-history", STAFF),
    ("mdf-roi", STAFF),
    ("mdf-program-list", ("admin",)),
    ("mdf-exchange-rates", ("admin",)),
    ("mdf-ledger", ("admin",)),
    ("analytics-reviews", STAFF + PARTNER),
    ("import-list", STAFF),
    ("webhook-list", ("admin",)),
    ("notification-list", STAFF + PARTNER),
    ("api-keys", STAFF + PARTNER),
    ("jointplan-list", STAFF + PARTNER),
]

EMPTY = re.compile(r'class="(?:[^"]*\s)?empty(?:\s[^"]*)?"')
EMPTY_TABLE = re.compile(r"<tbody>\s*</tbody>")


@pytest.mark.parametrize(
    ("name", "role"), [(name, role) for name, roles in LIST_PAGES for role in roles]
)
def test_list_page_of_a_fresh_tenant_shows_an_empty_state(world, name, role):
    response = portal_client(world.tenant, world.member(role)).get(reverse(name))
    assert response.status_code == 200
    html = response.content.decode()
    assert EMPTY.search(html), f"{name} as {role}: no empty state"
    assert not EMPTY_TABLE.search(html), f"{name} as {role}: an empty table"


@pytest.mark.parametrize(
    ("name", "role", "next_url"),
    [
        ("deal-list", "partner_user", "deal-new"),
        ("mdf-request-list", "partner_admin", "mdf-request-new"),
        ("analytics-reviews", "partner_admin", None),
    ],
)
def test_empty_list_offers_the_next_action_to_members_who_may_take_it(world, name, role, next_url):
    html = portal_client(world.tenant, world.member(role)).get(reverse(name)).content.decode()
    if next_url:
        assert f'href="{reverse(next_url)}"' in html
    else:  # the form to prepare a review is on the page itself
        assert find_all(html, "form", method="post")
