"""Writes of campaigns (issue #21): staff build, publish and retire campaign kits; a partner's
admin launches a published kit and gets a campaign with a code the product issues; the public
landing page counts views, clicks and form fills and turns a consented form into a lead owned
by the campaign's partner (dealreg's lead service). Every state change is audited."""

from __future__ import annotations

import datetime
import secrets

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dealreg.services.leads import lead_create, lead_route
from marketing import cobrand
from marketing.campaign_models import Campaign, CampaignKit, CampaignLead, KitStatus
from marketing.language import AssetLanguage
from marketing.models import Asset
from marketing.services import status_move
from marketing.states import CAMPAIGN_KIT
from mdf.models import ActivityType
from prm import events
from prm.audit import log_action
from prm.errors import DomainError, limited
from prm.models import Member
from prm.roles import require
from prm.tenancy import hit_execute, telemetry

MAX_STEPS = 10
MAX_POSTS = 10
MAX_DELAY_DAYS = 365
# Codes read aloud and typed from print: no 0/O, 1/I/L.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8
COUNTERS = ("views", "clicks", "form_fills")


def _steps(steps) -> list[dict]:
    out = []
    for i, step in enumerate(steps or ()):
        field = f"email_steps.{i}"
        if not isinstance(step, dict):
            raise DomainError(_("Each e-mail step needs a subject and a text."), field=field)
        subject = limited(str(step.get("subject") or "").strip(), 200, field)
        body = cobrand.sanitise(limited(str(step.get("body") or ""), 20000, field))
        if not subject or not body.strip():
            raise DomainError(_("Each e-mail step needs a subject and a text."), field=field)
        cobrand.check_placeholders(body, field=field)
        try:
            delay = int(step.get("delay_days") or 0)
        except (TypeError, ValueError):
            delay = -1
        if not 0 <= delay <= MAX_DELAY_DAYS:
            raise DomainError(
                _("The delay is a number of days from 0 to %(n)s.") % {"n": MAX_DELAY_DAYS},
                field=field,
            )
        out.append({"subject": subject, "body": body, "delay_days": delay})
    if len(out) > MAX_STEPS:
        raise DomainError(_("At most %(n)s e-mail steps.") % {"n": MAX_STEPS}, field="email_steps")
    return out


def _posts(posts) -> list[str]:
    if isinstance(posts, str):
        posts = posts.split("\n---\n")
    out = []
    for post in posts or ():
        post = str(post).strip()
        if not post:
            continue
        out.append(limited(post, 2000, "social_posts"))
        if "{link}" not in post:
            raise DomainError(
                _("Each social post needs the {link} placeholder for the campaign's link."),
                field="social_posts",
            )
    if len(out) > MAX_POSTS:
        raise DomainError(_("At most %(n)s social posts.") % {"n": MAX_POSTS}, field="social_posts")
    return out


def _kit_fields(
    tenant_id: int,
    *,
    name: str,
    landing_headline: str,
    landing_body: str,
    description: str = "",
    lead_form: bool = True,
    language: str = AssetLanguage.EN,
    email_steps=(),
    social_posts=(),
    assets=(),
    mdf_activity_type: str = "",
) -> tuple[dict, list[Asset]]:
    name = limited((name or "").strip(), 200, "name")
    if not name:
        raise DomainError(_("Give the campaign kit a name."), field="name")
    headline = limited((landing_headline or "").strip(), 200, "landing_headline")
    if not headline:
        raise DomainError(_("Write the landing page's headline."), field="landing_headline")
    body = cobrand.sanitise(limited(landing_body or "", 50000, "landing_body"))
    if not body.strip():
        raise DomainError(_("Write the landing page's text."), field="landing_body")
    cobrand.check_placeholders(body, field="landing_body")
    if language not in AssetLanguage.values:
        raise DomainError(_("Choose a language from the list."), field="language")
    if mdf_activity_type and mdf_activity_type not in ActivityType.values:
        raise DomainError(_("Choose an MDF activity from the list."), field="mdf_activity_type")
    assets = list(assets or ())
    if any(a.tenant_id != tenant_id for a in assets):
        raise DomainError(_("Choose assets from the library."), field="assets")
    data = {
        "name": name,
        "description": cobrand.sanitise(limited(description or "", 20000, "description")),
        "landing_headline": headline,
        "landing_body": body,
        "lead_form": bool(lead_form),
        "language": language,
        "email_steps": _steps(email_steps),
        "social_posts": _posts(social_posts),
        "mdf_activity_type": mdf_activity_type or "",
    }
    return data, assets


def kit_values(kit: CampaignKit) -> dict:
    """The kit's editable fields as campaign_kit_update takes them (the edit form's
    initial values, and what an API PATCH leaves alone)."""
    return {
        "name": kit.name,
        "description": kit.description,
        "landing_headline": kit.landing_headline,
        "landing_body": kit.landing_body,
        "lead_form": kit.lead_form,
        "language": kit.language,
        "email_steps": list(kit.email_steps),
        "social_posts": list(kit.social_posts),
        "assets": list(kit.assets.all()),
        "mdf_activity_type": kit.mdf_activity_type,
    }


