"""`govwatch check` runners: JSON Lines in and out, or a plain-text draft for people.

``run_jsonl`` streams line by line (flat memory whatever the input size): one
output object per input line, in the same order. Optional ``unit`` (the
responsible unit, 责任主体) and ``platform`` fields give the checks their
context (助农 by 农牧局 is the unit's own business); an optional ``published``
(an ISO 8601 date or time) dates the post, so that an institution's name that
was right when it was written is not an error (a post without one is taken as
published now). A bad line (not JSON, not an object, ``text`` missing or not a
string, ``title``, ``unit`` or ``platform`` not a string, ``published`` not a
date) gets an error
object at its place and a message on ``errfile`` naming its line number; the
rest is still checked. Blank lines are skipped without output. It returns 0
when every line was fine and 1 when any line was bad.

``run_plain`` prints the findings of one draft with the evidence highlighted
and returns 0 whenever the checking itself succeeded, problems or not: the
verdict is in the output, and the CLI decides its exit status.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any, TextIO

from core.rules import rule_title
from core.vocabulary import Severity

from .checker import LABEL_NAMES, Checker, CheckResult, PostContext, TextFinding
from .facts import text_facts
from .privacy import masked_text

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode
_loads = json.loads


def looks_like_jsonl(first_line: str) -> bool:
    """Whether input starting with this line is JSON Lines rather than a plain draft."""
    line = first_line.strip().lstrip("\ufeff")
    if not (line.startswith("{") and line.endswith("}")):
        return False
    try:
        obj = _loads(line)
    except ValueError:
        return False
    return isinstance(obj, dict) and "text" in obj


def published_date(value: str) -> date | datetime:
    """A post's publication day or time from ISO 8601 (2020-02-18, 2020-02-18T08:30:00+08:00,
    2020-02-18 08:30); ValueError naming the value otherwise."""
    try:
        if len(value) == 10:
            return date.fromisoformat(value)
        return datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"not an ISO 8601 date or time: {value!r} (e.g. 2020-02-18)") from None


def not_utf8(line: str) -> str | None:
    """Why a line read with errors="surrogateescape" is not UTF-8 text, or None."""
    try:
        line.encode("utf-8")
    except UnicodeEncodeError as exc:
        byte = ord(line[exc.start]) - 0xDC00 if "\udc80" <= line[exc.start] <= "\udcff" else None
        what = f"byte 0x{byte:02x}" if byte is not None else "an invalid character"
        return (
            f"not UTF-8 text ({what} at column {exc.start + 1}; save the file as UTF-8 / 请另存为 UTF-8 编码)"
        )
    return None


def input_problem(draft: str) -> str | None:
    """Why a plain-text draft cannot be checked (empty, or not UTF-8 text), naming the line."""
    if not draft.strip():
        return "empty input / 输入为空"
    for number, line in enumerate(draft.splitlines(), start=1):
        reason = not_utf8(line)
        if reason:
            return f"line {number}: {reason}"
    return None


def _error(obj_id: Any, message: str) -> str:
    return _dumps({"id": obj_id, "error": message, "labels": None, "findings": None})


def clean_line(obj_id: Any) -> str:
    """The output line of a post with nothing to fix (same bytes as dumping the whole object)."""
    return '{"id": ' + _dumps(obj_id) + ', "labels": [], "findings": []}\n'


def findings_line(obj_id: Any, findings: list[TextFinding]) -> str:
    labels = sorted({f.label for f in findings})
    return _dumps({"id": obj_id, "labels": labels, "findings": [f.to_json() for f in findings]}) + "\n"


FAIL_ON = tuple(reversed(Severity))  # --fail-on choices, least severe first


def reaches(findings: list[TextFinding], fail_on: str | None) -> bool:
    """Whether any finding is at or above the `fail_on` severity (never, without one)."""
    if fail_on is None:
        return False
    floor = Severity.rank(fail_on)
    return any(Severity.rank(f.severity) <= floor for f in findings)


CHUNK = 512  # posts scored by the model in one pass


def run_jsonl(
    infile: TextIO,
    outfile: TextIO,
    checker: Checker,
    errfile: TextIO,
    fail_on: str | None = None,
    unit: str | None = None,
    published: date | datetime | None = None,
) -> int:
    """Check JSON Lines posts; see the module docstring. Returns 0, or 1 if any line was bad or
    (with `fail_on`) had a finding at or above that severity.

    ``unit``: the responsible unit of posts that name none (``govwatch check --unit``);
    ``published``: the day of posts that give none (``--published``).
    Posts are read in chunks of ``CHUNK`` so that the model scores a chunk in one pass;
    the output keeps the input's order and memory stays flat."""
    bad = 0
    failed = False
    write = outfile.write
    chunk: list[tuple[Any, ...]] = []  # (number, id, error) or (number, id, None, text, title, context)

    def flush() -> None:
        nonlocal bad, failed
        posts = [item for item in chunk if item[2] is None]
        fulls = [f"{item[4]}\n{item[3]}" if item[4] else item[3] for item in posts]
        try:
            probs = iter(checker.model_probs(fulls))
        except UnicodeEncodeError:
            probs = iter(checker.model_probs([""] * len(posts)))
        bits = text_facts(fulls)
        facts = iter(bits)
        scan_ahead = getattr(checker, "scan_ahead", None)
        if scan_ahead is not None:
            scan_ahead(fulls, bits)
        findings_of = checker.findings
        for item in chunk:
            number, obj_id, reason = item[0], item[1], item[2]
            if reason is None:
                p = next(probs)
                f = next(facts)
                try:
                    findings = findings_of(item[3], item[4], item[5], p, f)
                except UnicodeEncodeError:  # a lone surrogate escape such as "\ud800"
                    reason = "text or title is not valid Unicode (a lone surrogate)"
                else:
                    if not findings:  # most posts
                        write(clean_line(obj_id))
                        continue
                    failed = failed or reaches(findings, fail_on)
                    write(findings_line(obj_id, findings))
                    continue
            bad += 1
            message = f"line {number}: {reason}"
            write(_error(obj_id if isinstance(obj_id, str | int | float) else None, message) + "\n")
            errfile.write(f"govwatch check: {message}\n")
        chunk.clear()

    for number, line in enumerate(infile, start=1):
        if not line or line.isspace():  # blank (isspace stops at the first other character)
            continue
        try:
            # Not UTF-8 text: a surrogate code point (an undecodable byte read with
            # surrogateescape). UTF-16 refuses exactly those too, and costs less than UTF-8 (2.5 against
            # 3.5 ms for 2,000 of the bench's lines: CJK text is two bytes a character, not three).
            line.encode("utf-16-le")
        except UnicodeEncodeError:
            reason = not_utf8(line)
        else:
            reason = None
        obj = None
        if reason is None:
            try:
                obj = _loads(line)
            except ValueError:
                # Without the line break: an error at the end of the line is at its last column
                # (with it, the parser reports column 1 of a second line).
                try:
                    obj = _loads(line.rstrip("\r\n"))
                except ValueError as exc:
                    reason = f"not valid JSON ({exc.msg} at column {exc.colno})"
        obj_id = obj.get("id") if isinstance(obj, dict) else None
        if reason is None:
            if not isinstance(obj, dict):
                reason = "not a JSON object"
            else:
                get = obj.get
                text, title, post_unit, platform = get("text"), get("title"), get("unit"), get("platform")
                when = get("published")
                if not isinstance(text, str):
                    reason = "text missing or not a string" if "text" not in obj else "text is not a string"
                elif title is not None and not isinstance(title, str):
                    reason = "title is not a string"
                elif post_unit is not None and not isinstance(post_unit, str):
                    reason = "unit is not a string"
                elif platform is not None and not isinstance(platform, str):
                    reason = "platform is not a string"
                elif when is not None:
                    if not isinstance(when, str):
                        reason = "published is not a string (an ISO 8601 date or time)"
                    else:
                        try:
                            when = published_date(when)
                        except ValueError as exc:
                            reason = f"published is {exc}"
        if reason is not None:
            chunk.append((number, obj_id, reason))
        else:
            post_unit = post_unit or unit
            when = when or published
            context = (
                PostContext(unit=post_unit, platform=platform, published=when)
                if post_unit or platform or when
                else None
            )
            chunk.append((number, obj_id, None, text, title, context))
        if len(chunk) >= CHUNK:
            flush()
    if chunk:
        flush()
    return 1 if bad or failed else 0


