"""Outbound HTTP to a URL a tenant chose (webhook endpoints), safe against DNS rebinding.

The host is resolved once (`resolve`), every address it resolves to is checked (`is_public`),
and the TCP connection goes to exactly a checked address: the HTTP client never resolves the
name again, so a DNS server that answers a public address to the check and 127.0.0.1 to the
connection gets nowhere (security issue #15). The request still names the host: the `Host`
header, and for HTTPS the SNI and the certificate check, use the host name, not the address.

No proxy is used and redirects are never followed (a 3xx is the answer), so nothing reaches an
address that was not checked. Only the standard library's http.client is involved; the
connection classes below replace its `connect` and nothing else.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443}
MAX_BODY = 65536

Address = tuple[int, tuple]  # (socket family, socket address) as getaddrinfo gives them


class Refused(Exception):
    """The URL may not be requested (a non-public address, or a scheme we do not speak)."""


# --- Addresses ----------------------------------------------------------------------------

IP = ipaddress.IPv4Address | ipaddress.IPv6Address


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """IPv4 addresses an IPv6 address carries and may be routed to (6to4, Teredo)."""
    out = []
    if ip.sixtofour is not None:
        out.append(ip.sixtofour)
    if ip.teredo is not None:
        out.extend(ip.teredo)
    return out


def is_public(ip: IP) -> bool:
    """True for a globally reachable unicast address only: not private, loopback, link-local,
    site-local, multicast, reserved (which covers NAT64 and IPv4-compatible IPv6),
    unspecified or shared (100.64.0.0/10); an IPv4-mapped IPv6 address is judged by its IPv4
    address, 6to4 and Teredo addresses also by the IPv4 addresses they carry."""
    if ip.version == 6 and ip.ipv4_mapped is not None:
        return is_public(ip.ipv4_mapped)
    if (
        not ip.is_global
        or ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or getattr(ip, "is_site_local", False)
    ):
        return False
    if ip.version == 6:
        return all(is_public(v4) for v4 in _embedded_ipv4(ip))
    return True


def resolve(host: str, port: int) -> list[Address]:
    """Every TCP address of `host`, in the resolver's order. The one DNS look-up a request
    makes. Raises OSError (socket.gaierror) when the name does not resolve."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    seen, out = set(), []
    for family, _type, _proto, _name, sockaddr in infos:
        if family in (socket.AF_INET, socket.AF_INET6) and sockaddr not in seen:
            seen.add(sockaddr)
            out.append((family, sockaddr))
    if not out:
        raise socket.gaierror(f"{host} has no IPv4 or IPv6 address")
    return out


def _ip_of(address: Address) -> IP:
    return ipaddress.ip_address(address[1][0].split("%")[0])


def refused_address(addresses: list[Address]) -> str | None:
    """The first address that is not public, or None if every one is."""
    for address in addresses:
        ip = _ip_of(address)
        if not is_public(ip):
            return str(ip)
    return None


# --- Targets ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A URL resolved and checked: where to connect, and what to call the host."""

    scheme: str
    host: str  # the name (IDNA-encoded) for the Host header, SNI and the certificate
    port: int
    path: str
    addresses: tuple[Address, ...]  # every one checked


def target(url: str, *, allow_private: bool) -> Target:
    """Resolve the URL's host once and check every address (unless `allow_private`).
    Raises Refused, or OSError when the host does not resolve."""
    parts = urlsplit(url)
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        raise Refused(f"not an HTTP(S) URL: {url[:100]}")
    try:
        host = parts.hostname.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise Refused(f"invalid host name: {exc}") from None
    port = parts.port or DEFAULT_PORTS[parts.scheme]
    addresses = resolve(host, port)
    if not allow_private:
        bad = refused_address(addresses)
        if bad:
            raise Refused(f"{host} resolves to {bad}")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.scheme, host, port, path, tuple(addresses))


# --- Connections --------------------------------------------------------------------------


def _connect(addresses: tuple[Address, ...], timeout: float) -> socket.socket:
    """A TCP connection to the first of the checked addresses that answers."""
    error: OSError | None = None
    for family, sockaddr in addresses:
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.settimeout(timeout)
            sock.connect(sockaddr)
        except OSError as exc:
            sock.close()
            error = exc
            continue
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock
    raise error or OSError("no address to connect to")


class PinnedHTTPConnection(http.client.HTTPConnection):
    """http.client's connection to `host` (used for the Host header) over TCP to the checked
    addresses of a Target: `connect` never looks the name up again."""

    def __init__(self, target: Target, *, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout)
        self._addresses = target.addresses

    def connect(self) -> None:
        self.sock = _connect(self._addresses, self.timeout)


class PinnedHTTPSConnection(PinnedHTTPConnection):
    """The same over TLS: SNI and certificate verification (chain and host name) against the
    host name, never the address connected to."""

    default_port = 443

    def __init__(self, target: Target, *, timeout: float, context: ssl.SSLContext):
        super().__init__(target, timeout=timeout)
        self._tls = context

    def connect(self) -> None:
        super().connect()
        self.sock = self._tls.wrap_socket(self.sock, server_hostname=self.host)


def tls_context() -> ssl.SSLContext:
    """Verifying context (system trust store, or SSL_CERT_FILE / SSL_CERT_DIR when set)."""
    return ssl.create_default_context()


def post(url: str, *, body: bytes, headers: dict, timeout: float, allow_private: bool) -> int:
    """POST `body` to `url` (resolved once, checked, pinned); return the status code. Reads at
    most MAX_BODY bytes of the answer. Raises Refused, OSError (ssl.SSLError included) or
    http.client.HTTPException."""
    tgt = target(url, allow_private=allow_private)
    if tgt.scheme == "https":
        conn: PinnedHTTPConnection = PinnedHTTPSConnection(
            tgt, timeout=timeout, context=tls_context()
        )
    else:
        conn = PinnedHTTPConnection(tgt, timeout=timeout)
    try:
        conn.request("POST", tgt.path, body=body, headers=headers)
        resp = conn.getresponse()
        resp.read(MAX_BODY)
        return resp.status
    finally:
        conn.close()
