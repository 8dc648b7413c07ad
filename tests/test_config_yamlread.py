"""config.yaml is read from the parser's events (core/yamlread.py, for memory: see
BENCHMARKS.md): the same values as yaml.safe_load with the same parser, and the same errors
where the file is wrong."""

from __future__ import annotations

import math
from datetime import date, datetime

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import yamlread
from core.config import ConfigError, load_config


def reference(text: str) -> object:
    """safe_load with the parser yamlread uses (libyaml's when PyYAML has it: on odd input such as
    "0\t" it and PyYAML's own parser disagree, whoever reads the events)."""
    return yaml.load(text, Loader=yamlread.LOADER)  # noqa: S506 (a safe loader)


SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
    st.text(max_size=20),
    st.dates(),
    st.datetimes(),
    st.binary(max_size=10),
)
values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=15,
)


def same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a):
        return math.isnan(b)
    return type(a) is type(b) and a == b


@pytest.mark.slow  # generated documents
@SETTINGS
@given(values, st.sampled_from([None, True, False]), st.sampled_from([None, "'", '"']))
def test_reads_every_dumped_value_as_safe_load_does(
    value: object, flow: bool | None, style: str | None
) -> None:
    text = yaml.safe_dump(value, allow_unicode=True, default_flow_style=flow, default_style=style)
    expected = reference(text)
    assert same(yamlread.load(text), expected)


def has_duplicate_key(text: str) -> bool:
    """Whether some mapping of the composed document gives one key twice (merges aside)."""
    loader = yamlread.LOADER(text)
    try:
        root = loader.get_single_node()
        stack = [root] if root is not None else []
        while stack:
            node = stack.pop()
            if isinstance(node, yaml.MappingNode):
                keys = [
                    loader.construct_object(k, deep=True)
                    for k, _ in node.value
                    if k.tag != yamlread.MERGE_TAG
                ]
                hashable = [k for k in keys if getattr(type(k), "__hash__", None)]
                if len(set(hashable)) < len(hashable):
                    return True
                stack.extend(n for pair in node.value for n in pair)
            elif isinstance(node, yaml.SequenceNode):
                stack.extend(node.value)
        return False
    finally:
        loader.dispose()


@SETTINGS
@given(st.text(max_size=60))
def test_any_text_gives_the_same_value_or_a_yaml_error(text: str) -> None:
    try:
        expected: object = reference(text)
    except yaml.YAMLError as exc:
        expected = type(exc)
    try:
        got: object = yamlread.load(text)
    except yamlread.DuplicateKeyError:
        assert has_duplicate_key(text), text
        return
    except yaml.YAMLError as exc:
        got = type(exc)
    assert got == expected or (isinstance(got, type) and isinstance(expected, type))


@SETTINGS
@given(
    st.lists(
        st.sampled_from(["a", "b", "'a'", "1", "01", "0x1", "true", "yes", "~", "null"]),
        min_size=1,
        max_size=5,
    )
)
def test_a_key_given_twice_is_an_error_naming_both_lines(keys: list[str]) -> None:
    text = "".join(f"{key}: {n}\n" for n, key in enumerate(keys))
    try:
        got = yamlread.load(text)
    except yamlread.DuplicateKeyError as exc:
        assert has_duplicate_key(text)
        first, second = exc.first_line, exc.second_line
        assert first < second and reference(keys[first - 1] + ": 0") == reference(keys[second - 1] + ": 0")
        return
    assert not has_duplicate_key(text) and got == reference(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "# only a comment\n",
        "a: 1\nb: [1, 2.5, yes, ~, 0x1f, 0o17, '0012']\n",
        "d: 2026-11-29\nt: 2026-11-29 10:00:00+08:00\n",
        "- &x {a: 1}\n- *x\n",
        "defaults: &d {platform: weibo, kind: publish}\nacct:\n  <<: *d\n  kind: service\n",
        "s: !!set {a, b}\n",
        "o: !!omap [a: 1, b: 2]\n",
        "a: !!str 1\nb: !!int '2'\nc: !!binary aGVsbG8=\n",
        "? [1, 2]\n: 3\n",
        "--- 1\n--- 2\n",
        "x: *nope\n",
        "a: !custom 1\n",
        "a: [1\n",
        "a: 1\n\tb: 2\n",
        "名称: 旗政府办公室\n帐号: [微博, 微信]\n",
    ],
)
def test_hand_picked_documents(text: str) -> None:
    try:
        expected: object = reference(text)
    except yaml.YAMLError as exc:
        with pytest.raises(type(exc)) as raised:
            yamlread.load(text)
        mark, got_mark = getattr(exc, "problem_mark", None), getattr(raised.value, "problem_mark", None)
        assert (mark.line, mark.column) == (got_mark.line, got_mark.column) if mark else got_mark is None
        return
    got = yamlread.load(text)
    assert got == expected
    if text.startswith("- &x"):  # an alias is the same object, as safe_load gives it
        assert got[0] is got[1]


def test_typed_scalars_keep_their_types() -> None:
    got = yamlread.load("d: 2026-11-29\nt: 2026-11-29 10:00:00\nn: 007\nb: off\n")
    assert got == {"d": date(2026, 11, 29), "t": datetime(2026, 11, 29, 10, 0), "n": 7, "b": False}


def test_a_bad_config_still_names_the_line(tmp_path) -> None:  # noqa: ANN001
    path = tmp_path / "config.yaml"
    path.write_text("database: sqlite:///x.db\naccounts:\n  - id: a\n    name: [oops\n", encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert "line 5" in str(raised.value) and "not valid YAML" in str(raised.value)
