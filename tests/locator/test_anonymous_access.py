"""The locator's public pages answer anyone on the tenant's host, signed in or not (the
anonymous rows of the permission table: tests/permissions_locator.py PUBLIC_URL_NAMES)."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from locator.models import PublicProfile
from prm.tenancy import tenant_context
from tests.conftest import portal_client
from tests.factories import PublicProfileFactory
from tests.permissions import ROLES

pytestmark = pytest.mark.django_db


def _with_logo(w):
    profile = PublicProfileFactory(tenant=w.tenant, partner=w.partner)
    buf = io.BytesIO()
    Image.new("RGB", (4, 4), "blue").save(buf, "PNG")
    with tenant_context(w.tenant):
        p = PublicProfile.objects.get(pk=profile.pk)
        p.logo.save("x.png", SimpleUploadedFile("x.png", buf.getvalue()), save=True)
    return profile


@pytest.mark.parametrize("who", [None, *ROLES])
def test_public_pages_answer_everyone(world, who):
    profile = _with_logo(world)
    client = portal_client(world.tenant, world.member(who) if who else None)
    for path in (
        "/find/",
        "/find/embed/",
        f"/find/{profile.slug}/",
        f"/find/{profile.slug}/thanks/",
        f"/find/{profile.slug}/logo",
    ):
        assert client.get(path).status_code == 200, path
    assert client.get(f"/find/{profile.slug}/contact/").status_code == 302


def test_unpublished_and_unknown_profiles_are_404_for_anyone(world):
    draft = PublicProfileFactory(tenant=world.tenant, partner=world.partner, status="draft")
    client = portal_client(world.tenant)
    for path in (f"/find/{draft.slug}/", f"/find/{draft.slug}/logo", "/find/nobody/"):
        assert client.get(path).status_code == 404, path
    assert client.post(f"/find/{draft.slug}/contact/", {}).status_code == 404
