"""Drafts checked before publication (先审后发): the same checker and the same words as
`govwatch check` (analysis/text), the unit taken from the signed-in user. The text is kept and
shown with personal numbers masked (analysis/text/privacy.py), as the command prints it."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import PurePath

from analysis.text import Checker
from analysis.text.checks.base import LABEL_NAMES, PostContext, TextFinding
from analysis.text.privacy import masked_text
from analysis.text.runner import input_problem
from core.config import Config
from core.rules import rule_title
from core.vocabulary import Severity

MAX_DRAFT_BYTES = 2 * 1024 * 1024
MAX_DRAFT_CHARS = 200_000


class DraftError(ValueError):
    """A draft that cannot be read: the message names the file and the cause."""


def read_upload(filename: str, data: bytes) -> str:
    suffix = PurePath(filename).suffix.lower()
    if len(data) > MAX_DRAFT_BYTES:
        raise DraftError(f"{filename}：文件超过 {MAX_DRAFT_BYTES // 1024 // 1024} MB / file too large")
    if suffix == ".txt":
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                continue
        raise DraftError(f"{filename}：不是 UTF-8 或 GB18030 编码的文本 / not UTF-8 or GB18030 text")
    if suffix == ".docx":
        import docx

        try:
            document = docx.Document(io.BytesIO(data))
        except Exception as exc:  # noqa: BLE001 - any unreadable .docx is the same answer to the user
            raise DraftError(
                f"{filename}：无法读取的 .docx 文件 / not a readable .docx ({type(exc).__name__})"
            ) from None
        parts = [p.text for p in document.paragraphs]
        for table in document.tables:
            for row in table.rows:
                parts.append("\t".join(cell.text for cell in row.cells))
        return "\n".join(parts)
    raise DraftError(f"{filename}：只支持 .txt 和 .docx 文件 / only .txt and .docx files")


def clean(text: str) -> str:
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if len(text) > MAX_DRAFT_CHARS:
        raise DraftError(
            f"稿件超过 {MAX_DRAFT_CHARS} 字 / the draft is longer than {MAX_DRAFT_CHARS} characters"
        )
    problem = input_problem(text)
    if problem:
        raise DraftError(problem)
    return text


def checker(config: Config) -> Checker:
    """The checker `govwatch check` builds from the config's lexicons, allow-list and typo setting."""
    checks = config.checks
    return Checker.load(
        extra=[config.resolve(p) for p in checks.lexicons], allow=checks.allow, typos=checks.typos
    )


@dataclass
class DraftResult:
    text: str  # masked
    findings: list[TextFinding]
    stored: list[dict]


def check(config: Config, text: str, unit: str | None) -> DraftResult:
    result = checker(config).check(text, context=PostContext(unit=unit) if unit else None)
    masked = masked_text(text, result.findings)
    stored = [
        dict(
            f.to_json(),
            label=f.label,
            label_name=LABEL_NAMES.get(f.label, f.label),
            title=rule_title(f.rule),
            severity_label=Severity.label_of(f.severity),
        )
        for f in result.findings
    ]
    return DraftResult(masked, result.findings, stored)


def title_of(text: str) -> str:
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return first[:40] or "（无标题）"


def shown(text: str, findings: list[dict]) -> dict:
    """The draft cut into pieces for the page: plain text, and marked spans numbered after their
    finding (overlapping findings: the first one marks the span; the list shows them all)."""
    ordered = sorted(enumerate(findings, 1), key=lambda pair: (pair[1]["start"], pair[1]["end"]))
    pieces: list[dict] = []
    at = 0
    for number, f in ordered:
        start, end = max(f["start"], at), f["end"]
        if end <= start or start >= len(text):
            continue
        if start > at:
            pieces.append({"text": text[at:start], "mark": None})
        pieces.append({"text": text[start:end], "mark": number, "severity": f["severity"]})
        at = end
    if at < len(text):
        pieces.append({"text": text[at:], "mark": None})
    return {"pieces": pieces, "findings": [dict(f, number=n) for n, f in enumerate(findings, 1)]}
