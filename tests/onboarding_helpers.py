"""Shared helpers for the onboarding tests (plain functions, not fixtures)."""

from __future__ import annotations

import random
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from onboarding import services
from partners.models import Specialty
from prm.tenancy import tenant_context
from tests.conftest import portal_client

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
TEXT = b"just some text pretending to be a PDF"


def fresh_ip() -> str:
    """A client address of its own, so rate-limit counters in Redis never collide."""
    return f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.{random.randint(1, 254)}"


def public_client(tenant):
    client = portal_client(tenant)
    client.defaults["REMOTE_ADDR"] = fresh_ip()
    return client


def reload(obj):
    with tenant_context(obj.tenant):
        return type(obj).objects.get(pk=obj.pk)


def specialty(world, name: str = "Security") -> Specialty:
    with tenant_context(world.tenant):
        return Specialty.objects.get_or_create(tenant=world.tenant, name=name)[0]


def submit(world, **overrides):
    """An application through the service, inside the world's tenant."""
    data = {
        "company_name": "Globex Partners",
        "website": "https://www.globex.example",
        "country": "DE",
        "partner_type": "system_integrator",
        "specialties": [],
        "size_band": "50-249",
        "expected_revenue": Decimal("250000"),
        "contact_name": "Gill Globex",
        "contact_email": "gill@globex.example",
        "contact_phone": "+49 30 123456",
    }
    data.update(overrides)
    with tenant_context(world.tenant):
        return services.application_submit(tenant=world.tenant, **data)


def set_profile(world, **fields):
    """Define the IPP (admin)."""
    with tenant_context(world.tenant):
        return services.ideal_profile_update(by=world.admin, **fields)


def set_rules(world, **fields):
    with tenant_context(world.tenant):
        return services.onboarding_settings_update(by=world.admin, **fields)


def make_template(world, steps, *, partner_type: str = "reseller", name: str = ""):
    with tenant_context(world.tenant):
        return services.workflow_template_save(
            by=world.admin,
            name=name or f"{partner_type} onboarding",
            partner_type=partner_type,
            steps=steps,
        )


def start(world, partner=None):
    with tenant_context(world.tenant):
        return services.workflow_start(partner=partner or world.partner)


def publish(world, *, partner_type: str = "reseller", body: str = "# Terms\n\nBe nice.\n"):
    with tenant_context(world.tenant):
        return services.agreement_publish(
            by=world.admin, partner_type=partner_type, title="Partner agreement", body=body
        )


def accept(world, agreement, member=None):
    with tenant_context(world.tenant):
        return services.agreement_accept(
            agreement=agreement,
            by=member or world.partner_admin,
            signer_name="Ada Admin",
            signer_title="CEO",
            text_sha256=agreement.text_sha256,
        )


def upload(name: str = "cert.pdf", content: bytes = PDF, content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)