# -- plain text, for people --

_ANSI_ON = {"critical": "\x1b[1;41;97m", "major": "\x1b[1;31m", "minor": "\x1b[1;33m"}
_ANSI_OFF = "\x1b[0m"
_BOUNDS = "。！？!?；;\n"


def _line_col(text: str, pos: int) -> tuple[int, int]:
    line = text.count("\n", 0, pos) + 1
    col = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return line, col


def _sentence_around(text: str, start: int, end: int, limit: int = 60) -> tuple[int, int]:
    s = start
    while s > 0 and text[s - 1] not in _BOUNDS and start - s < limit:
        s -= 1
    e = end
    while e < len(text) and text[e] not in _BOUNDS and e - end < limit:
        e += 1
    if e < len(text) and text[e] != "\n":
        e += 1  # keep the sentence's own punctuation
    return s, e


def highlight(text: str, f: TextFinding, color: bool) -> str:
    s, e = _sentence_around(text, f.start, f.end)
    on, off = (_ANSI_ON.get(f.severity, "\x1b[1m"), _ANSI_OFF) if color else ("【", "】")
    return f"{text[s : f.start]}{on}{text[f.start : f.end]}{off}{text[f.end : e]}".strip()


def format_finding(text: str, f: TextFinding, color: bool) -> str:
    line, col = _line_col(text, f.start)
    sure = f"  置信度：{f.confidence}" if f.confidence else ""
    head = (
        f"第{line}行第{col}列  [{LABEL_NAMES.get(f.label, f.label)}] {rule_title(f.rule)}"
        f"  严重程度：{Severity.label_of(f.severity)}{sure}"
    )
    lines = [head, f"    原文：{highlight(text, f, color)}", f"    说明：{f.explanation}"]
    if f.suggestion:
        lines.append(f"    建议改为：{f.suggestion}")
    return "\n".join(lines)


def format_result(text: str, result: CheckResult, color: bool) -> str:
    parts = [format_finding(text, f, color) for f in result.findings]
    if result.findings:
        labels = "、".join(LABEL_NAMES[label] for label in result.labels)
        parts.append(f"结论：发现 {len(result.findings)} 处问题（{labels}）")
    else:
        parts.append("结论：未发现问题")
    return "\n\n".join(parts) + "\n"


def run_plain(
    text: str,
    outfile: TextIO,
    checker: Checker,
    color: bool,
    fail_on: str | None = None,
    unit: str | None = None,
    published: date | datetime | None = None,
) -> int:
    """Check a plain-text draft (of ``unit``, the responsible unit, when given; published on
    ``published``, else now) and print the findings; returns 0 (checking succeeded), or 1 with
    `fail_on` when a finding is at or above that severity."""
    draft = text.lstrip("\ufeff")
    context = PostContext(unit=unit, published=published) if unit or published else None
    result = checker.check(draft, context=context)
    # quoted with personal numbers masked, as everywhere else
    outfile.write(format_result(masked_text(draft, result.findings), result, color))
    return 1 if reaches(result.findings, fail_on) else 0
