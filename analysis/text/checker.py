"""The content checks: commercial, off-topic, over-entertainment, wording errors.

Pure: text in, findings out; lexicons are data files (lexicons/README.md).
All literal terms of all lexicons live in one Aho-Corasick automaton and the
few regular expressions in one combined pattern per family, so a post is
scanned twice whatever the size of the lexicons; a post with no candidate
match costs nothing more. Context rules then decide on the candidates:

- commercial: an explainable additive score. Each signal group (contact,
  price, call to action, shop, marketing terms, absolute terms) counts once
  with its strongest term; government context (消费券, 减税降费 ...) and the
  unit's own field (助农 by 农牧局) subtract. An ad needs a score of at least
  ``AD_THRESHOLD`` from two groups, or a link to a shop. Signals near a
  warning cue (谨防, 警惕 ...), or anywhere in a post with two or more cues,
  do not count: anti-fraud warnings quote scam phrases.
- off-topic: the summed weight of distinct topic terms, same cue and field
  rules, from ``TOPIC_THRESHOLD``.
- entertainment: the summed weight of distinct tone terms, from
  ``TONE_THRESHOLD``; major from ``TONE_MAJOR`` or with a vulgar term.
- wording: each wrong form is a finding with its correct form, unless it lies
  inside a correct standard formulation or an allowed term, inside one of the
  entry's ``except`` contexts, across a word boundary (``word`` flag, checked
  with jieba on a small window), or, for retired institution names, in a
  historical mention (原…, a year before the reform, 更名/组建 ...).
"""

from __future__ import annotations

import functools
import os
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ahocorasick

from .lexicon import AD_GROUPS, BUNDLED_DIR, Entry, fold, lexicon_files, read_file

LABELS = ("commercial", "off_topic", "entertainment", "wording_error")
CATEGORY = {
    "commercial": "off_mission",
    "off_topic": "off_mission",
    "entertainment": "over_entertainment",
    "wording_error": "wording_error",
}
LABEL_NAMES = {
    "commercial": "商业广告",
    "off_topic": "与政务无关",
    "entertainment": "过度娱乐化",
    "wording_error": "表述错误",
}
SEVERITY_NAMES = {"critical": "严重", "major": "较重", "minor": "一般"}

AD_THRESHOLD = 4.0
TOPIC_THRESHOLD = 2.0
TONE_THRESHOLD = 2.0
TONE_MAJOR = 4.0
CUE_WINDOW = 20  # characters either side of a warning cue
CUE_GLOBAL = 2  # this many cues anywhere: the post is a warning

AD_GROUP_NAMES = {
    "ad.contact": "联系方式",
    "ad.price": "价格促销",
    "ad.cta": "购买引导",
    "ad.shop": "店铺链接",
    "ad.strong": "营销用语",
    "ad.superlative": "极限用语",
}
TOPIC_NAMES = {
    "celebrity": "明星八卦",
    "stock": "股票荐股",
    "lottery": "彩票预测",
    "horoscope": "星座运势",
    "game": "网络游戏",
    "livesale": "直播带货",
    "lifestyle": "情感生活",
}
TONE_NAMES = {
    "cute": "卖萌语气",
    "slang": "网络流行语",
    "sad": "卖惨",
    "vulgar": "低俗用语",
    "clickbait": "标题党",
}
WORDING_NAMES = {
    "typo": "错别字",
    "formulation": "规范表述",
    "state_name": "国家和机构名称",
    "leader_title": "领导人职务",
    "retired_name": "已撤销机构名称",
}
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
_OVERLAPPING = frozenset(("cue", "gov", "field", "leader"))
_SIGNAL_FAMILIES = frozenset(("ad", "topic", "tone", "wording", "leader"))
_SENTENCE_END = "。！？!?；;\n"
_YEAR_RE = re.compile(r"((?:19|20)\d\d)\s*年")


@dataclass(frozen=True, slots=True)
class PostContext:
    """Who posted: lets the unit's own field through (助农 by 农牧局)."""

    unit: str | None = None  # 责任主体, e.g. 旗文化和旅游局
    account_name: str | None = None
    platform: str | None = None
    is_original: bool | None = None


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

    def to_json(self) -> dict[str, Any]:
        """The CONTRACT.md finding object (no label, no explanation)."""
        return {
            "category": self.category,
            "rule": self.rule,
            "severity": self.severity,
            "evidence": self.evidence,
            "start": self.start,
            "end": self.end,
            "suggestion": self.suggestion,
        }


