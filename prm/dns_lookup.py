"""The one place PRM asks the DNS anything (custom-domain verification, prm.hosts).

The resolver is a dnspython `Resolver` (settings.PRM_DNS_RESOLVER names its class), so tests
swap in a fake of the outside world (tests/fake_dns.py) and never touch the network."""

from __future__ import annotations

import dns.exception
import dns.resolver
from django.conf import settings
from django.utils.module_loading import import_string


class LookupFailed(Exception):
    """The DNS gave no authoritative answer (time-out, SERVFAIL): try again later."""


def resolver():
    return import_string(settings.PRM_DNS_RESOLVER)()


def txt_values(name: str) -> list[str]:
    """The TXT strings published at `name` ([] when the name or the record does not exist).
    Raises LookupFailed when the DNS could not say."""
    try:
        answer = resolver().resolve(name, "TXT", lifetime=settings.PRM_DNS_TIMEOUT)
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        return []
    except dns.exception.DNSException as exc:
        raise LookupFailed(exc.__class__.__name__) from exc
    # A TXT record is one or more character strings (255 bytes each), meant to be joined.
    return [b"".join(rdata.strings).decode("utf-8", "replace") for rdata in answer]
