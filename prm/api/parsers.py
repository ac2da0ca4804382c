"""The API's JSON parser: DRF's, but a body nested too deeply for Python's decoder (JSON
arrays 1,000 deep) is a 400 `parse_error`, not a RecursionError and a 500."""

from __future__ import annotations

import io

from rest_framework import parsers
from rest_framework.exceptions import ParseError

# Deeper than any body of the API; checked before decoding, so no recursion happens at all.
MAX_DEPTH = 64


def _too_deep(raw: bytes) -> bool:
    """Whether brackets outside strings nest deeper than MAX_DEPTH. Bodies with few brackets
    (nearly all) are passed by two counts at C speed; only the others are scanned."""
    if raw.count(b"[") + raw.count(b"{") <= MAX_DEPTH:
        return False
    depth = 0
    in_string = escaped = False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > MAX_DEPTH:
                return True
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return False


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read() if stream is not None else b""
        if _too_deep(raw):
            raise ParseError(f"JSON parse error - nested deeper than {MAX_DEPTH} levels.")
        try:
            return super().parse(io.BytesIO(raw), media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - nested too deeply.") from None
