"""Rows the people-mapping tests need from the account map (accounts, overlaps, sharing
rules), made in this one file. Call inside tenant_context."""

from __future__ import annotations

from accountmap.models import Account, Overlap, SharingRule
from partners.domains import normalise_company_name


def account(tenant, name, *, partner=None, status="customer", country="", region="", **kw):
    return Account.objects.create(
        tenant=tenant,
        partner=partner,
        name=name,
        name_normalised=normalise_company_name(name),
        domain=kw.pop("domain", name.lower().replace(" ", "") + ".example"),
        status=status,
        country=country,
        region=region,
        **kw,
    )


def overlap(vendor_account, partner_account):
    return Overlap.objects.create(
        tenant_id=vendor_account.tenant_id,
        partner_id=partner_account.partner_id,
        vendor_account=vendor_account,
        partner_account=partner_account,
        matched_on="domain",
    )


def share(tenant, *, side, status, level, partner=None, fields=()):
    """One cell of the sharing matrix (side "vendor" or "partner")."""
    rule, _new = SharingRule.objects.update_or_create(
        tenant=tenant,
        side=side,
        partner=partner,
        status=status,
        population=None,
        defaults={"level": level, "fields": list(fields)},
    )
    return rule
