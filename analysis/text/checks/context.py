"""Context rules: what decides whether a match counts, whatever its label.

- Hard negatives: protected spans (correct standard formulations, allowed terms), an
  entry's ``except`` contexts, word boundaries (``word`` flag, checked with jieba on a small
  window), vocatives (``vocative`` flag), warning cues (anti-fraud warnings quote scam
  phrases: signals near a cue, or anywhere in a post with ``CUE_GLOBAL`` cues, do not
  count), quoted tone words that are named rather than used, @names.
- Date-aware names: a retired institution name in a historical mention (原…, a year
  before the reform, 更名/组建 ...) or in a post published before the rename.
- The unit's own field: field entries (fields.tsv) subtract from a score when the unit
  (责任主体) is theirs; ``own_field`` waives a model finding for a unit whose work it is.
"""

from __future__ import annotations

import re
import threading
from datetime import date, datetime
from typing import Any

from .base import Hit, inside

CUE_WINDOW = 20  # characters either side of a warning cue
CUE_GLOBAL = 2  # this many cues anywhere: the post is a warning
GOV_CONTEXT = -3.0  # government context at least this strong (summed gov weights)
# Units whose own work the model's label would call off-topic or commercial: a sports
# bureau's match results, a weather bureau's forecasts, a 文旅 account's offers, a 商务局's
# consumer vouchers. Words of the unit's name (责任主体); only the model's finding is waived,
# lexicon signals keep their own field rules (fields.tsv).
UNIT_OWN_FIELDS = {
    "off_topic": ("体育", "文体", "气象", "文化和旅游", "文旅", "旅游", "广播电视", "广电", "金融", "证券"),
    "commercial": (
        "商务",
        "文化和旅游",
        "文旅",
        "旅游",
        "招商",
        "投资促进",
        "供销",
        "农牧",
        "农业农村",
        "乡村振兴",
        "市场监督",
        "发展和改革",
        "发改",
        "住房和城乡建设",
        "住建",
        "税务",
    ),
}
# Shorter texts have too few n-grams for the model to speak: the lexicons alone decide.
HISTORY_WORDS = (
    "更名",
    "改为",
    "组建",
    "机构改革",
    "前身",
    "时任",
    "撤销",
    "划入",
    "整合",
    "曾",
    "原来",
    "当年",
    "历史",
)
_SENTENCE_END = "。！？!?；;\n"
_YEAR_RE = re.compile(r"((?:19|20)\d\d)\s*年")
PUNCT = frozenset("，,。.！!？?：:；;、~～ \t\n…—“”\"'（）()【】[]#@|")
_IMPERATIVE = ("快来", "快去", "快看", "快收藏", "赶紧", "赶快", "速来", "记得", "别忘了", "冲鸭")
_QUOTE_CHARS = ("“", "「", "『", "‘", '"')
_MENTION_AFTER = ("等", "这类", "之类", "这样的", "一类", "类", "字样", "字眼", "话术", "标题", "的标题")
_QUOTED_RE = re.compile(r'“[^”]*”|「[^」]*」|『[^』]*』|‘[^’]*’|"[^"]*"')


def keep(
    norm: str, hits: list[Hit], protect: list[tuple[int, int]], excepted: set[tuple[int, int]]
) -> list[Hit]:
    """The matches that count: outside protected spans and their entry's except contexts,
    on word boundaries (``word``) and used as vocatives (``vocative``) where flagged."""
    kept: list[Hit] = []
    for h in hits:
        start, end, e = h
        if protect and inside(protect, start, end):
            continue
        if e.excepts:
            if e.regex is not None:  # its term is the matched text
                if in_except(norm, h):
                    continue
            elif excepted and (id(e), start) in excepted:
                continue
        if e.flags:
            if "word" in e.flags and not on_word_boundaries(norm, start, end):
                continue
            if "vocative" in e.flags and not vocative(norm, start, end):
                continue
        kept.append(h)
    return kept


# -- jieba, only for entries flagged ``word`` and only around their matches --

_jieba_lock = threading.Lock()
_jieba: Any = None


def _tokenizer() -> Any:
    global _jieba
    with _jieba_lock:
        if _jieba is None:
            import logging

            import jieba

            jieba.setLogLevel(logging.WARNING)
            jieba.initialize()
            _jieba = jieba
    return _jieba


def on_word_boundaries(norm: str, start: int, end: int) -> bool:
    lo, hi = max(0, start - 8), min(len(norm), end + 8)
    edges = {lo}
    pos = lo
    for token in _tokenizer().cut(norm[lo:hi], HMM=False):
        pos += len(token)
        edges.add(pos)
    return start in edges and end in edges


def sentence(norm: str, start: int, end: int) -> tuple[int, int]:
    s = start
    while s > 0 and norm[s - 1] not in _SENTENCE_END:
        s -= 1
    e = end
    while e < len(norm) and norm[e] not in _SENTENCE_END:
        e += 1
    return s, e


