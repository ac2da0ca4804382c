"""A fake of the outside world's DNS: a dnspython-compatible resolver answering from a dict.

Test settings name FakeResolver (settings.PRM_DNS_RESOLVER), so no test ever asks the real
DNS. Publish with `publish(name, value)`, take down with `unpublish(name)`; names listed in
FAILING time out. The `dns` fixture (tests/conftest.py) empties it around each test."""

from __future__ import annotations

import dns.rdata
import dns.resolver

RECORDS: dict[str, list[str]] = {}
FAILING: set[str] = set()


def publish(name: str, value: str) -> None:
    RECORDS.setdefault(name.lower().rstrip("."), []).append(value)


def unpublish(name: str) -> None:
    RECORDS.pop(name.lower().rstrip("."), None)


def publish_for(host) -> None:
    """Publish the TXT record that proves control of `host` (a TenantHost)."""
    publish(host.record_name, host.record_value)


def reset() -> None:
    RECORDS.clear()
    FAILING.clear()


class FakeResolver:
    def resolve(self, qname, rdtype="A", rdclass="IN", lifetime=None, **kwargs):
        name = str(qname).lower().rstrip(".")
        if name in FAILING:
            raise dns.resolver.LifetimeTimeout(timeout=lifetime or 0.0, errors=[])
        values = RECORDS.get(name)
        if not values:
            raise dns.resolver.NXDOMAIN()
        # Real rdata objects, as dnspython's Answer holds them.
        return [
            dns.rdata.from_text("IN", rdtype, '"' + v.replace('"', '\\"') + '"') for v in values
        ]


def verified_host(tenant, admin, host: str):
    """Claim `host` for `tenant` as `admin`, publish its record and verify it (the way an
    admin would: add, publish in their DNS, "Verify now")."""
    from prm import hosts
    from prm.tenancy import tenant_context

    with tenant_context(tenant):
        th = hosts.tenant_host_add(tenant=tenant, by=admin, host=host)
        publish_for(th)
        return hosts.tenant_host_verify(tenant=tenant, by=admin, host_id=th.pk)
