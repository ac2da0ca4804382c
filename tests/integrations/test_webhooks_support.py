"""A real HTTP receiver on loopback for the webhook tests, and the signature check from
docs/webhooks.md (kept identical, so the documented example is the tested one)."""

from __future__ import annotations

import hashlib
import hmac
import http.server
import threading
import time
from dataclasses import dataclass, field

import pytest


def verify(secret: str, header: str, body: bytes, tolerance: int = 300) -> bool:
    """The receiver-side check documented in docs/webhooks.md."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (ValueError, KeyError):
        return False
    if abs(time.time() - timestamp) > tolerance:
        return False  # too old (or from the future): a replay
    expected = hmac.new(
        secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(expected, parts.get("v1", ""))


@dataclass
class Receiver:
    url: str
    requests: list = field(default_factory=list)  # (headers dict, body bytes)
    # Status codes to answer, in order; the last one repeats.
    codes: list = field(default_factory=lambda: [200])
    delay: float = 0.0

    def next_code(self) -> int:
        return self.codes.pop(0) if len(self.codes) > 1 else self.codes[0]


@pytest.fixture
def receiver():
    state: dict = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's naming
            rec = state["receiver"]
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            rec.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
            if rec.delay:
                time.sleep(rec.delay)
            self.send_response(rec.next_code())
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state["receiver"] = Receiver(url=f"http://127.0.0.1:{server.server_address[1]}/hook")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state["receiver"]
    server.shutdown()
    server.server_close()
