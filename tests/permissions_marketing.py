"""Permission rows for the marketing app (portal and API). Each row builds the asset or
template it needs in the world it runs in (a fresh world per row and role)."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from marketing import sequence_services, services
from prm.tenancy import tenant_context
from tests.marketing.campaign_helpers import KIT as CAMPAIGN_KIT
from tests.marketing.campaign_helpers import kit as _campaign_kit
from tests.marketing.campaign_helpers import launched as _launched
from tests.marketing.helpers import published, syndicated
from tests.marketing.sequence_helpers import add_contacts
from tests.permissions import PROGRAM, STAFF, Endpoint

BRAND = {"partner_admin"}
ASSET = {"title": "Matrix asset", "kind": "pdf", "language": "en"}
KIT = {"primary_color": "#112233", "secondary_color": "#445566"}
TEMPLATE = {"title": "Matrix sheet", "kind": "one_pager", "body": "<p>{{ partner.name }}</p>"}


def _pdf(w):
    return published(w, title="Matrix PDF")


def _video(w):
    return published(w, title="Matrix video", kind="video")


def _draft_with_version(w):
    with tenant_context(w.tenant):
        asset = services.asset_create(by=w.admin, title="Matrix draft", kind="video")
        services.asset_version_add(asset=asset, by=w.admin, url="https://videos.example.com/v")
        return asset


def _first_version(asset):
    with tenant_context(asset.tenant):
        return asset.versions.get()


def _template(w, *, publish: bool = True):
    with tenant_context(w.tenant):
        tpl = services.template_create(by=w.admin, **TEMPLATE)
        if publish:
            tpl = services.template_publish(template=tpl, by=w.admin)
        return tpl


def _draft_template(w):
    return _template(w, publish=False)


def _o(url, build):
    """(url, stranger_url) on an object built by `build` in each world."""
    return {"url": lambda w: url(build(w)), "stranger_url": lambda w, s: url(build(s))}


def _a(tail: str = "", build=_pdf):
    return _o(lambda a: f"/marketing/assets/{a.pk}/{tail}", build)


def _api_a(tail: str = "", build=_pdf):
    return _o(lambda a: f"/api/v1/marketing/assets/{a.pk}/{tail}", build)


def _t(tail: str = "", build=_template):
    return _o(lambda t: f"/marketing/templates/{t.pk}/{tail}", build)


def _api_t(tail: str = "", build=_template):
    return _o(lambda t: f"/api/v1/marketing/templates/{t.pk}/{tail}", build)


def _version_url(a):
    return f"/marketing/assets/{a.pk}/versions/{_first_version(a).pk}/download/"


ENDPOINTS = [
    # --- Portal: the asset library
    Endpoint("marketing-library", lambda w: "/marketing/", PROGRAM),
    Endpoint("marketing-asset-new", lambda w: "/marketing/assets/new/", STAFF),
    Endpoint(
        "marketing-asset-new",
        lambda w: "/marketing/assets/new/",
        STAFF,
        method="post",
        data=lambda w: ASSET,
    ),
    Endpoint("marketing-asset-detail", allowed=PROGRAM, **_a()),
    Endpoint("marketing-asset-edit", allowed=STAFF, **_a("edit/")),
    Endpoint(
        "marketing-asset-edit", allowed=STAFF, method="post", data=lambda w: ASSET, **_a("edit/")
    ),
    Endpoint(
        "marketing-version-add",
        allowed=STAFF,
        method="post",
        data=lambda w: {"url": "https://videos.example.com/v2", "notes": "cut"},
        **_a("versions/", _video),
    ),
    Endpoint(
        "marketing-asset-publish",
        allowed=STAFF,
        method="post",
        **_a("publish/", _draft_with_version),
    ),
    Endpoint("marketing-asset-archive", allowed=STAFF, method="post", **_a("archive/")),
    Endpoint("marketing-asset-download", allowed=PROGRAM, **_a("download/")),
    Endpoint(
        "marketing-version-download",
        allowed=STAFF,
        url=lambda w: _version_url(_pdf(w)),
        stranger_url=lambda w, s: _version_url(_pdf(s)),
    ),
    # --- Portal: brand kit and co-branded copy
    Endpoint("marketing-brand-kit", lambda w: "/marketing/brand-kit/", BRAND),
    Endpoint(
        "marketing-brand-kit",
        lambda w: "/marketing/brand-kit/",
        BRAND,
        method="post",
        data=lambda w: KIT,
    ),
    Endpoint("marketing-template-list", lambda w: "/marketing/templates/", PROGRAM),
    Endpoint("marketing-template-new", lambda w: "/marketing/templates/new/", STAFF),
    Endpoint(
        "marketing-template-new",
        lambda w: "/marketing/templates/new/",
        STAFF,
        method="post",
        data=lambda w: TEMPLATE,
    ),
    Endpoint("marketing-template-detail", allowed=PROGRAM, **_t()),
    Endpoint("marketing-template-edit", allowed=STAFF, **_t("edit/")),
    Endpoint(
        "marketing-template-edit",
        allowed=STAFF,
        method="post",
        data=lambda w: TEMPLATE,
        **_t("edit/"),
    ),
    Endpoint(
        "marketing-template-publish",
        allowed=STAFF,
        method="post",
        **_t("publish/", _draft_template),
    ),
    Endpoint("marketing-template-archive", allowed=STAFF, method="post", **_t("archive/")),
    Endpoint("marketing-template-download", allowed=PROGRAM, **_t("download/")),
    # --- API
    Endpoint("api-marketing-asset-list", lambda w: "/api/v1/marketing/assets/", PROGRAM, api=True),
    Endpoint(
        "api-marketing-asset-list",
        lambda w: "/api/v1/marketing/assets/",
        STAFF,
        api=True,
        method="post",
        data=lambda w: ASSET,
    ),
    Endpoint("api-marketing-asset-detail", allowed=PROGRAM, api=True, **_api_a()),
    Endpoint(
        "api-marketing-asset-detail",
        allowed=STAFF,
        api=True,
        method="patch",
        data=lambda w: {"title": "Renamed"},
        **_api_a(),
    ),
    Endpoint(
        "api-marketing-asset-add-version",
        allowed=STAFF,
        api=True,
        method="post",
        data=lambda w: {"url": "https://videos.example.com/v3"},
        **_api_a("versions/", _video),
    ),
    Endpoint(
        "api-marketing-asset-publish",
        allowed=STAFF,
        api=True,
        method="post",
        **_api_a("publish/", _draft_with_version),
    ),
    Endpoint(
        "api-marketing-asset-archive", allowed=STAFF, api=True, method="post", **_api_a("archive/")
    ),
    Endpoint("api-marketing-asset-download", allowed=PROGRAM, api=True, **_api_a("download/")),
    Endpoint("api-marketing-brand-kit", lambda w: "/api/v1/marketing/brand-kit/", BRAND, api=True),
    Endpoint(
        "api-marketing-brand-kit",
        lambda w: "/api/v1/marketing/brand-kit/",
        BRAND,
        api=True,
        method="put",
        data=lambda w: KIT,
    ),
    Endpoint(
        "api-marketing-template-list", lambda w: "/api/v1/marketing/templates/", PROGRAM, api=True
    ),
    Endpoint(
        "api-marketing-template-list",
        lambda w: "/api/v1/marketing/templates/",
        STAFF,
        api=True,
        method="post",
        data=lambda w: TEMPLATE,
    ),
    Endpoint("api-marketing-template-detail", allowed=PROGRAM, api=True, **_api_t()),
    Endpoint(
        "api-marketing-template-detail",
        allowed=STAFF,
        api=True,
        method="patch",
        data=lambda w: {"title": "Renamed"},
        **_api_t(),
    ),
    Endpoint(
        "api-marketing-template-publish",
        allowed=STAFF,
        api=True,
        method="post",
        **_api_t("publish/", _draft_template),
    ),
    Endpoint(
        "api-marketing-template-archive",
        allowed=STAFF,
        api=True,
        method="post",
        **_api_t("archive/"),
    ),
    Endpoint("api-marketing-template-download", allowed=PROGRAM, api=True, **_api_t("download/")),
]

# --- Content syndication ------------------------------------------------------------------
SYNDICATION = {"enabled": "on", "allowed_origins": "https://www.matrix.example", "max_items": "6"}


def _with_feed(path: str):
    """A URL of the world's partner's own feed (made first; the feed is per partner)."""

    def url(w):
        syndicated(w)
        return path

    return url


ENDPOINTS += [
    Endpoint("marketing-syndication", lambda w: "/marketing/syndication/", BRAND),
    Endpoint(
        "marketing-syndication",
        lambda w: "/marketing/syndication/",
        BRAND,
        method="post",
        data=lambda w: SYNDICATION,
    ),
    Endpoint("marketing-syndication-rotate", _with_feed("/marketing/syndication/rotate/"), BRAND),
    Endpoint(
        "marketing-syndication-rotate",
        _with_feed("/marketing/syndication/rotate/"),
        BRAND,
        method="post",
    ),
    Endpoint("marketing-syndication-preview", _with_feed("/marketing/syndication/preview/"), BRAND),
    Endpoint("marketing-syndication-report", lambda w: "/marketing/syndication/report/", STAFF),
    Endpoint(
        "api-marketing-syndication", lambda w: "/api/v1/marketing/syndication/", BRAND, api=True
    ),
    Endpoint(
        "api-marketing-syndication",
        lambda w: "/api/v1/marketing/syndication/",
        BRAND,
        api=True,
        method="put",
        data=lambda w: {"enabled": True, "allowed_origins": ["https://www.matrix.example"]},
    ),
    Endpoint(
        "api-marketing-syndication-rotate",
        _with_feed("/api/v1/marketing/syndication/rotate/"),
        BRAND,
        api=True,
        method="post",
    ),
    Endpoint(
        "api-marketing-syndication-views",
        lambda w: "/api/v1/marketing/syndication/views/",
        BRAND,
        api=True,
    ),
    Endpoint(
        "api-marketing-syndication-partners",
        lambda w: "/api/v1/marketing/syndication/partners/",
        STAFF,
        api=True,
    ),
]

# The embed answers anyone on the tenant's host (tests/marketing/test_syndication.py).
PUBLIC_URL_NAMES = {
    "syndication-embed",
    "syndication-script",
    "syndication-css",
    "syndication-open",
}

# --- campaigns ---

LAUNCH = {"partner_admin"}


def _draft_kit(w):
    return _campaign_kit(w, publish=False)


def _k(tail: str = "", build=_campaign_kit, api: bool = False):
    root = "/api/v1/marketing/campaign-kits" if api else "/marketing/campaign-kits"
    return _o(lambda k: f"{root}/{k.pk}/{tail}", build)


def _c(api: bool = False):
    root = "/api/v1/marketing/campaigns" if api else "/marketing/campaigns"
    return _o(lambda c: f"{root}/{c.pk}/", _launched)


def _kit_form(w):
    return {
        "name": "Matrix kit",
        "landing_headline": "Hello",
        "landing_body": "<p>{{ partner.name }}</p>",
        "language": "en",
        "steps-TOTAL_FORMS": "0",
        "steps-INITIAL_FORMS": "0",
    }


ENDPOINTS += [
    Endpoint("marketing-kit-list", lambda w: "/marketing/campaign-kits/", PROGRAM),
    Endpoint("marketing-kit-new", lambda w: "/marketing/campaign-kits/new/", STAFF),
    Endpoint(
        "marketing-kit-new",
        lambda w: "/marketing/campaign-kits/new/",
        STAFF,
        method="post",
        data=_kit_form,
    ),
    Endpoint("marketing-kit-detail", allowed=PROGRAM, **_k()),
    Endpoint("marketing-kit-edit", allowed=STAFF, **_k("edit/")),
    Endpoint("marketing-kit-edit", allowed=STAFF, method="post", data=_kit_form, **_k("edit/")),
    Endpoint("marketing-kit-publish", allowed=STAFF, method="post", **_k("publish/", _draft_kit)),
    Endpoint("marketing-kit-retire", allowed=STAFF, method="post", **_k("retire/")),
    Endpoint("marketing-kit-launch", allowed=LAUNCH, method="post", **_k("launch/")),
    Endpoint("marketing-campaign-list", lambda w: "/marketing/campaigns/", PROGRAM),
    Endpoint("marketing-campaign-detail", allowed=PROGRAM, **_c()),
    Endpoint(
        "api-marketing-campaign-kit-list",
        lambda w: "/api/v1/marketing/campaign-kits/",
        PROGRAM,
        api=True,
    ),
    Endpoint(
        "api-marketing-campaign-kit-list",
        lambda w: "/api/v1/marketing/campaign-kits/",
        STAFF,
        api=True,
        method="post",
        data=lambda w: CAMPAIGN_KIT,
    ),
    Endpoint("api-marketing-campaign-kit-detail", allowed=PROGRAM, api=True, **_k(api=True)),
    Endpoint(
        "api-marketing-campaign-kit-detail",
        allowed=STAFF,
        api=True,
        method="patch",
        data=lambda w: {"name": "Renamed"},
        **_k(api=True),
    ),
    Endpoint(
        "api-marketing-campaign-kit-publish",
        allowed=STAFF,
        api=True,
        method="post",
        **_k("publish/", _draft_kit, api=True),
    ),
    Endpoint(
        "api-marketing-campaign-kit-retire",
        allowed=STAFF,
        api=True,
        method="post",
        **_k("retire/", api=True),
    ),
    Endpoint(
        "api-marketing-campaign-kit-launch",
        allowed=LAUNCH,
        api=True,
        method="post",
        **_k("launch/", api=True),
    ),
    Endpoint(
        "api-marketing-campaign-list", lambda w: "/api/v1/marketing/campaigns/", PROGRAM, api=True
    ),
    Endpoint("api-marketing-campaign-detail", allowed=PROGRAM, api=True, **_c(api=True)),
]

# The campaign's public pages: tests/marketing/test_campaigns.py covers them.
PUBLIC_URL_NAMES |= {
    "campaign-landing",
    "campaign-lead",
    "campaign-thanks",
    "campaign-asset",
    "campaign-tracked",
}

# --- the campaign's e-mail sequence (contacts, start / pause / resume) ---

CONTACTS_VIEW = {"partner_admin", "partner_user"}


def _with_contacts(w):
    campaign = _launched(w)
    add_contacts(w, campaign)
    return campaign


def _sending(w):
    campaign = _with_contacts(w)
    with tenant_context(w.tenant):
        return sequence_services.sequence_start(campaign=campaign, by=w.partner_admin)


def _paused(w):
    campaign = _sending(w)
    with tenant_context(w.tenant):
        return sequence_services.sequence_pause(campaign=campaign, by=w.partner_admin)


def _contact_url(root: str):
    def url(campaign):
        with tenant_context(campaign.tenant):
            contact = campaign.contacts.order_by("id").first()
        return f"{root}/{campaign.pk}/contacts/{contact.pk}/"

    return url


def _seq(tail: str, build, api: bool = False):
    root = "/api/v1/marketing/campaigns" if api else "/marketing/campaigns"
    return _o(lambda c: f"{root}/{c.pk}/{tail}", build)


def _csv_upload(w):
    return {
        "file": SimpleUploadedFile("c.csv", b"email\nmatrix@customer.example\n"),
        "consent": "on",
    }


ENDPOINTS += [
    Endpoint("marketing-campaign-contacts", allowed=CONTACTS_VIEW, **_seq("contacts/", _launched)),
    Endpoint(
        "marketing-contact-upload",
        allowed=LAUNCH,
        method="post",
        data=_csv_upload,
        **_seq("contacts/upload/", _launched),
    ),
    Endpoint(
        "marketing-contact-remove",
        allowed=LAUNCH,
        method="post",
        **_o(lambda c: _contact_url("/marketing/campaigns")(c) + "remove/", _with_contacts),
    ),
    Endpoint("marketing-sequence-start", allowed=LAUNCH, **_seq("sequence/start/", _with_contacts)),
    Endpoint(
        "marketing-sequence-start",
        allowed=LAUNCH,
        method="post",
        **_seq("sequence/start/", _with_contacts),
    ),
    Endpoint(
        "marketing-sequence-pause",
        allowed=LAUNCH,
        method="post",
        **_seq("sequence/pause/", _sending),
    ),
    Endpoint(
        "marketing-sequence-resume",
        allowed=LAUNCH,
        method="post",
        **_seq("sequence/resume/", _paused),
    ),
    Endpoint(
        "api-marketing-campaign-contacts",
        allowed=CONTACTS_VIEW,
        api=True,
        **_seq("contacts/", _launched, api=True),
    ),
    Endpoint(
        "api-marketing-campaign-contacts",
        allowed=LAUNCH,
        api=True,
        method="post",
        data=lambda w: {"contacts": [{"email": "matrix@customer.example"}], "consent": True},
        **_seq("contacts/", _launched, api=True),
    ),
    Endpoint(
        "api-marketing-campaign-contact",
        allowed=LAUNCH,
        api=True,
        method="delete",
        **_o(_contact_url("/api/v1/marketing/campaigns"), _with_contacts),
    ),
    Endpoint(
        "api-marketing-campaign-sequence",
        allowed=PROGRAM,
        api=True,
        **_seq("sequence/", _launched, api=True),
    ),
    Endpoint(
        "api-marketing-campaign-sequence-start",
        allowed=LAUNCH,
        api=True,
        method="post",
        **_seq("sequence/start/", _with_contacts, api=True),
    ),
    Endpoint(
        "api-marketing-campaign-sequence-pause",
        allowed=LAUNCH,
        api=True,
        method="post",
        **_seq("sequence/pause/", _sending, api=True),
    ),
    Endpoint(
        "api-marketing-campaign-sequence-resume",
        allowed=LAUNCH,
        api=True,
        method="post",
        **_seq("sequence/resume/", _paused, api=True),
    ),
]

# Bounces reported by the tenant's mail provider: staff who manage marketing (an integration
# key); tests/marketing/test_bounces.py covers what they do.
ENDPOINTS += [
    Endpoint(
        "api-marketing-bounces",
        lambda w: "/api/v1/marketing/bounces/",
        STAFF,
        api=True,
        method="post",
        data=lambda w: {"emails": ["nobody@customer.example"]},
    ),
]

# The e-mails' public pages: tests/marketing/test_sequence.py covers them.
PUBLIC_URL_NAMES |= {"campaign-logo", "campaign-unsubscribe"}
