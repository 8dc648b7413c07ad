"""json.loads, faster where that changes nothing: orjson reads the document when it can, and
the standard library reads what orjson refuses (NaN, 1e400, lone surrogates, a byte-order mark,
UTF-16) or would read differently (integers beyond 64 bits, which orjson turns into floats)."""

from __future__ import annotations

import json
import re
from typing import Any

import orjson

_LONG_DIGITS = {bytes: re.compile(rb"[0-9]{19}"), str: re.compile(r"[0-9]{19}")}


def loads(document: bytes | str) -> Any:
    """What ``json.loads(document)`` returns (or raises)."""
    digits = _LONG_DIGITS.get(type(document))
    if digits is not None and not digits.search(document):
        try:
            return orjson.loads(document)
        except orjson.JSONDecodeError:
            pass
    return json.loads(document)