@dataclass(slots=True)
class CheckResult:
    labels: list[str]
    findings: list[TextFinding]
    scores: dict[str, float] = field(default_factory=dict)  # commercial, off_topic, entertainment

    def to_json(self) -> dict[str, Any]:
        return {"labels": list(self.labels), "findings": [f.to_json() for f in self.findings]}


EMPTY_LABELS: list[str] = []


@dataclass(slots=True)
class _Hit:
    start: int
    end: int
    entry: Entry


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


def _on_word_boundaries(norm: str, start: int, end: int) -> bool:
    lo, hi = max(0, start - 8), min(len(norm), end + 8)
    edges = {lo}
    pos = lo
    for token in _tokenizer().cut(norm[lo:hi], HMM=False):
        pos += len(token)
        edges.add(pos)
    return start in edges and end in edges


def _sentence(norm: str, start: int, end: int) -> tuple[int, int]:
    s = start
    while s > 0 and norm[s - 1] not in _SENTENCE_END:
        s -= 1
    e = end
    while e < len(norm) and norm[e] not in _SENTENCE_END:
        e += 1
    return s, e


class Checker:
    """Lexicons compiled into matchers; ``check`` a post. Build with ``load``."""

    def __init__(self, entries: Sequence[Entry], allow: Sequence[str] = ()) -> None:
        self.entries: list[Entry] = list(entries)
        self.allow = tuple(fold(a.strip()) for a in allow if a and a.strip())
        self._automaton = ahocorasick.Automaton()
        by_term: dict[str, list[int]] = {}
        regex_by_family: dict[str, list[tuple[int, Entry]]] = {}
        self.authorities: list[str] = []
        self.titles: set[str] = set()
        for i, e in enumerate(self.entries):
            if e.kind == "authority":
                self.authorities.append(e.term)
            if e.kind == "title":
                self.titles.add(e.term)
                continue
            if e.kind == "leader" and e.suggestion:
                self.titles.update(fold(t) for t in e.suggestion.split("|") if t)
            if e.regex is not None:
                regex_by_family.setdefault(e.family, []).append((i, e))
            else:
                by_term.setdefault(e.term, []).append(i)
        self._allow_kind = Entry(
            "", "protect", 0.0, None, None, (), (), frozenset(), None, "allow", family="protect"
        )
        for term in self.allow:
            by_term.setdefault(term, []).append(-1)
        # Keys are the UTF-8 bytes in hex: pyahocorasick looks a node's children
        # up one by one, and 16 hex digits make a far narrower trie than the
        # thousands of Chinese characters (about twice as fast on Chinese text).
        for term, ids in by_term.items():
            key = term.encode("utf-8").hex()
            self._automaton.add_word(key, (len(key), len(term), tuple(ids)))
        self._has_words = bool(by_term)
        if self._has_words:
            self._automaton.make_automaton()
        # A family's regular expressions run only when the automaton found a
        # term of that family or one of its gate strings is in the text (the
        # scores make a regex-only finding impossible otherwise). Separate
        # patterns, so each keeps the regex engine's literal-prefix search: write
        # them to start with a literal, lookbehinds after it (1(?<!\d1)...).
        self._regexes: dict[str, tuple[tuple[str, ...], list[Entry]]] = {}
        for family, fam_entries in regex_by_family.items():
            gates = tuple(g for _, e in fam_entries for g in e.gates)
            self._regexes[family] = (gates, [e for _, e in fam_entries])
        self._titles_longest = sorted(self.titles, key=len, reverse=True)

    # -- loading --

    @classmethod
    def load(cls, extra: Sequence[str | Path] = (), allow: Sequence[str] = ()) -> Checker:
        """The bundled lexicons plus users' files or folders, and allowed terms.

        Cached on the files' names and modification times: loading again is free.
        """
        files = lexicon_files([BUNDLED_DIR]) + lexicon_files(extra)
        key = tuple((str(f.resolve()), os.stat(f).st_mtime_ns) for f in files)
        return _cached_checker(key, tuple(allow))

    # -- checking --

    def _hits(self, norm: str) -> list[_Hit]:
        entries = self.entries
        hits: list[_Hit] = []
        families: set[str] = set()
        if self._has_words:
            raw = norm.encode("utf-8")
            ascii_only = len(raw) == len(norm)
            for end_idx, (length, chars, ids) in self._automaton.iter(raw.hex()):
                hstart = end_idx - length + 1
                if hstart & 1:
                    continue  # not on a byte boundary
                start = hstart >> 1 if ascii_only else len(raw[: hstart >> 1].decode("utf-8"))
                end = start + chars
                for i in ids:
                    entry = self._allow_kind if i < 0 else entries[i]
                    hits.append(_Hit(start, end, entry))
                    families.add(entry.family)
        for family, (gates, regex_entries) in self._regexes.items():
            if family not in families and not any(g in norm for g in gates):
                continue
            for e in regex_entries:
                for m in e.regex.finditer(norm):  # type: ignore[union-attr]
                    hits.append(_Hit(m.start(), m.end(), e))
        return hits

    def check(self, text: str, title: str | None = None, context: PostContext | None = None) -> CheckResult:
        full = f"{title}\n{text}" if title else text
        norm = fold(full)
        hits = self._hits(norm)
        if not hits or not any(h.entry.family in _SIGNAL_FAMILIES for h in hits):
            return CheckResult(EMPTY_LABELS, [])
        protect = [(h.start, h.end) for h in hits if h.entry.kind == "protect"]
        kept: list[_Hit] = []
        for h in hits:
            e = h.entry
            if e.kind in ("protect", "authority", "title"):
                continue
            if protect and any(ps <= h.start and h.end <= pe for ps, pe in protect):
                continue
            if e.excepts and _in_except(norm, h):
                continue
            if e.flags:
                if "word" in e.flags and not _on_word_boundaries(norm, h.start, h.end):
                    continue
                if "vocative" in e.flags and not _vocative(norm, h.start, h.end):
                    continue
            kept.append(h)
        if not any(h.entry.family in _SIGNAL_FAMILIES for h in kept):
            return CheckResult(EMPTY_LABELS, [])
        if len(kept) > 1:
            kept = _drop_nested(kept)
        unit = fold(context.unit) if context and context.unit else ""
        findings: list[TextFinding] = []
        scores: dict[str, float] = {}
        cues = [h for h in kept if h.entry.kind == "cue"]
        field_score = _field_score(kept, unit)
        self._commercial(full, kept, cues, field_score, findings, scores)
        self._off_topic(full, kept, cues, field_score, findings, scores)
        self._entertainment(full, kept, findings, scores)
        self._wording(full, norm, kept, findings)
        if not findings:
            return CheckResult(EMPTY_LABELS, [], scores)
        findings.sort(key=lambda f: (f.start, f.end, f.rule))
        labels = sorted({f.label for f in findings})
        return CheckResult(labels, findings, scores)

    # -- families --

    def _commercial(
        self,
        full: str,
        hits: list[_Hit],
        cues: list[_Hit],
        field_score: float,
        findings: list[TextFinding],
        scores: dict[str, float],
    ) -> None:
        signals = [h for h in hits if h.entry.kind in AD_GROUPS]
        if not signals:
            return
        signals = _not_warned(signals, cues)
        best: dict[str, _Hit] = {}
        for h in signals:
            cur = best.get(h.entry.kind)
            if cur is None or h.entry.weight > cur.entry.weight:
                best[h.entry.kind] = h
        if not best:
            return
        positive = sum(h.entry.weight for h in best.values())
        gov = _distinct_weight(h for h in hits if h.entry.kind == "gov")
        score = positive + gov + field_score
        scores["commercial"] = score
        link = any("link" in h.entry.flags for h in best.values())
        if score < AD_THRESHOLD or (len(best) < 2 and not link):
            return
        groups = "、".join(AD_GROUP_NAMES[k] for k in AD_GROUPS if k in best)
        why = f"出现{groups}，疑似商业广告（评分 {score:g}，阈值 {AD_THRESHOLD:g}）"
        for h in sorted(best.values(), key=lambda h: h.start):
            findings.append(
                TextFinding(
                    "commercial",
                    "off_mission",
                    h.entry.kind,
                    "major",
                    full[h.start : h.end],
                    h.start,
                    h.end,
                    None,
                    why,
                )
            )

    def _off_topic(
        self,
        full: str,
        hits: list[_Hit],
        cues: list[_Hit],
        field_score: float,
        findings: list[TextFinding],
        scores: dict[str, float],
    ) -> None:
        topics = [h for h in hits if h.entry.family == "topic"]
        if not topics:
            return
        topics = _first_per_term(_not_warned(topics, cues))
        if "commercial" in {f.label for f in findings}:
            # selling is already reported as an ad
            topics = [h for h in topics if h.entry.kind != "topic.livesale"]
        if not topics:
            return
        score = sum(h.entry.weight for h in topics) + field_score
        scores["off_topic"] = score
        if score < TOPIC_THRESHOLD:
            return
        severity = "major" if score >= 2 * TOPIC_THRESHOLD else "minor"
        names = []
        for h in topics:
            name = TOPIC_NAMES.get(h.entry.kind[6:], h.entry.kind[6:])
            if name not in names:
                names.append(name)
        why = f"涉及{'、'.join(names)}等与政府工作无关的内容（评分 {score:g}，阈值 {TOPIC_THRESHOLD:g}）"
        for h in topics:
            findings.append(
                TextFinding(
                    "off_topic",
                    "off_mission",
                    "offtopic." + h.entry.kind[6:],
                    severity,
                    full[h.start : h.end],
                    h.start,
                    h.end,
                    None,
                    why,
                )
            )

    def _entertainment(
        self, full: str, hits: list[_Hit], findings: list[TextFinding], scores: dict[str, float]
    ) -> None:
        tones = _first_per_term([h for h in hits if h.entry.family == "tone"])
        if not tones:
            return
        score = sum(h.entry.weight for h in tones)
        scores["entertainment"] = score
        if score < TONE_THRESHOLD:
            return
        major = score >= TONE_MAJOR or any(h.entry.severity == "major" for h in tones)
        names = []
        for h in tones:
            name = TONE_NAMES.get(h.entry.kind[5:], h.entry.kind[5:])
            if name not in names:
                names.append(name)
        quoted = "、".join(f"“{full[h.start : h.end]}”" for h in tones[:3])
        why = f"使用{quoted}等{'、'.join(names)}，不符合政务发布的庄重表达（评分 {score:g}）"
        for h in tones:
            findings.append(
                TextFinding(
                    "entertainment",
                    "over_entertainment",
                    h.entry.kind,
                    "major" if major else "minor",
                    full[h.start : h.end],
                    h.start,
                    h.end,
                    None,
                    why,
                )
            )

    def _wording(self, full: str, norm: str, hits: list[_Hit], findings: list[TextFinding]) -> None:
        wording = [h for h in hits if h.entry.family == "wording"]
        if wording:
            for h in wording:
                e = h.entry
                if e.kind == "wording.retired_name" and _historical(norm, h):
                    continue
                wrong = full[h.start : h.end]
                if e.kind == "wording.retired_name":
                    why = f"“{wrong}”已在2018年机构改革中调整，现应称“{e.suggestion}”"
                elif e.kind == "wording.typo":
                    why = f"错别字：“{wrong}”应为“{e.suggestion}”"
                elif e.kind == "wording.leader_title":
                    why = f"领导人职务表述错误：“{wrong}”应为“{e.suggestion}”"
                else:
                    name = WORDING_NAMES.get(e.kind[8:], "表述")
                    why = f"{name}错误：“{wrong}”应为“{e.suggestion}”"
                severity = e.severity or "minor"
                findings.append(
                    TextFinding(
                        "wording_error",
                        "wording_error",
                        e.kind,
                        severity,
                        wrong,
                        h.start,
                        h.end,
                        e.suggestion,
                        why,
                    )
                )
        for h in hits:
            if h.entry.kind == "leader":
                self._leader(full, norm, h, findings)

    def _leader(self, full: str, norm: str, h: _Hit, findings: list[TextFinding]) -> None:
        own = [fold(t) for t in (h.entry.suggestion or "").split("|") if t]
        for title in self._titles_longest:
            if norm.startswith(title, h.end):
                start, end = h.start, h.end + len(title)
                break
            if norm.endswith(title, 0, h.start):
                start, end = h.start - len(title), h.end
                break
        else:
            return
        if title in own:
            return
        name = full[h.start : h.end]
        right = f"{name}{own[0]}" if end > h.end else f"{own[0]}{name}"
        why = f"领导人职务表述错误：{name}的职务不是“{full[start:end].replace(name, '')}”"
        findings.append(
            TextFinding(
                "wording_error",
                "wording_error",
                "wording.leader_title",
                h.entry.severity or "critical",
                full[start:end],
                start,
                end,
                right,
                why,
            )
        )