def _kit_snapshot(kit: CampaignKit) -> dict:
    return {
        "name": kit.name,
        "status": kit.status,
        "landing_headline": kit.landing_headline,
        "lead_form": kit.lead_form,
        "language": kit.language,
        "email_steps": len(kit.email_steps),
        "social_posts": len(kit.social_posts),
        "assets": sorted(kit.assets.values_list("pk", flat=True)) if kit.pk else [],
        "mdf_activity_type": kit.mdf_activity_type,
    }


@transaction.atomic
def campaign_kit_create(*, by: Member, **fields) -> CampaignKit:
    require(by, "marketing.manage")
    data, assets = _kit_fields(by.tenant_id, **fields)
    kit = CampaignKit.objects.create(tenant_id=by.tenant_id, created_by=by, **data)
    kit.assets.set(assets, through_defaults={"tenant_id": kit.tenant_id})
    log_action("marketing.campaign_kit.created", obj=kit, after=_kit_snapshot(kit))
    return kit


def _locked(kit: CampaignKit) -> CampaignKit:
    return CampaignKit.objects.select_for_update().get(pk=kit.pk)


@transaction.atomic
def campaign_kit_update(*, kit: CampaignKit, by: Member, **fields) -> CampaignKit:
    kit = _locked(kit)
    CAMPAIGN_KIT.check(kit, by, "edit")
    before = _kit_snapshot(kit)
    data, assets = _kit_fields(by.tenant_id, **fields)
    for key, value in data.items():
        setattr(kit, key, value)
    kit.updated_at = timezone.now()
    kit.save()
    kit.assets.set(assets, through_defaults={"tenant_id": kit.tenant_id})
    log_action("marketing.campaign_kit.updated", obj=kit, before=before, after=_kit_snapshot(kit))
    return kit


@transaction.atomic
def campaign_kit_publish(*, kit: CampaignKit, by: Member) -> CampaignKit:
    return status_move(
        kit, machine=CAMPAIGN_KIT, by=by, name="publish", code="marketing.campaign_kit.published"
    )


@transaction.atomic
def campaign_kit_retire(*, kit: CampaignKit, by: Member) -> CampaignKit:
    return status_move(
        kit, machine=CAMPAIGN_KIT, by=by, name="retire", code="marketing.campaign_kit.retired"
    )


def new_code() -> str:
    """A fresh campaign code, unique in the tenant (the constraint guards the race)."""
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))
        if not Campaign.objects.filter(code=code).exists():
            return code


@transaction.atomic
def campaign_launch(*, kit: CampaignKit, by: Member) -> Campaign:
    """The partner admin's launch of a published kit: one campaign per kit and partner, with
    a code the product issues."""
    kit = _locked(kit)
    CAMPAIGN_KIT.check(kit, by, "launch")
    if Campaign.objects.filter(kit=kit, partner_id=by.partner_id).exists():
        raise DomainError(_("Your company has already launched this campaign."))
    campaign = Campaign.objects.create(
        tenant_id=kit.tenant_id, kit=kit, partner_id=by.partner_id, code=new_code(), launched_by=by
    )
    log_action(
        "marketing.campaign.launched",
        obj=campaign,
        after={"kit": kit.pk, "partner": by.partner_id, "code": campaign.code},
    )
    events.emit("campaign.launched", campaign)
    return campaign


# A hit on the running total (CTE `hit`, rows (tenant_id, id)) added to the campaign's day in
# the same statement (one round trip per hit). The counter is one of COUNTERS (checked),
# never input.
DAY_UPSERT = """
INSERT INTO marketing_campaignday AS d (tenant_id, campaign_id, day, views, clicks, form_fills)
SELECT tenant_id, id, %(day)s, {views}, {clicks}, {form_fills} FROM hit
ON CONFLICT (tenant_id, campaign_id, day) DO UPDATE SET {c} = d.{c} + 1
"""


def _day_upsert(counter: str) -> str:
    return DAY_UPSERT.format(c=counter, **{k: int(k == counter) for k in COUNTERS})


COUNT_STATEMENTS = {
    c: f"WITH hit AS (UPDATE marketing_campaign SET {c} = {c} + 1 WHERE id = %(id)s "  # noqa: S608
    f"RETURNING tenant_id, id) {_day_upsert(c)}"
    for c in COUNTERS
}
# Views and clicks are all their request writes (a form fill comes with its lead).
for _c in ("views", "clicks"):
    COUNT_STATEMENTS[_c] = telemetry(COUNT_STATEMENTS[_c])


def _today() -> datetime.date:
    """The day a hit counts on: the tenant's calendar day (requests and tasks run in the
    tenant's zone), the calendar an MDF activity period is written in."""
    return timezone.localdate()


def campaign_count(*, campaign_id: int, counter: str) -> None:
    """One page view, tracked click or form fill: the campaign's running total and its day
    (the tenant's), in a single statement."""
    if counter not in COUNTERS:
        raise ValueError(counter)
    with connection.cursor() as cur:
        hit_execute(cur, COUNT_STATEMENTS[counter], {"id": campaign_id, "day": _today()})


