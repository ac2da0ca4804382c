"""Demo data for the marketing app: a library in two languages (an English and a German
brochure, a logo pack, a demo video, a price list for resellers only, an expired promotion
and a draft), a co-brandable one-pager and an e-mail, and Northwind's brand kit with a few
downloads. Runs inside the demo tenant's context after the other apps' seeds (manage.py
seed_demo); everything goes through the services, as people would do it."""

from __future__ import annotations

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from marketing import services
from marketing.models import Asset
from partners.models import PartnerType, Product
from prm import pdf
from prm.models import Member
from prm.roles import Role

BROCHURE = """<html><head><style>
body {{ font-family: "DejaVu Sans", sans-serif; }} h1 {{ color: #1f4e79; }}
</style></head><body><h1>{title}</h1><p>{text}</p></body></html>"""

ONE_PAGER = """<h1>Acme Cloud, delivered by {{ partner.name }}</h1>
<p>{{ partner.logo }}</p>
<p>Acme Cloud runs your business applications with 99.95% availability, data kept in the
region you choose, and security reviewed by independent auditors every year.</p>
<h2>Why buy from {{ partner.name }}</h2>
<ul><li>Certified engineers for migration and support</li>
<li>Local contracts and invoicing</li><li>One contact for licences and services</li></ul>
<h2>Talk to us</h2>
{{ partner.contact }}"""

EMAIL = """<p>Dear customer,</p>
<p>{{ partner.name }} invites you to a 30-minute Acme Cloud briefing. See how teams like yours
cut their hosting costs and move faster.</p>
<p>Reply to this e-mail or call {{ partner.phone }} to book your slot.</p>
<p>Kind regards,<br>{{ partner.name }}</p>"""


def _pdf(name: str, title: str, text: str) -> SimpleUploadedFile:
    data = pdf.html_to_pdf(BROCHURE.format(title=title, text=text))
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def _png(name: str, colour: tuple[int, int, int], label: str) -> SimpleUploadedFile:
    img = Image.new("RGB", (360, 120), colour)
    ImageDraw.Draw(img).text((20, 50), label, fill=(255, 255, 255))
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


def seed(*, tenant, partners: dict) -> None:
    manager = (
        Member.objects.filter(role=Role.CHANNEL_MANAGER).first()
        or Member.objects.filter(role=Role.ADMIN).first()
    )
    product = Product.objects.order_by("name").first()
    today = timezone.localdate()

    def add(title, kind, upload=None, url="", publish=True, **fields):
        asset = services.asset_create(by=manager, title=title, kind=kind, **fields)
        services.asset_version_add(asset=asset, by=manager, upload=upload, url=url)
        if publish:
            services.asset_publish(asset=asset, by=manager)
        return asset

    brochure = add(
        "Acme Cloud overview brochure",
        "pdf",
        _pdf("acme-cloud-overview.pdf", "Acme Cloud overview", "What Acme Cloud does."),
        description="<p>The four-page overview for first meetings: benefits, "
        "<strong>reference customers</strong> and pricing model.</p>",
        product=product,
        tags=["overview", "first meeting"],
    )
    add(
        "Acme Cloud im Überblick (Broschüre)",
        "pdf",
        _pdf("acme-cloud-ueberblick.pdf", "Acme Cloud im Überblick", "Was Acme Cloud leistet."),
        description="<p>Die Übersichtsbroschüre für Erstgespräche.</p>",
        language="de",
        product=product,
        tags=["overview", "Überblick"],
    )
    add(
        "Acme logo pack",
        "image",
        _png("acme-logo.png", (31, 78, 121), "ACME CLOUD"),
        description="<p>The Acme Cloud logo for partner websites and slides.</p>",
        tags=["logo", "brand"],
    )
    add(
        "Acme Cloud product demo (video)",
        "video",
        url="https://videos.example.com/acme-cloud-demo",
        description="<p>A twelve-minute walk-through of the console.</p>",
        product=product,
        tags=["demo"],
    )
    add(
        "Reseller price list",
        "pdf",
        _pdf("reseller-price-list.pdf", "Reseller price list", "Discounts by tier."),
        partner_types=[PartnerType.RESELLER],
        tags=["pricing"],
    )
    expired = add(
        "Spring promotion flyer",
        "pdf",
        _pdf("spring-promotion.pdf", "Spring promotion", "20% off the first year."),
        tags=["promotion"],
    )
    Asset.objects.filter(pk=expired.pk).update(expires_on=today - datetime.timedelta(days=10))
    add(
        "Launch kit: Acme Cloud AI (coming soon)",
        "pdf",
        _pdf("launch-kit.pdf", "Acme Cloud AI", "Launch kit draft."),
        publish=False,
        tags=["launch"],
    )

    one_pager = services.template_create(
        by=manager, title="Acme Cloud one-pager", kind="one_pager", body=ONE_PAGER
    )
    services.template_publish(template=one_pager, by=manager)
    email = services.template_create(
        by=manager, title="Customer briefing invitation", kind="email", body=EMAIL
    )
    services.template_publish(template=email, by=manager)

    northwind = partners["Northwind Resellers"]
    admin = Member.objects.filter(partner=northwind, role=Role.PARTNER_ADMIN).first()
    if admin is not None:
        services.brand_kit_save(
            partner=northwind,
            by=admin,
            primary_color="#0b5d3b",
            secondary_color="#f2a900",
            contact_name=admin.user.full_name or admin.user.email,
            contact_email=admin.user.email,
            contact_phone="+1 206 555 0147",
            website=northwind.website or "https://northwind.example",
            logo=_png("northwind-logo.png", (11, 93, 59), "NORTHWIND RESELLERS"),
        )
        version = brochure.versions.first()
        for member in Member.objects.filter(partner=northwind, is_active=True)[:3]:
            services.asset_download_record(asset=brochure, version=version, member=member)
            services.cobrand_download_record(template=one_pager, member=member)