# -- helpers --


def _drop_nested(hits: list[_Hit]) -> list[_Hit]:
    """Drop a match lying inside a longer match of the same family (星座 in 星座运势)."""
    hits.sort(key=lambda h: (h.start, -(h.end - h.start)))
    out: list[_Hit] = []
    reach: dict[str, int] = {}  # family (ad: signal group) -> furthest end of a kept match
    for h in hits:
        fam = h.entry.kind if h.entry.family == "ad" else h.entry.family
        if fam in _OVERLAPPING or reach.get(fam, -1) < h.end:
            out.append(h)
            if h.end > reach.get(fam, -1):
                reach[fam] = h.end
    return out


_PUNCT = frozenset("，,。.！!？?：:；;、~～ \t\n…—“”\"'（）()【】[]#@|")


def _vocative(norm: str, start: int, end: int) -> bool:
    """Used to address readers: at the start of a clause or followed by punctuation."""
    if end == len(norm) or norm[end] in _PUNCT:
        return True
    return start == 0 and norm[end] != "的"


def _in_except(norm: str, h: _Hit) -> bool:
    term = h.entry.term if h.entry.regex is None else norm[h.start : h.end]
    for ctx in h.entry.excepts:
        k = ctx.find(term)
        while k >= 0:
            s = h.start - k
            if s >= 0 and norm.startswith(ctx, s):
                return True
            k = ctx.find(term, k + 1)
    return False


