"""The API's JSON renderer: DRF's output, byte for byte, written by orjson.

DRF's `JSONRenderer` runs the standard library's encoder over the response (about 1 ms of a
50-row list's ~12 ms). orjson writes the same compact UTF-8 JSON in a tenth of that. Where
the two could differ, the response is rendered by DRF's renderer instead, so the bytes never
change:

* types orjson does not know, and datetimes, dates and times (DRF trims a time's
  microseconds, writes UTC as `Z`), go through DRF's own `JSONEncoder.default`;
* anything orjson refuses (keys that are not strings, integers beyond 64 bits, lone
  surrogates, nesting beyond its limit, a type DRF refuses too) is rendered by DRF, which
  converts or raises exactly as before;
* floats: orjson writes 1e-5 as `0.00001` and 1e-7 as `1e-7`, Python as `1e-05` and
  `1e-07`; an output that may hold such a number (`0.0000`, or a one-digit negative
  exponent) is rendered again by DRF. Every other float is written the same (shortest
  round-trip digits). NaN and infinities, which DRF refuses (`STRICT_JSON`), come out as
  `null`: no response of ours holds one.
* an indented response (`Accept: application/json; indent=4`) is DRF's.

U+2028 and U+2029 are escaped as DRF escapes them. tests/prm/test_api_renderer.py compares
the two renderers on every kind of value.
"""

from __future__ import annotations

import re

import orjson
from rest_framework import renderers

_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
# Numbers orjson may write differently from Python's repr (see above). Text that happens to
# look like them only costs a second rendering.
_FLOAT_MAY_DIFFER = re.compile(rb"0\.0000|[0-9]e-[0-9](?![0-9])")
_LINE_SEPARATORS = b"\xe2\x80"  # the UTF-8 prefix of U+2028 and U+2029 (and of others)


class JSONRenderer(renderers.JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        plain = not (self.ensure_ascii or not self.compact or not self.strict)
        if plain and self.get_indent(accepted_media_type, renderer_context or {}) is None:
            try:
                out = orjson.dumps(data, default=self.encoder_class().default, option=_OPTIONS)
            except (TypeError, ValueError):  # orjson.JSONEncodeError, or raised by default()
                out = None
            if out is not None and not _FLOAT_MAY_DIFFER.search(out):
                if _LINE_SEPARATORS in out:
                    out = out.replace(b"\xe2\x80\xa8", b"\\u2028").replace(
                        b"\xe2\x80\xa9", b"\\u2029"
                    )
                return out
        return super().render(data, accepted_media_type, renderer_context)
