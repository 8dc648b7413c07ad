"""What every content check shares: the labels, the finding and result types, and a match.

A match (``Hit``) is a plain tuple (start, end, entry) in the folded text: built only for
posts that have a candidate signal, and cheaper than an object.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from core.vocabulary import ContentLabel

from ..lexicon import Entry

LABELS = tuple(ContentLabel)
CATEGORY = {label: label.category for label in ContentLabel}
# How the checker's explanations name each label (the report's names are ContentLabel.label).
LABEL_NAMES = {
    ContentLabel.COMMERCIAL: "商业广告",
    ContentLabel.OFF_TOPIC: "与政务无关",
    ContentLabel.ENTERTAINMENT: "过度娱乐化",
    ContentLabel.WORDING_ERROR: "表述错误",
}
CONFIDENCE_NAMES = {"high": "高", "medium": "中"}

Hit = tuple[int, int, Entry]
NONE: list[Any] = []  # an empty family (never modified)


@dataclass(frozen=True, slots=True)
class PostContext:
    """Who posted: lets the unit's own field through (助农 by 农牧局)."""

    unit: str | None = None  # 责任主体, e.g. 旗文化和旅游局
    account_name: str | None = None
    platform: str | None = None
    is_original: bool | None = None
    # When the post was published: a retired institution name is no error in a post
    # published before the rename. None: a draft, published now.
    published: date | datetime | None = None


@dataclass(frozen=True, slots=True)
class TextFinding:
    label: str
    category: str
    rule: str
    severity: str
    evidence: str
    start: int
    end: int
    suggestion: str | None
    explanation: str
    confidence: str | None = None  # 高 / 中: how sure the learned model is (None: lexicon only)

    def to_json(self) -> dict[str, Any]:
        """The CONTRACT.md finding object (no label), plus the confidence and the explanation."""
        return {
            "category": self.category,
            "rule": self.rule,
            "severity": self.severity,
            "evidence": self.evidence,
            "start": self.start,
            "end": self.end,
            "suggestion": self.suggestion,
            "confidence": self.confidence,
            "explanation": self.explanation,
        }


@dataclass(slots=True)
class CheckResult:
    labels: list[str]
    findings: list[TextFinding]
    scores: dict[str, float] = field(default_factory=dict)  # commercial, off_topic, entertainment

    def to_json(self) -> dict[str, Any]:
        return {"labels": list(self.labels), "findings": [f.to_json() for f in self.findings]}


EMPTY_LABELS: list[str] = []


def inside(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    for ps, pe in spans:  # noqa: SIM110 (a loop: no generator on the hot path)
        if ps <= start and end <= pe:
            return True
    return False


def hit_start(h: Hit) -> int:
    return h[0]


def distinct_weight(hits: Any) -> float:
    """The summed weight of the distinct terms matched."""
    seen: dict[str, float] = {}
    for h in hits:
        seen[h[2].term] = h[2].weight
    return sum(seen.values())


def first_per_term(hits: list[Hit]) -> list[Hit]:
    """The first match of each term, in order."""
    seen: set[str] = set()
    out = []
    for h in sorted(hits, key=hit_start):
        if h[2].term in seen:
            continue
        seen.add(h[2].term)
        out.append(h)
    return out
