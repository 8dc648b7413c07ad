"""crawler.parsers.jsonload.loads must be json.loads, value for value and type for type: it uses
orjson only where orjson reads a document exactly as the standard library does."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.parsers import jsonload


def typed(value: Any) -> Any:
    """The value with every scalar's type made visible (1 and 1.0 and True differ)."""
    if isinstance(value, dict):
        return {key: typed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [typed(item) for item in value]
    return (type(value).__name__, repr(value))


def outcome(reader: Any, document: bytes | str) -> Any:
    try:
        return typed(reader(document))
    except ValueError as exc:  # both libraries raise a ValueError subclass for bad JSON
        return ("error", isinstance(exc, ValueError))


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=8), children, max_size=5)
    ),
    max_leaves=30,
)


@pytest.mark.slow  # 500 generated documents
@settings(max_examples=500, deadline=None)
@given(value=json_values, ascii_only=st.booleans(), as_bytes=st.booleans())
def test_generated_documents_read_as_json_reads_them(value: Any, ascii_only: bool, as_bytes: bool) -> None:
    document: bytes | str = json.dumps(value, ensure_ascii=ascii_only)
    if as_bytes:
        document = document.encode("utf-8", "surrogatepass")
    assert outcome(jsonload.loads, document) == outcome(json.loads, document)


@pytest.mark.parametrize(
    "document",
    [
        b'{"id": 4962811730412345, "mid": "4962811730412345", "ok": 1}',
        b'{"a": 1, "a": 2}',
        b"[18446744073709551616, -9223372036854775809, 12345678901234567890123]",
        b"[1e400, -1e400]",
        b"[NaN, Infinity]",
        b'{"x": "\\ud800"}',
        "\ufeff[1]".encode(),
        "\ufeff[1]",
        '{"t": "兴安盟"}'.encode("utf-16"),
        b"[0.1, 1.0, -0.0, 5e-324, 1.7976931348623157e308]",
        b"[1]x",
        b"",
        b"   ",
        b"<html>",
    ],
)
def test_edge_documents_read_as_json_reads_them(document: bytes | str) -> None:
    assert outcome(jsonload.loads, document) == outcome(json.loads, document)
