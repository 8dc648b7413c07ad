"""YAML read from the parser's events, one value at a time.

``yaml.safe_load`` composes the whole document as a tree of nodes (each with two marks)
before it builds a single value: for a province's config.yaml of 10,000 accounts (2.3 MB)
that tree peaks at ~90 MB of small objects, and the holes it leaves in Python's allocator
stay with the process for the whole crawl (BENCHMARKS.md, "Peak memory of a
10,000-account crawl"). Here each scalar is built as its event arrives, through the safe
constructor and resolver of PyYAML themselves, so the values are the same; anything this
reader does not build itself (merge keys, tagged collections, complex keys, several
documents, undefined aliases) is read again by ``yaml.load`` with the same loader, which
gives the same value or the same error as before.

One difference from ``yaml.safe_load``, on both paths: a key given twice in one mapping is an
error (DuplicateKeyError, naming both lines), never "the second one wins" — a second
``accounts:`` block silently replacing the first is a mistake nobody would see.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

# libyaml's parser when PyYAML was built with it (2 s instead of 9 s on that file).
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MERGE_TAG = "tag:yaml.org,2002:merge"


class _Elsewhere(Exception):
    """A construct this reader leaves to yaml.load."""


class DuplicateKeyError(yaml.YAMLError):
    """A mapping names the same key twice (yaml.safe_load would keep the second silently)."""

    def __init__(self, key: Any, path: str, first_line: int, second_line: int) -> None:
        self.key = key
        self.path = path  # the key's path, "accounts" or "thresholds.zombie_days" ('' if unknown)
        self.first_line = first_line
        self.second_line = second_line
        super().__init__(f"duplicate key {key!r}: on line {first_line} and again on line {second_line}")


class _UniqueKeysLoader(LOADER):  # type: ignore[misc, valid-type]
    """The same safe loader, refusing a key given twice in one mapping. Keys brought in by a
    merge (``<<: *defaults``) may be overridden: that is what a merge is for."""

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, MappingNode):
            seen: dict[Any, int] = {}
            for key_node, _ in node.value:
                if key_node.tag == MERGE_TAG:
                    continue
                key = self.construct_object(key_node, deep=True)
                line = key_node.start_mark.line + 1
                try:
                    if key in seen:
                        raise DuplicateKeyError(key, "", seen[key], line)
                except TypeError:
                    continue  # an unhashable key: the constructor says so
                seen[key] = line
        return super().construct_mapping(node, deep=deep)


def load(text: str) -> Any:
    """The one document of ``text`` as yaml.safe_load reads it (None for an empty stream),
    except that a key given twice in one mapping raises DuplicateKeyError naming both lines."""
    loader = LOADER(text)
    try:
        return _document(loader)
    except _Elsewhere:
        pass
    finally:
        loader.dispose()
    return yaml.load(text, Loader=_UniqueKeysLoader)  # noqa: S506 (a safe loader)


def _document(loader: Any) -> Any:
    loader.get_event()  # StreamStart
    if loader.check_event(StreamEndEvent):
        return None
    loader.get_event()  # DocumentStart
    value = _value(loader, {}, "")
    loader.get_event()  # DocumentEnd
    if not loader.check_event(StreamEndEvent):
        raise _Elsewhere  # a second document: yaml.load says so
    return value


def _value(loader: Any, anchors: dict[str, Any], path: str) -> Any:
    event = loader.get_event()
    if isinstance(event, AliasEvent):
        if event.anchor not in anchors:
            raise _Elsewhere
        return anchors[event.anchor]
    if isinstance(event, ScalarEvent):
        value = _scalar(loader, event)
    elif isinstance(event, SequenceStartEvent):
        _plain_collection(loader, event, SequenceNode)
        value = []
        if event.anchor is not None:
            anchors[event.anchor] = value
        while not loader.check_event(SequenceEndEvent):
            value.append(_value(loader, anchors, f"{path}[{len(value)}]"))
        loader.get_event()
        return value
    elif isinstance(event, MappingStartEvent):
        _plain_collection(loader, event, MappingNode)
        value = {}
        lines: dict[Any, int] = {}
        if event.anchor is not None:
            anchors[event.anchor] = value
        while not loader.check_event(MappingEndEvent):
            key_event = loader.peek_event()
            if isinstance(key_event, ScalarEvent) and _tag(loader, key_event) == MERGE_TAG:
                raise _Elsewhere
            line = key_event.start_mark.line + 1
            key = _value(loader, anchors, path)
            try:
                hash(key)
            except TypeError:
                raise _Elsewhere from None
            key_path = f"{path}.{key}" if path else str(key)
            if key in lines:
                raise DuplicateKeyError(key, key_path, lines[key], line)
            lines[key] = line
            value[key] = _value(loader, anchors, key_path)
        loader.get_event()
        return value
    else:  # pragma: no cover - the parser yields nothing else here
        raise _Elsewhere
    if event.anchor is not None:
        anchors[event.anchor] = value
    return value


def _tag(loader: Any, event: ScalarEvent) -> str:
    if event.tag is None or event.tag == "!":
        return loader.resolve(ScalarNode, event.value, event.implicit)
    return event.tag


def _scalar(loader: Any, event: ScalarEvent) -> Any:
    node = ScalarNode(_tag(loader, event), event.value, event.start_mark, event.end_mark, style=event.style)
    try:
        return loader.construct_object(node, deep=True)
    finally:
        loader.constructed_objects.clear()


def _plain_collection(loader: Any, event: Any, kind: type) -> None:
    """Only untagged (or default-tagged) lists and mappings are built here."""
    tag = event.tag
    if tag is None or tag == "!":
        tag = loader.resolve(kind, None, event.implicit)
    default = loader.DEFAULT_SEQUENCE_TAG if kind is SequenceNode else loader.DEFAULT_MAPPING_TAG
    if tag != default:
        raise _Elsewhere
