"""The API's orjson renderer writes exactly the bytes DRF's JSONRenderer writes, and fails
exactly where DRF's fails (prm/api/renderers.py)."""

from __future__ import annotations

import dataclasses
import datetime
import uuid
from decimal import Decimal

import pytest
from django.utils.translation import gettext_lazy
from rest_framework import renderers as drf_renderers

from prm.api.renderers import JSONRenderer
from tests.conftest import api_client

FAST = JSONRenderer()
DRF = drf_renderers.JSONRenderer()

TEXT = "".join(chr(i) for i in range(0x80)) + "\u2028\u2029é€😀\ufeff\U0010ffff"
UTC_NOON = datetime.datetime(2026, 3, 1, 12, 0, 0, 123456, tzinfo=datetime.UTC)
BERLIN = datetime.timezone(datetime.timedelta(hours=1))


@dataclasses.dataclass
class Point:
    x: int


class Bag:
    """Iterable only (DRF's encoder writes it as a list)."""

    def __iter__(self):
        return iter([1, "2"])


def _floats() -> list[float]:
    out = [0.0, -0.0, 0.1, 1 / 3, 2.5, 100.0, 1e15, 1e16, 1e22, 5e-324, 1.7976931348623157e308]
    for exp in range(-12, 0):
        out += [1.5 * 10**exp, 10.0**exp, 7.0000001 * 10**exp]
    return out


CASES = {
    "text": TEXT,
    "nested": {"a": [1, {"b": None, "c": True, "d": False}], "é": [], "": {}},
    "numbers": [0, -1, 2**63 - 1, -(2**63), 2**64 - 1],
    "floats": _floats(),
    "decimals": [Decimal("0"), Decimal("12.50"), Decimal("-0.01"), Decimal("1E-7")],
    "datetimes": [UTC_NOON, UTC_NOON.replace(microsecond=0), UTC_NOON.astimezone(BERLIN)],
    "naive": datetime.datetime(2026, 1, 2, 3, 4, 5),
    "date": datetime.date(2026, 12, 31),
    "times": [datetime.time(8, 30), datetime.time(8, 30, 15, 250999)],
    "timedelta": datetime.timedelta(days=1, seconds=3),
    "uuid": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "lazy": gettext_lazy("Won"),
    "tuple": (1, "two"),
    "set": {3},
    "iterable": Bag(),
    "bytes": b"raw",
    "a page": {
        "next": "http://t.example/api/v1/deals/?cursor=cD0yMDI2&page_size=50",
        "previous": None,
        "results": [{"id": 1, "amount": "1234.50", "created_at": "2026-03-01T12:00:00Z"}],
    },
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_renderer_writes_drf_bytes(name):
    data = CASES[name]
    assert FAST.render(data) == DRF.render(data)
    assert FAST.render({"k": data, "n": [data, data]}) == DRF.render({"k": data, "n": [data, data]})


def test_renderer_keeps_drf_for_what_orjson_cannot_write_alike():
    for data in [{1: "int key"}, {None: 1, 2.5: 2}, [2**64], [-(2**63) - 1], "\ud800"]:
        try:
            expected = DRF.render(data)
        except (TypeError, ValueError, UnicodeError) as exc:
            with pytest.raises(type(exc)):
                FAST.render(data)
        else:
            assert FAST.render(data) == expected


def test_renderer_refuses_what_drf_refuses():
    for data in [Point(1), object(), range(3), datetime.time(8, 0, tzinfo=datetime.UTC)]:
        with pytest.raises((TypeError, ValueError)) as drf_error:
            DRF.render([data])
        with pytest.raises(drf_error.type):
            FAST.render([data])


def test_renderer_indents_as_drf_when_asked():
    data = {"a": [1, 2], "b": "é"}
    media = "application/json; indent=4"
    assert FAST.render(data, media, {}) == DRF.render(data, media, {})
    assert b"\n    " in FAST.render(data, media, {})
    assert FAST.render(None) == b""


def test_api_responses_are_rendered_by_the_orjson_renderer(world):
    client = api_client(world.tenant, world.admin)
    resp = client.get("/api/v1/deals/?page_size=5")
    assert resp.status_code == 200
    assert isinstance(resp.accepted_renderer, JSONRenderer)
    assert resp.content == DRF.render(resp.data)
    error = client.get("/api/v1/deals/?status=nonsense")
    assert error.status_code == 400
    assert error.content == DRF.render(error.data)
