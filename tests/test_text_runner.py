"""`govwatch check` runners: JSON Lines and plain text."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from datetime import date

import pytest

from analysis.text import Checker
from analysis.text.runner import looks_like_jsonl, run_jsonl, run_plain


@pytest.fixture(scope="module")
def checker() -> Checker:
    return Checker.load()


def run(checker: Checker, lines: list[str]) -> tuple[int, list[dict], str]:
    out, err = io.StringIO(), io.StringIO()
    code = run_jsonl(io.StringIO("\n".join(lines) + "\n"), out, checker, err)
    return code, [json.loads(line) for line in out.getvalue().splitlines()], err.getvalue()


def test_jsonl_order_and_shapes(checker):
    posts = [
        {"id": "a", "text": "旗政府召开常务会议，研究部署安全生产工作。"},
        {"id": "b", "text": "土特产包邮到家，加微信13912345678下单，手慢无！"},
        {"id": 3, "text": "截止年底完成任务。", "title": "年终总结"},
    ]
    code, out, err = run(checker, [json.dumps(p, ensure_ascii=False) for p in posts])
    assert code == 0 and err == ""
    assert [o["id"] for o in out] == ["a", "b", 3]
    assert out[0] == {"id": "a", "labels": [], "findings": []}
    assert out[1]["labels"] == ["commercial"]
    for f in out[1]["findings"]:
        assert set(f) == {
            "category",
            "rule",
            "severity",
            "evidence",
            "start",
            "end",
            "suggestion",
            "confidence",
            "explanation",
        }
    # offsets index title + "\n" + text
    f = out[2]["findings"][0]
    full = "年终总结\n截止年底完成任务。"
    assert full[f["start"] : f["end"]] == f["evidence"] == "截止年底"
    assert (f["start"], f["suggestion"]) == (5, "截至年底")


def test_bad_lines_are_reported_by_number_and_the_rest_checked(checker):
    lines = [
        json.dumps({"id": "ok1", "text": "再接再励"}, ensure_ascii=False),
        "{not json",
        "[1, 2]",
        json.dumps({"id": "no-text"}),
        json.dumps({"id": "num", "text": 5}),
        json.dumps({"id": "ok2", "text": "旗攻府召开会议"}, ensure_ascii=False),
    ]
    code, out, err = run(checker, lines)
    assert code == 1
    assert len(out) == 6
    assert out[0]["labels"] == ["wording_error"] and out[5]["labels"] == ["wording_error"]
    assert out[1] == {"id": None, "error": out[1]["error"], "labels": None, "findings": None}
    assert out[1]["error"].startswith("line 2: ")
    assert out[2]["error"] == "line 3: not a JSON object"
    assert out[3]["id"] == "no-text" and out[3]["error"].startswith("line 4: text")
    assert out[4]["id"] == "num" and out[4]["error"].startswith("line 5: text")
    for n in (2, 3, 4, 5):
        assert f"line {n}:" in err


def test_blank_lines_are_skipped(checker):
    code, out, _ = run(checker, ["", json.dumps({"id": "x", "text": "正常的工作动态信息。"}), "  "])
    assert code == 0 and [o["id"] for o in out] == ["x"]


def test_plain_mode_highlights_and_suggests(checker):
    out = io.StringIO()
    draft = "各位同事：\n截止年底，我局再接再励，圆满完成任务。"
    assert run_plain(draft, out, checker, color=False) == 0
    text = out.getvalue()
    assert "【截止年底】" in text and "建议改为：截至年底" in text
    # what a supervisor reads names the problem in Chinese, never the internal rule id
    assert "第2行第1列" in text and "错别字" in text and "表述错误" in text
    assert "wording.typo" not in text and "minor" not in text
    assert text.rstrip().endswith("结论：发现 2 处问题（表述错误）")
    colored = io.StringIO()
    run_plain(draft, colored, checker, color=True)
    assert "\x1b[" in colored.getvalue() and "【" not in colored.getvalue()


def test_plain_mode_clean(checker):
    out = io.StringIO()
    assert run_plain("旗政府召开常务会议，研究部署安全生产工作。", out, checker, color=False) == 0
    assert out.getvalue().strip() == "结论：未发现问题"


def test_looks_like_jsonl():
    assert looks_like_jsonl('{"id": "1", "text": "你好"}\n')
    assert not looks_like_jsonl("关于召开会议的通知\n")
    assert not looks_like_jsonl('{"a": 1}')
    assert not looks_like_jsonl("{not json}")


def test_a_chunk_of_empty_texts_is_checked(checker):
    """Enough empty posts to be scored as a batch (they used to crash the model's batch scorer)."""
    code, out, err = run(checker, [json.dumps({"id": i, "text": ""}) for i in range(20)])
    assert code == 0 and err == ""
    assert out == [{"id": i, "labels": [], "findings": []} for i in range(20)]


def test_unit_and_platform_give_the_context(checker):
    text = "为拓宽农产品销售渠道，旗农牧局联合电商企业开展助农直播带货活动，直播间扫码下单，县域内包邮。"
    lines = [
        json.dumps({"id": "own", "text": text, "unit": "旗农牧局", "platform": "weibo"}, ensure_ascii=False),
        json.dumps({"id": "other", "text": text, "unit": "旗公安局"}, ensure_ascii=False),
        json.dumps({"id": "none", "text": text, "unit": None, "platform": "wechat"}, ensure_ascii=False),
    ]
    code, out, err = run(checker, lines)
    assert code == 0 and err == ""
    assert out[0] == {"id": "own", "labels": [], "findings": []}  # the agriculture bureau's own business
    assert out[1]["labels"] == ["off_topic"]  # not the police's field
    # without a unit it reads as 助农 reporting (government writing): not a finding
    assert out[2]["labels"] == []


def test_unit_or_platform_not_a_string_is_a_bad_line(checker):
    lines = [
        json.dumps({"id": "u", "text": "正常的工作动态信息。", "unit": 5}),
        json.dumps({"id": "p", "text": "正常的工作动态信息。", "platform": ["weibo"]}),
        json.dumps({"id": "ok", "text": "全体干部再接再励。"}, ensure_ascii=False),
    ]
    code, out, err = run(checker, lines)
    assert code == 1
    assert out[0]["error"] == "line 1: unit is not a string" and out[0]["id"] == "u"
    assert out[1]["error"] == "line 2: platform is not a string"
    assert out[2]["labels"] == ["wording_error"]
    assert "line 1:" in err and "line 2:" in err


# A name retired in 2021 (retired_names.tsv: before=2021-02-25), in a sentence without a year.
OLD_NAME = "近日，国务院扶贫办、商务部联合印发通知，部署开展消费帮扶专项行动。"


def test_published_dates_a_post_so_that_a_name_right_then_is_no_error(checker):
    lines = [
        json.dumps({"id": "then", "text": OLD_NAME, "published": "2020-02-18"}, ensure_ascii=False),
        json.dumps(
            {"id": "then-time", "text": OLD_NAME, "published": "2020-02-18T09:30:00+08:00"},
            ensure_ascii=False,
        ),
        json.dumps({"id": "after", "text": OLD_NAME, "published": "2021-06-01"}, ensure_ascii=False),
        json.dumps({"id": "undated", "text": OLD_NAME}, ensure_ascii=False),
    ]
    code, out, err = run(checker, lines)
    assert code == 0 and err == ""
    assert [o["labels"] for o in out] == [[], [], ["wording_error"], ["wording_error"]]
    assert out[2]["findings"][0]["rule"] == "wording.retired_name"
    # --published dates the posts that give no day of their own
    out2 = io.StringIO()
    run_jsonl(
        io.StringIO("\n".join(lines[2:]) + "\n"), out2, checker, io.StringIO(), published=date(2019, 5, 1)
    )
    assert [json.loads(line)["labels"] for line in out2.getvalue().splitlines()] == [["wording_error"], []]


def test_published_not_a_date_is_a_bad_line_naming_the_value(checker):
    lines = [
        json.dumps({"id": "w", "text": OLD_NAME, "published": "去年三月"}, ensure_ascii=False),
        json.dumps({"id": "n", "text": OLD_NAME, "published": 20200218}, ensure_ascii=False),
        json.dumps({"id": "m", "text": OLD_NAME, "published": "2020-02-30"}, ensure_ascii=False),
        json.dumps({"id": "ok", "text": "全体干部再接再励。", "published": "2024-03-01"}, ensure_ascii=False),
    ]
    code, out, err = run(checker, lines)
    assert code == 1
    assert out[0]["error"].startswith("line 1: published is not an ISO 8601 date or time: '去年三月'")
    assert out[1]["error"] == "line 2: published is not a string (an ISO 8601 date or time)"
    assert out[2]["error"].startswith("line 3: published is not an ISO 8601 date")
    assert out[3]["labels"] == ["wording_error"]  # the rest is still checked
    assert err.count("govwatch check: line") == 3


def test_plain_draft_with_a_publication_day(checker):
    out = io.StringIO()
    run_plain(OLD_NAME, out, checker, color=False, published=date(2020, 2, 18))
    assert "未发现问题" in out.getvalue()
    out = io.StringIO()
    run_plain(OLD_NAME, out, checker, color=False)  # a draft is published now
    assert "国务院扶贫办" in out.getvalue() and "已撤销机构名称" in out.getvalue()


def test_output_lines_are_byte_identical_to_dumping_the_object(checker):
    lines = [
        json.dumps({"id": i, "text": t}, ensure_ascii=False)
        for i, t in [("a", "旗政府召开常务会议。"), (7, "截止年底完成任务。"), ('引号"和\\', "正常。")]
    ]
    lines.append(json.dumps({"id": None, "text": "正常。"}))
    _, out, _ = run(checker, lines)
    buf = io.StringIO()
    run_jsonl(io.StringIO("\n".join(lines) + "\n"), buf, checker, io.StringIO())
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode
    assert buf.getvalue().splitlines() == [dumps(o) for o in out]


def test_lone_surrogate_is_a_bad_line_and_the_rest_is_checked(checker):
    lines = [
        '{"id": "s", "text": "x\\ud800 加微信"}',
        json.dumps({"id": "ok", "text": "再接再励"}, ensure_ascii=False),
    ]
    code, out, err = run(checker, lines)
    assert code == 1
    assert out[0]["id"] == "s" and out[0]["error"].startswith("line 1: ") and "Unicode" in out[0]["error"]
    assert out[1]["labels"] == ["wording_error"]
    assert "line 1:" in err


def test_a_json_error_names_the_column_where_the_line_goes_wrong(checker):
    truncated = '{"id": "t1", "text": "未闭合的对象"'  # the brace is missing: wrong at the line's end
    doubled = '{"id": "t2", "text": "两段" "文字"}'  # the second string is where it goes wrong
    out, err = io.StringIO(), io.StringIO()
    code = run_jsonl(io.StringIO(f"{truncated}\n{doubled}\r\n"), out, checker, err)
    assert code == 1
    errors = [json.loads(line)["error"] for line in out.getvalue().splitlines()]
    assert errors[0].startswith("line 1: not valid JSON") and errors[0].endswith(
        f"at column {len(truncated) + 1})"
    )
    assert errors[1].startswith("line 2: not valid JSON")
    second = doubled.index('"文字"') + 1
    assert errors[1].endswith(f"at column {second})"), errors[1]


MINOR = {"id": "minor", "text": "截止年底完成任务。"}  # wording.typo, minor
MAJOR = {"id": "major", "text": "土特产包邮到家，加微信13912345678下单，手慢无！"}  # advertising, major
CRITICAL = {"id": "critical", "text": "深入学习习近平新时期中国特色社会主义思想"}  # formulation, critical
CLEAN = {"id": "clean", "text": "旗政府召开常务会议，研究部署安全生产工作。"}


@pytest.mark.parametrize(
    ("posts", "fail_on", "code"),
    [
        ([CLEAN, MINOR, MAJOR, CRITICAL], None, 0),  # without --fail-on findings are data
        ([CLEAN], "minor", 0),
        ([CLEAN, MINOR], "minor", 1),
        ([CLEAN, MINOR], "major", 0),
        ([MINOR, MAJOR], "major", 1),
        ([MINOR, MAJOR], "critical", 0),
        ([CRITICAL], "critical", 1),
        ([CRITICAL], "minor", 1),
    ],
)
def test_fail_on_a_severity_or_worse(checker, posts, fail_on, code):
    out, err = io.StringIO(), io.StringIO()
    lines = "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in posts)
    assert run_jsonl(io.StringIO(lines), out, checker, err, fail_on) == code
    assert [json.loads(line)["id"] for line in out.getvalue().splitlines()] == [p["id"] for p in posts]
    text = "\n".join(p["text"] for p in posts)
    assert run_plain(text, io.StringIO(), checker, False, fail_on) == code


@pytest.mark.slow  # runs the govwatch command
def test_fail_on_from_the_command_line(tmp_path):
    from tests.conftest import run_govwatch

    drafts = tmp_path / "drafts.jsonl"
    drafts.write_text(
        "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in (CLEAN, MAJOR)), encoding="utf-8"
    )
    assert run_govwatch(None, "check", str(drafts)).returncode == 0
    assert run_govwatch(None, "check", "--fail-on", "critical", str(drafts)).returncode == 0
    failing = run_govwatch(None, "check", "--fail-on", "major", str(drafts))
    assert failing.returncode == 1 and len(failing.stdout.splitlines()) == 2  # every post still checked
    plain = run_govwatch(None, "check", "--fail-on", "minor", "--input", "text", input=MINOR["text"])
    assert plain.returncode == 1 and "截至" in plain.stdout
    bad = run_govwatch(None, "check", "--fail-on", "serious", str(drafts))
    assert bad.returncode == 2 and "--fail-on" in bad.stderr


@pytest.mark.slow  # runs the govwatch command
def test_published_from_the_command_line():
    from tests.conftest import run_govwatch

    then = run_govwatch(None, "check", "--input", "text", "--published", "2020-02-18", input=OLD_NAME)
    assert then.returncode == 0 and "未发现问题" in then.stdout
    now = run_govwatch(None, "check", "--input", "text", input=OLD_NAME)
    assert "国务院扶贫办" in now.stdout
    bad = run_govwatch(None, "check", "--input", "text", "--published", "2020/02/18", input=OLD_NAME)
    assert bad.returncode == 2 and "--published" in bad.stderr and "2020/02/18" in bad.stderr


@pytest.mark.slow  # runs the govwatch command
def test_a_draft_without_a_config_file_loads_no_configuration_code(tmp_path):
    """A cold `govwatch check draft.txt` (no config.yaml) never imports the configuration's
    pydantic models: they were the largest part of the start-up time a writer waits for."""
    draft = tmp_path / "draft.txt"
    draft.write_text("截止目前，全旗春播备耕工作有序推进。\n", encoding="utf-8")
    code = (
        "import sys\n"
        "from govwatch.cli import main\n"
        f"sys.argv = ['govwatch', 'check', {str(draft)!r}, '--no-color']\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as exc:\n"
        "    assert exc.code == 0, exc.code\n"
        "loaded = [m for m in sys.modules if m == 'core.config' or m.split('.')[0] == 'pydantic']\n"
        "assert not loaded, loaded\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "GOVWATCH_CONFIG"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    assert "截至目前" in done.stdout


@pytest.mark.slow  # runs the govwatch command
def test_a_broken_config_file_beside_the_draft_is_still_a_config_error(tmp_path):
    from tests.conftest import GOVWATCH

    (tmp_path / "draft.txt").write_text("旗政府召开常务会议。\n", encoding="utf-8")
    (tmp_path / "config.yaml").write_text("checks:\n  typos: maybe\n", encoding="utf-8")
    done = subprocess.run(
        [str(GOVWATCH), "check", "draft.txt"], capture_output=True, text=True, cwd=tmp_path, timeout=120
    )
    assert done.returncode == 2
    assert done.stderr.startswith("配置错误 / config error: config.yaml: checks.typos")
