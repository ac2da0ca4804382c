"""Security issue #15, item 9: webhook delivery is safe against DNS rebinding. The host is
resolved once, every address is checked, and the connection goes to exactly the checked
address with the URL's host name in the Host header.

The outside world is faked at its edges only: DNS (`socket.getaddrinfo`, answers of our own
choosing per call) and the network beyond this machine (`fence`: a connection to any address
outside 127.0.0.0/8 is refused before a packet leaves, and recorded). No test here connects
anywhere but loopback."""

from __future__ import annotations

import datetime
import http.server
import ipaddress
import socket
import ssl
import threading
from dataclasses import dataclass, field

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.test import override_settings

from integrations.models import WebhookDelivery
from prm.tenancy import tenant_context
from tests.conftest import api_client
from tests.dealreg.test_dealreg import register
from tests.integrations import test_webhooks_support as support
from tests.integrations.test_webhooks import relay

pytestmark = pytest.mark.django_db
receiver = support.receiver  # the loopback receiver fixture

HOST = "hooks.rebind.test"
PUBLIC = "93.184.216.34"  # looks public to the check; the fence refuses to connect to it
ENDPOINTS = "/api/v1/webhook-endpoints/"


@dataclass
class FakeDNS:
    """Answers for HOST in turn (the last one repeats); other names resolve for real."""

    answers: list = field(default_factory=list)  # one list of IPs per look-up
    calls: int = 0

    def getaddrinfo(self, real, host, port, *args, **kwargs):
        if host != HOST:
            return real(host, port, *args, **kwargs)
        ips = self.answers[min(self.calls, len(self.answers) - 1)]
        self.calls += 1
        port = int(port or 0)
        return [
            (socket.AF_INET6, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (ip, port, 0, 0))
            if ":" in ip
            else (socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (ip, port))
            for ip in ips
        ]


@pytest.fixture
def dns(monkeypatch):
    fake = FakeDNS()
    real = socket.getaddrinfo
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **kw: fake.getaddrinfo(real, *a, **kw))
    return fake


@pytest.fixture
def fence(monkeypatch):
    """Connections outside loopback never happen: refused (and recorded) before connect."""
    attempts: list = []
    real_connect = socket.socket.connect

    def connect(sock, address):
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            if not ipaddress.ip_address(address[0].split("%")[0]).is_loopback:
                attempts.append((address[0], address[1]))
                raise ConnectionRefusedError(f"test fence: no connection to {address[0]}")
        return real_connect(sock, address)

    def connect_ex(sock, address):
        try:
            connect(sock, address)
        except OSError as exc:
            return exc.errno or 111
        return 0

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    return attempts


