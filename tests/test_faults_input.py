"""Bad input at the command line: `govwatch check` and `govwatch report --week` answer
malformed input with a clear message naming what is wrong, and CONTRACT.md's exit status."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_govwatch


def check(path: Path | None, *args: str, input: str | None = None):
    return run_govwatch(None, "check", *([str(path)] if path else []), *args, input=input, timeout=120)


def test_check_names_a_non_utf8_line_and_still_checks_the_rest(tmp_path: Path):
    path = tmp_path / "drafts.jsonl"
    good = json.dumps({"id": "ok-1", "text": "旗政务服务中心本周六正常开放。"}, ensure_ascii=False)
    path.write_bytes(
        good.encode() + b"\n" + '{"id": "gbk", "text": "国家"}'.encode("gbk") + b"\n" + good.encode()
    )
    result = check(path)
    assert result.returncode == 1
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 3  # one answer per input line, in order
    assert lines[0]["id"] == "ok-1" and lines[0]["labels"] == []
    assert "line 2" in lines[1]["error"] and "UTF-8" in lines[1]["error"]
    assert lines[2]["id"] == "ok-1"
    assert "line 2" in result.stderr and "Traceback" not in result.stderr


def test_check_binary_garbage_is_a_clear_usage_error(tmp_path: Path):
    path = tmp_path / "garbage.bin"
    path.write_bytes(bytes(range(256)) * 4)
    result = check(path)
    assert result.returncode == 2
    assert str(path) in result.stderr and "UTF-8" in result.stderr
    assert "Traceback" not in result.stderr


def test_check_empty_input(tmp_path: Path):
    path = tmp_path / "empty.txt"
    path.write_text("", encoding="utf-8")
    result = check(path)
    assert result.returncode == 2 and "empty input" in result.stderr and str(path) in result.stderr
    result = check(None, input="\n\n")
    assert result.returncode == 2 and "standard input" in result.stderr
    # An empty JSON Lines stream, asked for as such, is zero answers.
    result = check(None, "--input", "jsonl", input="")
    assert result.returncode == 0 and result.stdout == ""


def test_check_a_huge_line_is_checked_whole(tmp_path: Path):
    path = tmp_path / "huge.jsonl"
    text = "旗政务服务中心本周六正常开放。" * 50_000 + "请加微信 abc12345 领取返利红包"
    path.write_text(json.dumps({"id": "huge", "text": text}, ensure_ascii=False) + "\n", encoding="utf-8")
    result = check(path)
    assert result.returncode == 0, result.stderr
    [answer] = [json.loads(line) for line in result.stdout.splitlines()]
    assert answer["id"] == "huge"
    assert "commercial" in answer["labels"]
    assert all(f["start"] >= len(text) - 30 for f in answer["findings"])


def test_check_bad_json_lines_named_by_number(tmp_path: Path):
    path = tmp_path / "mixed.jsonl"
    path.write_text(
        '{"id": "a", "text": "好"}\n{"id": "b", "text": 5}\n{not json\n[1, 2]\n{"id": "c", "text": "好"}\n',
        encoding="utf-8",
    )
    result = check(path)
    assert result.returncode == 1
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert [a.get("id") for a in answers] == ["a", "b", None, None, "c"]
    for number in (2, 3, 4):
        assert f"line {number}:" in result.stderr


@pytest.mark.slow  # runs the govwatch command, once per week
@pytest.mark.parametrize("week", ["2026-W60", "26-W1", "", "2026-W00", "2026-w01", "2026-W1"])
def test_report_rejects_malformed_weeks_naming_the_option(tmp_path: Path, week: str):
    config = tmp_path / "config.yaml"
    config.write_text(f"database: sqlite:///{tmp_path / 'g.db'}\n", encoding="utf-8")
    result = run_govwatch(config, "report", "--week", week, "--out", str(tmp_path / "out"), timeout=120)
    assert result.returncode == 2, (week, result.stdout, result.stderr)
    assert "--week" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("*.html"))


@pytest.mark.slow  # runs the govwatch command, once per file
@pytest.mark.parametrize(
    "content, expected",
    [
        ('timezone: "国"\n'.encode("gbk"), "not UTF-8"),
        (bytes(range(128, 256)) * 2, "not UTF-8"),
        (b"- a\n- b\n", "mapping"),
        (b"accounts: {id: x}\n", "accounts"),
    ],
    ids=["gbk", "binary", "top-level-list", "accounts-not-a-list"],
)
def test_config_that_is_not_a_config_exits_2_naming_the_file(tmp_path: Path, content: bytes, expected: str):
    config = tmp_path / "config.yaml"
    config.write_bytes(content)
    result = run_govwatch(config, "export", "accounts", timeout=120)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert str(config) in result.stderr and expected in result.stderr
    assert "Traceback" not in result.stderr