# A tracked click on the landing-page link, found, counted and answered in one statement:
# the campaign's partner name (for the landing page's path), or no row for an unknown code or
# a draft kit's campaign.
CLICK_SQL = f"""
WITH found AS (
    SELECT c.id, c.tenant_id, p.name FROM marketing_campaign c
    JOIN marketing_campaignkit k ON k.tenant_id = c.tenant_id AND k.id = c.kit_id
    JOIN partners_partner p ON p.tenant_id = c.tenant_id AND p.id = c.partner_id
    WHERE c.tenant_id = %(tenant)s AND c.code = %(code)s AND k.status <> 'draft'
), hit AS (
    UPDATE marketing_campaign m SET clicks = m.clicks + 1 FROM found
    WHERE m.tenant_id = found.tenant_id AND m.id = found.id RETURNING m.tenant_id, m.id
), counted AS ({_day_upsert("clicks")})
SELECT name FROM found
"""  # noqa: S608
CLICK_SQL = telemetry(CLICK_SQL)


def campaign_click(*, tenant_id: int, code: str) -> str | None:
    """A click on a campaign's tracked landing-page link: counted (running total and day) in
    the statement that finds the campaign. Returns the campaign partner's name, or None when
    the code is no public campaign of this tenant (nothing counted)."""
    with connection.cursor() as cur:
        hit_execute(cur, CLICK_SQL, {"tenant": tenant_id, "code": code.upper(), "day": _today()})
        row = cur.fetchone()
    return row[0] if row else None


# A landing page's campaign, found with a fingerprint of everything its page shows (the kit's
# page, the partner's name and website, its brand kit: a change to any of them is a new
# fingerprint, so a page kept under it is never stale) and its view counted in the same
# statement, but only when the partner's name is still %(name)s: the name the caller's path
# was checked against (the path holds the name's slug; a renamed partner's old path
# redirects and is not a view). A NULL name counts nothing.
LANDING_SQL = f"""
WITH found AS (
    SELECT c.id, c.tenant_id, p.name,
           md5(row(k.landing_headline, k.landing_body, k.lead_form, k.language,
                   p.name, p.website, b.*)::text) AS fingerprint
    FROM marketing_campaign c
    JOIN marketing_campaignkit k ON k.tenant_id = c.tenant_id AND k.id = c.kit_id
    JOIN partners_partner p ON p.tenant_id = c.tenant_id AND p.id = c.partner_id
    LEFT JOIN marketing_brandkit b ON b.tenant_id = c.tenant_id AND b.partner_id = c.partner_id
    WHERE c.tenant_id = %(tenant)s AND c.code = %(code)s AND k.status <> 'draft'
), hit AS (
    UPDATE marketing_campaign m SET views = m.views + 1 FROM found
    WHERE m.tenant_id = found.tenant_id AND m.id = found.id AND found.name = %(name)s
    RETURNING m.tenant_id, m.id
), counted AS ({_day_upsert("views")})
SELECT id, name, fingerprint, EXISTS (SELECT 1 FROM hit) FROM found
"""  # noqa: S608
LANDING_SQL = telemetry(LANDING_SQL)


def campaign_landing_view(
    *, tenant_id: int, code: str, count_if_named: str | None
) -> tuple[int, str, str, bool] | None:
    """A visit to a public landing page: (campaign id, partner name, content fingerprint,
    whether the view was counted), or None for no public campaign of this code. The view is
    counted in the finding statement when the partner is still named `count_if_named`;
    otherwise the caller checks its path against the name returned and counts with
    campaign_count."""
    with connection.cursor() as cur:
        hit_execute(
            cur,
            LANDING_SQL,
            {"tenant": tenant_id, "code": code.upper(), "name": count_if_named, "day": _today()},
        )
        return cur.fetchone()


@transaction.atomic
def campaign_lead_submit(
    *,
    campaign: Campaign,
    name: str,
    email: str,
    company: str,
    message: str = "",
    consent: bool,
    consent_text: str,
) -> CampaignLead:
    """A visitor's consented form on the campaign's landing page: a lead offered to the
    campaign's partner, recorded against the campaign."""
    if not consent:
        raise DomainError(_("Please agree to be contacted."), field="consent")
    if campaign.kit.status == KitStatus.DRAFT or not campaign.kit.lead_form:
        raise DomainError(_("This page takes no requests."))
    lead = lead_create(
        by=None,
        company=company,
        contact_name=limited((name or "").strip(), 150, "name"),
        contact_email=(email or "").strip(),
        notes=limited((message or "").strip(), 4000, "message"),
    )
    lead_route(
        lead=lead,
        to_partner=campaign.partner,
        why=_("Landing page of campaign %(code)s") % {"code": campaign.code},
    )
    row = CampaignLead.objects.create(
        tenant_id=campaign.tenant_id,
        campaign=campaign,
        lead=lead,
        consent_text=limited(consent_text, 500, "consent"),
    )
    campaign_count(campaign_id=campaign.pk, counter="form_fills")
    log_action(
        "marketing.campaign.lead_received",
        obj=campaign,
        after={"lead": lead.pk, "company": lead.company},
    )
    return row