@pytest.fixture
def listener():
    """A bare TCP listener on loopback that records (and drops) every connection."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    seen: list = []
    stop = threading.Event()

    def accept():
        while not stop.is_set():
            try:
                conn, peer = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            seen.append(peer)
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1], seen
    stop.set()
    thread.join()
    server.close()


def delivery(world) -> WebhookDelivery:
    with tenant_context(world.tenant):
        return WebhookDelivery.objects.get()


def create_endpoint(world, url):
    return api_client(world.tenant, world.admin).post(
        ENDPOINTS, {"url": url, "event_types": ["deal.approved"]}, format="json"
    )


def test_a_name_rebound_to_loopback_after_the_check_never_reaches_loopback(
    world, dns, fence, listener
):
    """The attack: the admin registers a name whose DNS answers a public address while it is
    checked and 127.0.0.1 when the HTTP client looks it up again to connect."""
    port, connections = listener
    dns.answers = [[PUBLIC], [PUBLIC], ["127.0.0.1"]]
    with override_settings(PRM_WEBHOOKS_ALLOW_PRIVATE=False):
        resp = create_endpoint(world, f"https://{HOST}:{port}/hook")
        assert resp.status_code == 201, resp.json()
        register(world)
        relay(world)
    assert connections == []  # loopback was never reached
    assert fence == [(PUBLIC, port)]  # the one connection tried went to the checked address
    assert dns.calls == 2  # once for the registration, once for the delivery
    assert not delivery(world).delivered_at


def test_a_private_answer_at_delivery_time_is_refused_without_connecting(
    world, dns, fence, listener
):
    port, connections = listener
    dns.answers = [[PUBLIC], ["127.0.0.1"]]
    with override_settings(PRM_WEBHOOKS_ALLOW_PRIVATE=False):
        assert create_endpoint(world, f"https://{HOST}:{port}/hook").status_code == 201
        register(world)
        relay(world)
    assert connections == [] and fence == []
    assert delivery(world).error == f"refused: {HOST} resolves to 127.0.0.1"


def test_every_address_of_an_answer_is_checked(world, dns, fence):
    dns.answers = [[PUBLIC, "127.0.0.1"]]
    with override_settings(PRM_WEBHOOKS_ALLOW_PRIVATE=False):
        resp = create_endpoint(world, f"https://{HOST}/hook")
    assert resp.status_code == 400 and set(resp.json()["errors"]) == {"url"}
    assert fence == []


@pytest.mark.parametrize(
    "host",
    [
        "[::ffff:127.0.0.1]",  # IPv4-mapped loopback
        "[::ffff:a9fe:a9fe]",  # IPv4-mapped 169.254.169.254
        "[64:ff9b::a9fe:a9fe]",  # NAT64 of the metadata address
        "[2002:7f00:1::]",  # 6to4 of 127.0.0.1
        "[2002:a00:1::]",  # 6to4 of 10.0.0.1
        "[fec0::1]",  # IPv6 site-local
        "[ff0e::1]",  # IPv6 global multicast
        "[::]",
        "0.0.0.0",
        "224.0.0.1",  # multicast
        "233.252.0.1",  # multicast (MCAST-TEST-NET)
        "240.0.0.1",  # reserved
        "100.64.0.1",  # shared address space (carrier-grade NAT)
        "198.18.0.1",  # benchmarking
    ],
)
def test_non_public_addresses_are_refused_when_registering(world, fence, host):
    with override_settings(PRM_WEBHOOKS_ALLOW_PRIVATE=False):
        resp = create_endpoint(world, f"https://{host}/hook")
    assert resp.status_code == 400 and set(resp.json()["errors"]) == {"url"}
    assert fence == []


def test_the_request_goes_to_the_checked_address_with_the_host_name_in_host(
    world, dns, fence, receiver
):
    """Loopback allowed (as in the test settings): the first answer is the receiver, a second
    look-up would answer 127.0.0.2, where nothing listens. The delivery arrives, named for the
    host, and the name was looked up once."""
    port = int(receiver.url.rsplit(":", 1)[1].split("/")[0])
    dns.answers = [["127.0.0.1"], ["127.0.0.2"]]
    assert create_endpoint(world, f"http://{HOST}:{port}/hook?x=1").status_code == 201
    register(world)
    relay(world)
    assert len(receiver.requests) == 1
    headers, _body = receiver.requests[0]
    assert headers["host"] == f"{HOST}:{port}"
    assert dns.calls == 1 and fence == []
    assert delivery(world).delivered_at is not None


class _Redirect(http.server.BaseHTTPRequestHandler):
    target = ""

    def do_POST(self):  # noqa: N802 - http.server's naming
        self.send_response(307)
        self.send_header("Location", self.target)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_a_redirect_is_not_followed(world, listener):
    port, connections = listener
    handler = type("Handler", (_Redirect,), {"target": f"http://127.0.0.1:{port}/elsewhere"})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/hook"
        assert create_endpoint(world, url).status_code == 201
        register(world)
        relay(world)
    finally:
        server.shutdown()
        server.server_close()
    assert connections == []
    assert delivery(world).response_code == 307 and delivery(world).error == "HTTP 307"


# --- HTTPS: SNI and the certificate check use the host name, not the address --------------


def _certificates(tmp_path, name: str):
    """A CA of our own (the receiver's world) and a server certificate for `name`."""
    now = datetime.datetime.now(datetime.UTC)

    def build(subject, issuer, key, sign_key, *, ca: bool, san=None):
        b = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
            .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
            )
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(sign_key.public_key()),
                critical=False,
            )
        )
        if ca:
            b = b.add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
        if san:
            b = b.add_extension(x509.SubjectAlternativeName([x509.DNSName(san)]), critical=False)
        return b.sign(sign_key, hashes.SHA256())

    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = build("PRM test CA", "PRM test CA", ca_key, ca_key, ca=True)
    cert = build(name, "PRM test CA", key, ca_key, ca=False, san=name)
    pem = serialization.Encoding.PEM
    (tmp_path / "ca.pem").write_bytes(ca.public_bytes(pem))
    (tmp_path / "server.pem").write_bytes(
        cert.public_bytes(pem)
        + key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return tmp_path / "ca.pem", tmp_path / "server.pem"


@pytest.fixture
def tls_receiver(tmp_path, monkeypatch):
    """An HTTPS receiver on loopback with a certificate (from a CA the client is told to
    trust through SSL_CERT_FILE) for the name the test asks for; records the SNI it saw."""
    servers = []

    def start(name: str):
        ca, chain = _certificates(tmp_path, name)
        monkeypatch.setenv("SSL_CERT_FILE", str(ca))
        seen = {"sni": [], "requests": []}

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length", 0))
                seen["requests"].append(
                    ({k.lower(): v for k, v in self.headers.items()}, self.rfile.read(length))
                )
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(chain)
        ctx.sni_callback = lambda _sock, server_name, _ctx: seen["sni"].append(server_name)
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server.server_address[1], seen

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_https_sends_the_host_name_as_sni_and_verifies_the_certificate_for_it(
    world, dns, fence, tls_receiver
):
    port, seen = tls_receiver(HOST)
    dns.answers = [["127.0.0.1"], ["127.0.0.2"]]
    assert create_endpoint(world, f"https://{HOST}:{port}/hook").status_code == 201
    register(world)
    relay(world)
    assert seen["sni"] == [HOST] and len(seen["requests"]) == 1
    assert seen["requests"][0][0]["host"] == f"{HOST}:{port}"
    assert delivery(world).delivered_at is not None and dns.calls == 1 and fence == []


def test_https_refuses_a_certificate_for_another_name(world, dns, fence, tls_receiver):
    port, seen = tls_receiver("someone-else.test")
    dns.answers = [["127.0.0.1"]]
    assert create_endpoint(world, f"https://{HOST}:{port}/hook").status_code == 201
    register(world)
    relay(world)
    assert seen["requests"] == []
    d = delivery(world)
    assert d.delivered_at is None and "hostname mismatch" in d.error.lower(), d.error
