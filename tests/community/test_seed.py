"""The demo tenant shows the community: announcements and a roadmap item on a partner's home
page, three questions (one with an accepted answer) and an upcoming webinar with people
registered."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from community.models import Announcement, Event, Question, Registration
from prm.models import Member, Tenant
from prm.tenancy import tenant_context
from tests.conftest import portal_client
from tests.html_helpers import find, find_all

pytestmark = pytest.mark.django_db


def test_demo_has_announcements_questions_and_a_webinar(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", stdout=io.StringIO())
    tenant = Tenant.objects.get(slug="acme")
    with tenant_context(tenant):
        kinds = sorted(
            Announcement.objects.filter(status="published").values_list("kind", flat=True)
        )
        questions = Question.objects.count()
        accepted = Question.objects.filter(accepted_answer__isnull=False).count()
        webinar = Event.objects.get(status="published")
        registered = Registration.objects.filter(event=webinar, status="registered").count()
        ada = Member.objects.get(user__email="ada@northwind.example")
    assert kinds == ["news", "news", "roadmap"]
    assert (questions, accepted, registered) == (3, 1, 2)
    page = portal_client(tenant, ada).get("/")
    assert find(page, "section", id="home-community")
    assert len(find_all(page, "li", data_announcement=True)) == 3
