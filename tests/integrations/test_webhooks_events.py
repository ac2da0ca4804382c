"""Each service that changes state writes its event to the outbox, in its own transaction."""

from __future__ import annotations

import pytest

from dealreg.services import leads
from partners import services as partner_services
from prm.models import OutboxEvent
from prm.tenancy import tenant_context
from tests.mdf.test_mdf_support import mdf_objects
from tests.onboarding.test_onboarding_applications import form_data
from tests.onboarding_helpers import public_client, specialty
from tests.partners import test_tiers

pytestmark = pytest.mark.django_db
program = test_tiers.program  # the tier programme fixture


def payloads(world, event_type) -> list[dict]:
    with tenant_context(world.tenant):
        return list(
            OutboxEvent.objects.filter(event_type=event_type).values_list("payload", flat=True)
        )


def test_a_partner_status_change_is_an_event(world):
    with tenant_context(world.tenant):
        partner_services.partner_transition(
            partner=world.partner, by=world.channel_manager, to="suspended", reason="audit"
        )
    [payload] = payloads(world, "partner.status_changed")
    assert payload["status"] == "suspended" and payload["previous_status"] == "active"


def test_tier_changes_from_the_set_based_evaluation_are_events(program):
    world, _tiers = program
    test_tiers.evaluate(world)
    assert {p["partner_id"] for p in payloads(world, "partner.tier_changed")} == {
        world.partner.pk,
        world.other_partner.pk,
    }


def test_a_routed_lead_is_an_assigned_event_for_the_partner(world):
    with tenant_context(world.tenant):
        world.partner.country = "DE"
        world.partner.save(update_fields=["country"])
        lead = leads.lead_create(
            by=world.channel_manager, company="Initech GmbH", domain="initech.de", country="DE"
        )
        leads.lead_route(lead=lead)
    [payload] = payloads(world, "lead.assigned")
    assert payload["partner_id"] == world.partner.pk and payload["lead_id"] == lead.pk


def test_mdf_request_approvals_and_claim_payments_are_events(world):
    objects = mdf_objects(world)
    assert objects.approved_unclaimed.pk in {
        p["request_id"] for p in payloads(world, "mdf.request.approved")
    }
    assert [p["claim_id"] for p in payloads(world, "mdf.claim.paid")] == [objects.claim_paid.pk]


def test_a_public_application_is_a_received_event(world):
    specialty(world)
    public_client(world.tenant).post("/apply/", form_data(world))
    [payload] = payloads(world, "application.received")
    assert payload["company_name"] == form_data(world)["company_name"]