# -- hard negatives --


def vocative(norm: str, start: int, end: int) -> bool:
    """Used to address readers: followed by punctuation, at the start of the post, or
    opening a clause with an imperative (“！宝宝们快来打卡”, “，家人们赶紧收藏”)."""
    if end == len(norm) or norm[end] in PUNCT:
        return True
    if start == 0:
        return norm[end] != "的"
    return norm[start - 1] in PUNCT and norm.startswith(_IMPERATIVE, end)


def in_except(norm: str, h: Hit) -> bool:
    start, end, entry = h
    term = entry.term if entry.regex is None else norm[start:end]
    for ctx in entry.excepts:
        k = ctx.find(term)
        while k >= 0:
            s = start - k
            if s >= 0 and norm.startswith(ctx, s):
                return True
            k = ctx.find(term, k + 1)
    return False


def not_warned(hits: list[Hit], cues: list[Hit]) -> list[Hit]:
    """The signals that no warning cue silences (near one, or any with ``CUE_GLOBAL`` cues)."""
    if not cues:
        return hits
    if len({c[0] for c in cues}) >= CUE_GLOBAL:
        return []
    return [h for h in hits if not any(c[0] - CUE_WINDOW <= h[1] and h[0] <= c[1] + CUE_WINDOW for c in cues)]


def quoted_spans(norm: str) -> list[tuple[int, int, bool]]:
    """Quoted passages: (start, end, mentioned) with ``mentioned`` when the quote, or the run
    of quotes it starts (“震惊”“速看”等), is followed by 等, 这类, 话术 ..."""
    found = [(m.start(), m.end()) for m in _QUOTED_RE.finditer(norm)]
    spans: list[tuple[int, int, bool]] = []
    for k, (start, end) in enumerate(found):
        last = end
        for s2, e2 in found[k + 1 :]:
            if s2 != last:
                break
            last = e2
        spans.append((start, end, norm.startswith(_MENTION_AFTER, last)))
    return spans


def not_quoted(norm: str, tones: list[Hit], warned: bool) -> list[Hit]:
    """Tone words quoted to be named, not used: inside quotes in a warning or rumour debunk
    (a cue anywhere in the post), or in a quote followed by 等/这类/话术 ... (“震惊”“速看”等标题)."""
    if not any(c in norm for c in _QUOTE_CHARS):
        return tones
    spans = [(s, e) for s, e, mentioned in quoted_spans(norm) if warned or mentioned]
    if not spans:
        return tones
    return [h for h in tones if not inside(spans, h[0], h[1])]


def in_mention(norm: str, pos: int) -> bool:
    """Inside an @name (an account's name is what it is, not a typo)."""
    k = pos - 1
    while k >= 0 and k >= pos - 20:
        ch = norm[k]
        if ch == "@":
            return True
        if ch in PUNCT or ch.isspace():
            return False
        k -= 1
    return False


# -- date-aware names --


def rename_date(value: str | None) -> date | None:
    """The day a retired name stopped being right, from a ``before=`` flag: YYYY-MM-DD, or a
    year alone (then the whole year counts as before: a post of that year is not flagged)."""
    if not value:
        return None
    try:
        if len(value) == 4:
            return date(int(value) + 1, 1, 1)
        return date.fromisoformat(value)
    except ValueError:
        return None


def before_rename(published: date | datetime | None, before: str | None) -> bool:
    if published is None:
        return False
    renamed = rename_date(before)
    if renamed is None:
        return False
    day = published.date() if isinstance(published, datetime) else published
    return day < renamed


def historical(norm: str, h: Hit) -> bool:
    s, e = sentence(norm, h[0], h[1])
    if "原" in norm[max(s, h[0] - 4) : h[0]]:
        return True
    before = (h[2].flag_value("before") or "")[:4]
    text = norm[s:e]
    if before.isdigit():
        for m in _YEAR_RE.finditer(text):
            if int(m.group(1)) < int(before):
                return True
    return any(w in text for w in HISTORY_WORDS)


# -- the unit's own field --


def government_text(probs: dict[str, float] | None) -> bool:
    """Whether the model reads the text as government writing: neither an ad nor off-topic."""
    return probs is not None and probs.get("off_topic", 1.0) < 0.5 and probs.get("commercial", 1.0) < 0.5


def own_field(unit: str, label: str) -> bool:
    return bool(unit) and any(word in unit for word in UNIT_OWN_FIELDS.get(label, ()))


def field_score(hits: list[Hit], unit: str) -> float:
    """What the unit's own field subtracts (fields.tsv entries naming the unit)."""
    if not unit or not hits:
        return 0.0
    seen: dict[str, float] = {}
    for h in hits:
        e = h[2]
        if any(u in unit for u in e.units):
            seen[e.term] = min(seen.get(e.term, 0.0), e.weight)
    return sum(seen.values())