def _not_warned(hits: list[_Hit], cues: list[_Hit]) -> list[_Hit]:
    if not cues:
        return hits
    if len({c.start for c in cues}) >= CUE_GLOBAL:
        return []
    return [
        h
        for h in hits
        if not any(c.start - CUE_WINDOW <= h.end and h.start <= c.end + CUE_WINDOW for c in cues)
    ]


def _distinct_weight(hits: Any) -> float:
    seen: dict[str, float] = {}
    for h in hits:
        seen[h.entry.term] = h.entry.weight
    return sum(seen.values())


def _first_per_term(hits: list[_Hit]) -> list[_Hit]:
    seen: set[str] = set()
    out = []
    for h in sorted(hits, key=lambda h: h.start):
        if h.entry.term in seen:
            continue
        seen.add(h.entry.term)
        out.append(h)
    return out


def _field_score(hits: list[_Hit], unit: str) -> float:
    if not unit:
        return 0.0
    seen: dict[str, float] = {}
    for h in hits:
        e = h.entry
        if e.family == "field" and any(u in unit for u in e.units):
            seen[e.term] = min(seen.get(e.term, 0.0), e.weight)
    return sum(seen.values())


def _historical(norm: str, h: _Hit) -> bool:
    s, e = _sentence(norm, h.start, h.end)
    if "原" in norm[max(s, h.start - 4) : h.start]:
        return True
    before = h.entry.flag_value("before")
    sentence = norm[s:e]
    if before is not None:
        for m in _YEAR_RE.finditer(sentence):
            if int(m.group(1)) < int(before):
                return True
    return any(w in sentence for w in HISTORY_WORDS)


@functools.lru_cache(maxsize=16)
def _cached_checker(key: tuple[tuple[str, int], ...], allow: tuple[str, ...]) -> Checker:
    entries: list[Entry] = []
    for path, _mtime in key:
        entries.extend(_cached_file(path, _mtime))
    return Checker(entries, allow)


@functools.lru_cache(maxsize=256)
def _cached_file(path: str, mtime: int) -> tuple[Entry, ...]:
    return tuple(read_file(Path(path)))
