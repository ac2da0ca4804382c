"""E-mails are written in the recipient's language, wherever they are built: a Celery task
has no request, so the language comes from the person (User.language), else the default."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import translation
from django.utils.translation import gettext_lazy

from partners import services as partner_services
from partners.tasks import notify_tier_event
from prm.i18n import lazy_format, recipient_language
from prm.models import Notification
from prm.tenancy import tenant_context
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_afterwards():
    yield
    translation.activate("en")


def _gold_partner(world):
    with tenant_context(world.tenant):
        gold = partner_services.tier_save(by=world.admin, name="Gold", rank=1)
        world.partner.tier = gold
        world.partner.save(update_fields=["tier"])


def _speaks(member, language: str) -> None:
    member.user.language = language
    member.user.save(update_fields=["language"])


def _tier_task(world, kind: str) -> int:
    """The real task, run in this process (its mail is captured here, not in a worker)."""
    kwargs = {"tenant_id": world.tenant.pk, "partner_id": world.partner.pk, "kind": kind}
    return notify_tier_event.apply(kwargs=kwargs).get()


def _mail_to(member):
    [message] = [m for m in mail.outbox if m.to == [member.user.email]]
    return message


def test_tier_mail_from_a_task_is_german_for_a_german_member_and_english_for_another(
    world, django_capture_on_commit_callbacks
):
    _gold_partner(world)
    _speaks(world.partner_admin, "de")
    english = MemberFactory(tenant=world.tenant, role="partner_admin", partner=world.partner)
    translation.activate("en")  # as in a worker: no request chose a language
    with django_capture_on_commit_callbacks(execute=True):
        sent = notify_tier_event.apply(
            kwargs={
                "tenant_id": world.tenant.pk,
                "partner_id": world.partner.pk,
                "kind": "upgraded",
            }
        ).get()
    assert sent == 2

    german = _mail_to(world.partner_admin)
    assert german.subject == f"[{world.tenant.name}] Ihre Partnerstufe hat sich geändert"
    assert f"Gute Nachricht: {world.partner.name} ist jetzt in der Stufe Gold." in german.body
    html = german.alternatives[0][0]
    assert "Gute Nachricht" in html

    other = _mail_to(english)
    assert other.subject == f"[{world.tenant.name}] Your partner tier has changed"
    assert "Good news:" in other.body
    # The worker's own language is left as it was.
    assert translation.get_language() == "en"


def test_in_portal_notification_title_is_in_the_members_language(
    world, django_capture_on_commit_callbacks
):
    _gold_partner(world)
    _speaks(world.partner_admin, "de")
    with django_capture_on_commit_callbacks(execute=True):
        _tier_task(world, "warned")
    with tenant_context(world.tenant):
        note = Notification.objects.get(member=world.partner_admin)
    # In German, naming the partner it is about.
    assert note.title == f"Ihre Partnerstufe erfordert Aufmerksamkeit: {world.partner.name}"


def test_lazy_format_translates_when_used_not_when_made():
    subject = lazy_format(gettext_lazy("You are certified: %(c)s"), c="Sales Pro")
    with translation.override("de"):
        german = str(subject)
    with translation.override("en"):
        english = str(subject)
    assert english == "You are certified: Sales Pro"
    assert german != english and german.endswith("Sales Pro")


def test_recipient_language_falls_back_to_the_default(world):
    _speaks(world.partner_admin, "de")
    assert recipient_language([world.partner_admin.user.email]) == "de"
    assert recipient_language(["nobody@example.com"]) == "en"
    assert recipient_language(["nobody@example.com"], default="de") == "de"
    _speaks(world.partner_user, "xx")  # not a language the portal speaks
    assert recipient_language([world.partner_user.user.email]) == "en"


@pytest.mark.parametrize("language", ["de", "en"])
def test_digest_is_written_in_the_members_language(
    world, language, django_capture_on_commit_callbacks
):
    from prm import notifications

    _speaks(world.channel_manager, language)
    with tenant_context(world.tenant):
        Notification.objects.create(
            tenant=world.tenant,
            member=world.channel_manager,
            event_type="deal.submitted",
            group="deals",
            title="DR-1",
            mode="digest",
        )
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications.digest_send(tenant=world.tenant, member=world.channel_manager)
    message = _mail_to(world.channel_manager)
    with translation.override(language):
        expected = str(gettext_lazy("your daily summary"))
    assert message.subject.endswith(expected)


def test_relay_writes_each_members_notification_title_in_their_language(world):
    from integrations.relay import fan_out
    from prm import events

    _speaks(world.partner_admin, "de")
    _speaks(world.partner_user, "")  # no choice: the default language
    translation.activate("en")
    payload = {"id": 7, "partner_id": world.partner.pk, "label": "DR-7 Initech", "path": "/x/"}
    with tenant_context(world.tenant):
        events.emit("deal.won", payload, tenant=world.tenant)
        fan_out(tenant=world.tenant)
        titles = dict(
            Notification.objects.filter(event_type="deal.won").values_list("member_id", "title")
        )
    with translation.override("de"):
        german = str(events.EVENTS["deal.won"][2])
    assert german != "Deal closed won"
    assert titles == {
        world.partner_admin.pk: f"{german}: DR-7 Initech",
        world.partner_user.pk: "Deal closed won: DR-7 Initech",
    }
