"""The partners CSV importer, registered with the import framework (prm.imports) when the
partners app is ready. Matched by name (unique per tenant); `check` validates a row without
writing (the app's own validators and model `full_clean`), `write` calls the partner
services, which audit every change."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partners import services
from partners.domains import registrable_domain
from partners.models import Partner, PartnerStatus, PartnerType, Region, Tier
from partners.states import PARTNER_STATUS
from prm.errors import DomainError
from prm.imports import Importer, Plan, choice, country, limited, register

# --- Partners -------------------------------------------------------------------------------


def _partner_context(member) -> dict:
    return {
        "tiers": {t.name.lower(): t for t in Tier.objects.all()},
        "partners": {
            p.name.lower(): p for p in Partner.objects.prefetch_related("domain_set").all()
        },
    }


def _partner_check(row: dict, ctx: dict) -> Plan:
    name = row["name"]
    if not name:
        raise DomainError(_("Enter the company name."), field="name")
    values = {"name": limited(name, 200, "name"), "_key": name.lower()}
    if row["type"]:
        values["partner_type"] = choice(row["type"], PartnerType.choices, "type")
    if row["region"]:
        values["region"] = choice(row["region"], Region.choices, "region")
    if row["country"]:
        values["country"] = country(row["country"])
    if row["tier"]:
        tier = ctx["tiers"].get(row["tier"].lower())
        if tier is None:
            raise DomainError(
                _("Unknown tier. Use one of: %(t)s.")
                % {"t": ", ".join(t.name for t in ctx["tiers"].values()) or "—"},
                field="tier",
            )
        values["tier"] = tier
    if row["domain"]:
        domain = registrable_domain(row["domain"])
        if not domain:
            raise DomainError(_("Enter a domain such as example.com."), field="domain")
        values["domain"] = domain
    if row["status"]:
        values["status"] = choice(row["status"], PartnerStatus.choices, "status")
    existing = ctx["partners"].get(name.lower())
    if existing is None:
        if "partner_type" not in values:
            raise DomainError(_("Give the type of a new partner."), field="type")
        return Plan("create", name, values)
    changes = {
        f: values[f]
        for f in ("partner_type", "region", "country", "status", "tier")
        if f in values and getattr(existing, f) != values[f]
    }
    if "domain" in values and values["domain"] not in existing.domains:
        changes["domain"] = values["domain"]
    if "status" in changes and changes["status"] not in PARTNER_STATUS.targets(existing.status):
        raise DomainError(
            _("A partner cannot move from %(a)s to %(b)s.")
            % {"a": existing.status, "b": changes["status"]},
            field="status",
        )
    values.update(partner=existing, changes=changes)
    return Plan("update" if changes else "unchanged", name, values)


def _partner_write(plan: Plan, ctx: dict) -> str:
    by, v = ctx["member"], plan.values
    reason = _("CSV import")
    if plan.action == "create":
        partner = services.partner_create(
            tenant=by.tenant,
            by=by,
            name=v["name"],
            partner_type=v["partner_type"],
            status=v.get("status", PartnerStatus.APPLICANT),
            region=v.get("region", ""),
            country=v.get("country", ""),
            domains=[v["domain"]] if v.get("domain") else [],
        )
        if v.get("tier"):
            services.partner_set_tier(partner=partner, by=by, tier=v["tier"], reason=reason)
        ctx["partners"][v["_key"]] = partner
        return "created"
    partner, changes = v["partner"], v["changes"]
    profile = {f: changes[f] for f in ("partner_type", "region", "country") if f in changes}
    if profile:
        partner = services.partner_update(partner=partner, by=by, **profile)
    if "domain" in changes:
        services.partner_set_domains(
            partner=partner, by=by, domains=[*partner.domains, changes["domain"]]
        )
    if "status" in changes:
        partner = services.partner_transition(
            partner=partner, by=by, to=changes["status"], reason=reason
        )
    if "tier" in changes:
        partner = services.partner_set_tier(
            partner=partner, by=by, tier=changes["tier"], reason=reason
        )
    return "updated"


register(
    Importer(
        kind="partners",
        label=gettext_lazy("Partners"),
        capability="program.manage",
        columns=("name", "domain", "type", "tier", "region", "country", "status"),
        required=("name",),
        check=_partner_check,
        write=_partner_write,
        context=_partner_context,
        back_url="partner-list",
        help=gettext_lazy(
            "One partner per row, matched by name: new names are created, known ones updated. "
            "type: reseller, referral, system_integrator, isv, msp or influencer; tier: the "
            "name of one of your tiers; region: na, latam, emea or apac."
        ),
    )
)
