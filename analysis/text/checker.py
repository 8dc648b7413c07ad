"""The content checks: commercial, off-topic, over-entertainment, wording errors.

Pure: text in, findings out; lexicons are data files (lexicons/README.md).
All literal terms of all lexicons, the regular expressions' gate strings and
factors (literals every match contains) and the entries' except contexts live
in one Aho-Corasick DFA (the Rust aho-corasick crate), so a post is scanned
once whatever the size of the lexicons; a regex runs only when the scan found
its family and one of its factors; a post with no candidate match costs
nothing more, and ``findings`` also stops when upper bounds show that no family
can reach its threshold. Context rules then decide on the candidates:

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
- the learned model (model.py: commercial, off_topic, entertainment) scores every
  post; a label it gives stands as a finding (phrases that weighed most, confidence
  高/中) unless the context rules waive it: a warning, government context or the
  unit's own field; a word of government work (substance.tsv) makes 中 not enough;
  a government account's post needs a topic word beside it for off-topic; tone is
  decided with the tone density (emoticon codes and emoji count too), never by
  one signal on a post with government substance. Beside a lexicon finding of
  the same label the model adds its confidence.
- wording: each wrong form is a finding with its correct form, unless it lies
  inside a correct standard formulation or an allowed term, inside one of the
  entry's ``except`` contexts, across a word boundary (``word`` flag, checked
  with jieba on a small window), or, for retired institution names, in a
  historical mention (原…, a year before the reform, 更名/组建 ...) or in a post
  published before the rename (``PostContext.published``).
- typos beyond the list (typos.py): one wrong character alike in sound or
  shape, found by a character model of official Chinese; a wording finding
  with the correct character, unless the list already reported the place.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import ahocorasick_rs

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
MODEL_LABELS = ("commercial", "off_topic", "entertainment")
CONFIDENCE_NAMES = {"high": "高", "medium": "中"}
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
MODEL_MIN_CHARS = 8
GOV_CONTEXT = -3.0  # government context at least this strong (summed gov weights)
TONE_MARK_WEIGHT = 0.5  # an emoticon code ([哈哈]) or emoji: a tone signal weighed by density
TONE_DENSITY = 2.0
# The model's tone probability that stands without a tone signal beside it (on a post without
# government substance); from 0.5 it needs two signals. Measured on the corpus's dev set:
# 0.55 / 0.65 / 0.75 gave precision 0.977 / 0.995 / 0.995, recall 0.885 / 0.851 / 0.826.
TONE_MODEL_ALONE = 0.65
MARK_SCAN_FROM = 0.1  # the model's tone probability from which a text is scanned for emoji  # tone signals per 100 characters for a post with government substance

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
    "sports": "体育八卦",
    "beauty": "减肥美容",
}
# Topics that are what an ad sells: with a commercial finding they are not a second label.
_PRODUCT_TOPICS = frozenset(("topic.livesale", "topic.beauty"))
TONE_NAMES = {
    "cute": "卖萌语气",
    "slang": "网络流行语",
    "sad": "卖惨",
    "vulgar": "低俗用语",
    "clickbait": "标题党",
    "hostile": "怼网民",
}
WORDING_NAMES = {
    "typo": "错别字",
    "formulation": "规范表述",
    "state_name": "国家和机构名称",
    "leader_title": "领导人职务",
    "retired_name": "已撤销机构名称",
    "cross_strait": "涉台港澳表述",
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
_ASTRAL_RE = re.compile("[\U00010000-\U0010ffff]")
_EMOJI_RE = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf]")
_MARK_RE = re.compile("\\[[\u4e00-\u9fffA-Za-z]{1,6}\\]|[\U0001f300-\U0001faff\u2600-\u27bf]")
_YEAR_RE = re.compile(r"((?:19|20)\d\d)\s*年")


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


# A hit is a plain tuple (start, end, entry): built only for posts that have a
# candidate signal, and cheaper than an object.
_Hit = tuple[int, int, Entry]


class Checker:
    """Lexicons compiled into matchers; ``check`` a post. Build with ``load``."""

    def __init__(
        self, entries: Sequence[Entry], allow: Sequence[str] = (), use_model: bool = True, typos: bool = True
    ) -> None:
        self.use_model = use_model  # the learned classifiers beside the lexicons (model.py)
        self._model: Any = None
        self.entries: list[Entry] = list(entries)
        self.typos = typos
        self.allow = tuple(fold(a.strip()) for a in allow if a and a.strip())
        self.authorities: list[str] = []
        self.titles: set[str] = set()
        self._allow_kind = Entry(
            "", "protect", 0.0, None, None, (), (), frozenset(), None, "allow", family="protect"
        )
        literal: dict[str, list[Entry]] = {}
        regex_by_family: dict[str, list[Entry]] = {}
        # One entry per leader's name, the last loaded: a user's file overrides the
        # bundled default (leaders.tsv) for the same person.
        last_leader = {e.term: e for e in self.entries if e.kind == "leader"}
        self.substance = tuple(dict.fromkeys(e.term for e in self.entries if e.kind == "substance"))
        self._substance_find: Any = None
        for e in self.entries:
            if e.kind == "leader" and last_leader[e.term] is not e or e.kind == "substance":
                continue
            if e.kind == "authority":
                self.authorities.append(e.term)
            if e.kind == "title":
                self.titles.add(e.term)
                continue
            if e.kind == "leader" and e.suggestion:
                self.titles.update(fold(t) for t in e.suggestion.split("|") if t)
            if e.regex is not None:
                regex_by_family.setdefault(e.family, []).append(e)
            else:
                literal.setdefault(e.term, []).append(e)
        for term in self.allow:
            literal.setdefault(term, []).append(self._allow_kind)
        # Regular expressions: a family's run only when the text has a term of
        # that family or one of the family's gate strings (the scores make a
        # regex-only finding impossible otherwise); and each one only when the
        # text has one of its "factors", literal strings that every match of it
        # contains (see _factors), or always when it has none.
        self._regexes: list[tuple[str, Entry, bool]] = []  # family, entry, always
        gates: dict[str, set[str]] = {}
        triggers: dict[str, list[int]] = {}
        for family, fam_entries in regex_by_family.items():
            for e in fam_entries:
                gates.setdefault(family, set()).update(e.gates)
                factors = _factors(e.regex)  # type: ignore[arg-type]
                for f in factors or ():
                    triggers.setdefault(f, []).append(len(self._regexes))
                self._regexes.append((family, e, not factors))
        regex_families = set(regex_by_family)
        self._regex_families = [
            (family, [(k, e, always) for k, (f, e, always) in enumerate(self._regexes) if f == family])
            for family in regex_by_family
        ]
        # One Aho-Corasick automaton (a compiled Rust DFA scanning the str) for
        # every literal term, gate string and regex factor. Per pattern: the
        # entries it stands for (protect and authority entries apart), whether
        # it is protected text, has a signal entry, enables regex families,
        # triggers regexes.
        # The except contexts of literal entries are patterns too: a term found
        # at offset k of a context that is found in the text is excepted.
        except_ctx: dict[str, list[tuple[int, int]]] = {}  # context -> (id of the entry, k)
        for ents in literal.values():
            for e in ents:
                for ctx in e.excepts:
                    k = ctx.find(e.term)
                    while k >= 0:
                        except_ctx.setdefault(ctx, []).append((id(e), k))
                        k = ctx.find(e.term, k + 1)
        patterns = list(
            dict.fromkeys([*literal, *(g for gs in gates.values() for g in gs), *triggers, *except_ctx])
        )
        entries_of: list[tuple[Entry, ...]] = []
        protect_idx, signal_idx = set(), set()
        self._enables: dict[int, frozenset[str]] = {}
        self._triggers: dict[int, tuple[int, ...]] = {}
        self._excepts_of: dict[int, tuple[tuple[int, int], ...]] = {}
        for idx, p in enumerate(patterns):
            ents = literal.get(p, [])
            entries_of.append(tuple(e for e in ents if e.kind not in _SKIPPED_KINDS))
            if any(e.kind == "protect" for e in ents):
                protect_idx.add(idx)
            if any(e.family in _SIGNAL_FAMILIES for e in ents):
                signal_idx.add(idx)
            enables = {e.family for e in ents} & regex_families
            enables.update(f for f, gs in gates.items() if p in gs)
            if enables:
                self._enables[idx] = frozenset(enables)
            if p in triggers:
                self._triggers[idx] = tuple(triggers[p])
            if p in except_ctx:
                self._excepts_of[idx] = tuple(except_ctx[p])
        self._entries_of = tuple(entries_of)
        self._protect_idx = frozenset(protect_idx)
        self._signal_idx = frozenset(signal_idx)
        self._trigger_idx = frozenset(self._triggers)
        # For the bounds of _may_fire: patterns with a wording or leader entry
        # (always worth the rules), with a gov entry of positive weight, and
        # with a warning cue that nothing but a protected span can silence.
        self._wording_idx = frozenset(
            i for i, ents in enumerate(entries_of) if any(e.family in ("wording", "leader") for e in ents)
        )
        self._gov_up = {
            i: sum(e.weight for e in ents if e.kind == "gov" and e.weight > 0)
            for i, ents in enumerate(entries_of)
            if any(e.kind == "gov" and e.weight > 0 for e in ents)
        }
        self._solid_cue_idx = frozenset(
            i
            for i, ents in enumerate(entries_of)
            if any(e.kind == "cue" and not e.excepts and not e.flags for e in ents)
        )
        self._enabler_idx = frozenset(self._enables)
        self._except_idx = frozenset(self._excepts_of)
        self._find: Any = None
        if patterns:
            automaton = ahocorasick_rs.AhoCorasick(
                patterns,
                matchkind=ahocorasick_rs.MatchKind.Standard,
                implementation=ahocorasick_rs.Implementation.DFA,
            )
            self._find = automaton.find_matches_as_indexes
        self._titles_longest = sorted(self.titles, key=len, reverse=True)

    # -- loading --

    @classmethod
    def load(
        cls,
        extra: Sequence[str | Path] = (),
        allow: Sequence[str] = (),
        use_model: bool = True,
        typos: bool = True,
    ) -> Checker:
        """The bundled lexicons plus users' files or folders, and allowed terms; with the
        shipped model unless ``use_model`` is False (the model loads on first use);
        ``typos``: also the typo model (typos.py), read on first use.

        Cached on the files' names and modification times: loading again is free.
        """
        files = lexicon_files([BUNDLED_DIR]) + lexicon_files(extra)
        key = tuple((str(f.resolve()), os.stat(f).st_mtime_ns) for f in files)
        return _cached_checker(key, tuple(allow), use_model, typos)

    # -- checking --

    def _hits(
        self, norm: str, prune: bool = False, context: bool = False
    ) -> tuple[list[_Hit], list[tuple[int, int]], set[tuple[int, int]]] | None:
        """The matches in the folded text, or None without a signal.

        With them: the protected spans, and the (entry id, start) of the
        literal matches that lie in one of their entry's except contexts.
        ``prune``: None also when no family can reach its threshold
        (``_may_fire``); the scores of such a post are then not computed.
        ``context``: the matches even without a signal (the context rules of a
        model finding need the cues, government words and fields).
        """
        matches = self._find(norm, True) if self._find is not None else ()
        if not matches:
            return None  # no term, no gate: no regex runs either
        idxs = {m[0] for m in matches}
        signal = not idxs.isdisjoint(self._signal_idx)
        regex_hits: list[_Hit] = []
        if not idxs.isdisjoint(self._enabler_idx):
            candidates = self._regex_candidates(idxs)
            if prune and candidates:
                # not even if every regex that may run matched (and silenced no cue)
                unknown = None if any(e.kind == "protect" for e in candidates) else _NONE
                if not self._may_fire(idxs, matches, candidates, unknown):
                    return None
            for e in candidates:
                for m in e.regex.finditer(norm):  # type: ignore[union-attr]
                    regex_hits.append((m.start(), m.end(), e))
                    if e.family in _SIGNAL_FAMILIES:
                        signal = True
        if not signal and not context:
            return None
        if prune:
            regex_protect = [(h[0], h[1]) for h in regex_hits if h[2].kind == "protect"]
            if not self._may_fire(idxs, matches, [h[2] for h in regex_hits], regex_protect):
                return None
        protect = (
            [(s, e) for idx, s, e in matches if idx in self._protect_idx]
            if not idxs.isdisjoint(self._protect_idx)
            else []
        )
        for h in regex_hits:
            if h[2].kind == "protect":
                protect.append((h[0], h[1]))
        entries_of = self._entries_of
        hits: list[_Hit] = [(s, e, entry) for idx, s, e in matches for entry in entries_of[idx]]
        for h in regex_hits:
            if h[2].kind not in _SKIPPED_KINDS:
                hits.append(h)
        excepted: set[tuple[int, int]] = set()
        if not idxs.isdisjoint(self._except_idx):
            excepts_of = self._excepts_of
            for idx, s, _e in matches:
                if idx in excepts_of:
                    excepted.update((eid, s + k) for eid, k in excepts_of[idx])
        return hits, protect, excepted

    def _regex_candidates(self, idxs: set[int]) -> list[Entry]:
        """The regexes to run: of a family with a term or gate in the text, and triggered or factorless."""
        enabled: set[str] = set()
        for idx in idxs & self._enabler_idx:
            enabled.update(self._enables[idx])
        triggered: set[int] = set()
        for idx in idxs & self._trigger_idx:
            triggered.update(self._triggers[idx])
        return [
            e
            for family, regexes in self._regex_families
            if family in enabled
            for k, e, always in regexes
            if always or k in triggered
        ]

    def _may_fire(
        self,
        idxs: set[int],
        matches: list[tuple[int, int, int]],
        regex_entries: list[Entry],
        regex_protect: list[tuple[int, int]] | None,
    ) -> bool:
        """Whether any family could reach its threshold: upper bounds from the raw matches.

        The context rules only ever drop matches and subtract (field, gov with
        negative weights), so a bound taken before them is safe: each ad signal
        group at its strongest positive weight plus positive gov weights; the
        positive weights of every topic and tone entry; any wording or leader
        match may be a finding. Two warning cues that nothing can silence (no
        except, no flag, outside protected spans) rule out ads and topics.
        ``regex_entries``: of the regexes that matched, or of all that may run;
        ``regex_protect``: the spans of protect regexes, None when unknown.
        """
        if not idxs.isdisjoint(self._wording_idx):
            return True
        entries_of = self._entries_of
        groups: dict[str, float] = {}
        link = False
        gov = topic = tone = 0.0
        signals = [e for idx in idxs & self._signal_idx for e in entries_of[idx]]
        if regex_entries:
            signals.extend({id(e): e for e in regex_entries}.values())
        for e in signals:
            fam = e.family
            w = e.weight if e.weight > 0 else 0.0
            if fam == "ad":
                if w >= groups.get(e.kind, 0.0):
                    groups[e.kind] = w
                if "link" in e.flags:
                    link = True
            elif fam == "topic":
                topic += w
            elif fam == "tone":
                tone += w
            elif fam == "gov":
                gov += w
            elif fam in ("wording", "leader"):
                return True
        if tone >= TONE_THRESHOLD:
            return True
        for idx in idxs & self._gov_up.keys():
            gov += self._gov_up[idx]
        ads = (len(groups) >= 2 or link) and sum(groups.values()) + gov >= AD_THRESHOLD
        if not ads and topic < TOPIC_THRESHOLD:
            return False
        if regex_protect is not None and not idxs.isdisjoint(self._solid_cue_idx):
            solid = self._solid_cue_idx
            starts = {s: e for idx, s, e in matches if idx in solid}
            if len(starts) >= CUE_GLOBAL and (regex_protect or not idxs.isdisjoint(self._protect_idx)):
                protect = [(s, e) for idx, s, e in matches if idx in self._protect_idx] + regex_protect
                starts = {s: e for s, e in starts.items() if not _inside(protect, s, e)}
            if len(starts) >= CUE_GLOBAL:
                return False
        return True

    def check(
        self,
        text: str,
        title: str | None = None,
        context: PostContext | None = None,
        probs: dict[str, float] | None = None,
    ) -> CheckResult:
        full = f"{title}\n{text}" if title else text
        findings, scores = self._check(full, context, probs=probs)
        if not findings:
            return CheckResult(EMPTY_LABELS, findings, scores)
        return CheckResult(sorted({f.label for f in findings}), findings, scores)

    def findings(
        self,
        text: str,
        title: str | None = None,
        context: PostContext | None = None,
        probs: dict[str, float] | None = None,
    ) -> list[TextFinding]:
        """The findings of ``check`` alone, in order (what ``govwatch check`` writes)."""
        return self._check(f"{title}\n{text}" if title else text, context, prune=True, probs=probs)[0]

    # -- the learned model --

    def has_substance(self, norm: str) -> bool:
        """Whether the folded text has a word of government work (substance.tsv)."""
        if not self.substance:
            return False
        if self._substance_find is None:
            self._substance_find = ahocorasick_rs.AhoCorasick(list(self.substance)).find_matches_as_indexes
        return bool(self._substance_find(norm))

    def model(self) -> Any:
        """The shipped content model (loaded on first use), or None when off or not shipped."""
        if not self.use_model:
            return None
        if self._model is None:
            from .model import shipped

            self._model = shipped()
            if self._model is None:
                self.use_model = False  # no model file shipped: the lexicons alone
        return self._model

    def model_probs(self, fulls: Sequence[str]) -> list[dict[str, float] | None]:
        """The model's probabilities of many whole posts (title, newline, text) in one pass."""
        m = self.model()
        if m is None or not fulls:
            return [None] * len(fulls)
        labels = m.labels
        return [dict(zip(labels, row, strict=True)) for row in m.probabilities(fulls)]

    def _check(
        self,
        full: str,
        context: PostContext | None,
        prune: bool = False,
        probs: dict[str, float] | None = None,
    ) -> tuple[list[TextFinding], dict[str, float]]:
        """Findings (sorted) and scores of a whole post (title, newline, text)."""
        norm = fold(full)
        findings, scores = self._check_lexicons(full, norm, context, prune, probs)
        # A typo in any published post is a typo, ads and off-topic posts included; only a post
        # in a playful tone is spared, where slang spellings (童鞋, 神马, 肿么) are meant.
        if self.typos and _has_han(full) and not any(f.label in _PLAYFUL for f in findings):
            added = self._typos(full, norm, findings)
            if added and len(findings) > 1:
                findings.sort(key=_finding_order)
        return findings, scores

    def _check_lexicons(
        self,
        full: str,
        norm: str,
        context: PostContext | None,
        prune: bool,
        probs: dict[str, float] | None,
    ) -> tuple[list[TextFinding], dict[str, float]]:
        """The lexicons, their context rules and the learned classifiers."""
        if probs is None and self.use_model:
            probs = self.model_probs([full])[0]
        model = self.model() if probs is not None else None
        candidates: dict[str, str] = {}
        if model is not None and probs is not None and len(full) >= MODEL_MIN_CHARS:
            for label, p in probs.items():
                level = model.level(label, p)
                if level is not None:
                    candidates[label] = level
        # emoticon codes and emoji: scanned for when the text has a bracket, a character
        # beyond the BMP (most emoji), or some tone in the model's eyes
        if (
            "[" in full
            or probs is None
            or probs.get("entertainment", 1.0) >= MARK_SCAN_FROM
            or _ASTRAL_RE.search(full) is not None
        ):
            tone_marks = [m.span() for m in _MARK_RE.finditer(full)]
        else:
            tone_marks = _NONE
        found = self._hits(norm, prune and not candidates and len(tone_marks) < 2, bool(candidates))
        by_family: dict[str, list[_Hit]] = {}
        if found is not None:
            hits, protect, excepted = found
            kept: list[_Hit] = []
            for h in hits:
                start, end, e = h
                if protect and _inside(protect, start, end):
                    continue
                if e.excepts:
                    if e.regex is not None:  # its term is the matched text
                        if _in_except(norm, h):
                            continue
                    elif excepted and (id(e), start) in excepted:
                        continue
                if e.flags:
                    if "word" in e.flags and not _on_word_boundaries(norm, start, end):
                        continue
                    if "vocative" in e.flags and not _vocative(norm, start, end):
                        continue
                kept.append(h)
            if len(kept) > 1:
                kept = _drop_nested(kept)
            for h in kept:
                fam = h[2].family
                if fam in by_family:
                    by_family[fam].append(h)
                else:
                    by_family[fam] = [h]
        if by_family.keys().isdisjoint(_SIGNAL_FAMILIES) and not candidates and len(tone_marks) < 2:
            return [], {}
        unit = fold(context.unit) if context and context.unit else ""
        findings: list[TextFinding] = []
        scores: dict[str, float] = {}
        cues = by_family.get("cue", _NONE)
        field_score = _field_score(by_family.get("field", _NONE), unit)
        if "ad" in by_family:
            self._commercial(
                full, by_family["ad"], by_family.get("gov", _NONE), cues, field_score, findings, scores
            )
        if "topic" in by_family:
            self._off_topic(
                full,
                by_family["topic"],
                cues,
                field_score,
                findings,
                scores,
                by_family.get("gov", _NONE),
                _government_text(probs) and not unit,
            )
        if "tone" in by_family or len(tone_marks) >= 2 or "entertainment" in candidates:
            self._entertainment(
                full,
                norm,
                by_family.get("tone", _NONE),
                cues,
                findings,
                scores,
                tone_marks,
                probs,
                candidates,
            )
        if candidates:
            self._learned(full, norm, candidates, probs or {}, by_family, field_score, unit, findings)
        if "wording" in by_family or "leader" in by_family:
            self._wording(
                full,
                norm,
                by_family.get("wording", _NONE),
                by_family.get("leader", _NONE),
                findings,
                context.published if context else None,
            )
        if len(findings) > 1:
            findings.sort(key=_finding_order)
        return findings, scores

    def _learned(
        self,
        full: str,
        norm: str,
        candidates: dict[str, str],
        probs: dict[str, float],
        by_family: dict[str, list[_Hit]],
        field_score: float,
        unit: str,
        findings: list[TextFinding],
    ) -> None:
        """The model's findings, where the context rules let them stand.

        Hard negatives the model cannot know: a warning (anti-fraud posts quote the
        ads they warn of), government context (消费券, 助农, 减税降费 ...), the unit's
        own field (a sports bureau's match results, a 文旅 account's offers). Tone
        is never a model label alone on a post with government substance: the
        entertainment family decides it from the density of tone signals.
        """
        model = self.model()
        if model is None:
            return
        cues = by_family.get("cue", _NONE)
        cue_count = len({c[0] for c in cues})
        gov = _distinct_weight(by_family.get("gov", _NONE))
        found = {f.label for f in findings}
        substance = self.has_substance(norm)
        for label in MODEL_LABELS:
            level = candidates.get(label)
            if level is None:
                continue
            if label == "entertainment":
                continue  # decided with the tone density (_entertainment)
            if label == "commercial":
                if cue_count or gov < 0 or field_score < 0 or _own_field(unit, label):
                    continue
                if level != "high" and substance:
                    continue  # a service hotline in a notice: medium confidence is not enough
            if label == "off_topic":
                if cue_count >= CUE_GLOBAL or field_score < 0 or gov <= -3 or _own_field(unit, label):
                    continue
                if "commercial" in found or "commercial" in candidates and level != "high":
                    continue  # selling is reported as an ad
                if substance and (level != "high" or "entertainment" in found):
                    # government substance: medium confidence is not enough, and colloquial
                    # tone (reported as such) is what made the model read it as off-topic
                    continue
                if unit and ("entertainment" in found or not by_family.get("topic")):
                    # A government account's own post: the model reads colloquial writing as
                    # off-topic, so it needs a subject word of the topic lexicon beside it
                    # (below the lexicon's own threshold); tone alone is the tone problem.
                    continue
            confidence = CONFIDENCE_NAMES[level]
            if label in found:
                # the lexicon found it too: its evidence stands, with the model's confidence
                for k, f in enumerate(findings):
                    if f.label == label and f.confidence is None:
                        findings[k] = dataclasses.replace(
                            f, confidence=confidence, explanation=f"{f.explanation}；模型置信度：{confidence}"
                        )
                continue
            phrases = model.explain(full, label)
            if not phrases:
                continue
            quoted = "".join(f"“{text}”" for text in dict.fromkeys(p.text for p in phrases))
            why = f"模型判断疑似{LABEL_NAMES[label]}（置信度：{confidence}），主要依据：{quoted}"
            severity = "major" if level == "high" else "minor"
            for p in phrases:
                findings.append(
                    TextFinding(
                        label,
                        CATEGORY[label],
                        f"model.{label}",
                        severity,
                        p.text,
                        p.start,
                        p.end,
                        None,
                        why,
                        confidence,
                    )
                )
            found.add(label)

    # -- families --

    def _commercial(
        self,
        full: str,
        signals: list[_Hit],
        gov_hits: list[_Hit],
        cues: list[_Hit],
        field_score: float,
        findings: list[TextFinding],
        scores: dict[str, float],
    ) -> None:
        signals = _not_warned(signals, cues)
        best: dict[str, _Hit] = {}
        for h in signals:
            cur = best.get(h[2].kind)
            if cur is None or h[2].weight > cur[2].weight:
                best[h[2].kind] = h
        if not best:
            return
        positive = sum(h[2].weight for h in best.values())
        gov = _distinct_weight(gov_hits)
        score = positive + gov + field_score
        scores["commercial"] = score
        link = any("link" in h[2].flags for h in best.values())
        if score < AD_THRESHOLD or (len(best) < 2 and not link):
            return
        groups = "、".join(AD_GROUP_NAMES[k] for k in AD_GROUPS if k in best)
        why = f"出现{groups}，疑似商业广告（评分 {score:g}，阈值 {AD_THRESHOLD:g}）"
        for h in sorted(best.values(), key=_start):
            findings.append(
                TextFinding(
                    "commercial",
                    "off_mission",
                    h[2].kind,
                    "major",
                    full[h[0] : h[1]],
                    h[0],
                    h[1],
                    None,
                    why,
                )
            )

    def _off_topic(
        self,
        full: str,
        topics: list[_Hit],
        cues: list[_Hit],
        field_score: float,
        findings: list[TextFinding],
        scores: dict[str, float],
        gov_hits: Sequence[_Hit] = (),
        government_text: bool = False,
    ) -> None:
        topics = _first_per_term(_not_warned(topics, cues))
        if government_text or (gov_hits and _distinct_weight(gov_hits) <= GOV_CONTEXT and field_score == 0):
            # 带货, 网红 in a post about 助农, 消费帮扶, 消费券, or in a text the model reads as
            # government writing: the channel being reported on, not a sale
            topics = [h for h in topics if h[2].kind not in _PRODUCT_TOPICS]
        if any(f.label == "commercial" for f in findings):
            # selling is already reported as an ad
            topics = [h for h in topics if h[2].kind not in _PRODUCT_TOPICS]
        if not topics:
            return
        score = sum(h[2].weight for h in topics) + field_score
        scores["off_topic"] = score
        if score < TOPIC_THRESHOLD:
            return
        severity = "major" if score >= 2 * TOPIC_THRESHOLD else "minor"
        names = []
        for h in topics:
            name = TOPIC_NAMES.get(h[2].kind[6:], h[2].kind[6:])
            if name not in names:
                names.append(name)
        why = f"涉及{'、'.join(names)}等与政府工作无关的内容（评分 {score:g}，阈值 {TOPIC_THRESHOLD:g}）"
        for h in topics:
            findings.append(
                TextFinding(
                    "off_topic",
                    "off_mission",
                    "offtopic." + h[2].kind[6:],
                    severity,
                    full[h[0] : h[1]],
                    h[0],
                    h[1],
                    None,
                    why,
                )
            )

    def _entertainment(
        self,
        full: str,
        norm: str,
        tones: list[_Hit],
        cues: list[_Hit],
        findings: list[TextFinding],
        scores: dict[str, float],
        marks: list[tuple[int, int]] | None = None,
        probs: dict[str, float] | None = None,
        candidates: dict[str, str] | None = None,
    ) -> None:
        """Tone: the lexicon's tone words, plus emoticon codes ([哈哈]) and emoji weighed by
        density, plus the model. On a post with government substance (the model sees neither an
        ad nor an off-topic subject) tone needs a dense run of signals, never one alone."""
        tones = _first_per_term(_not_quoted(norm, tones, bool(cues)))
        marks = marks or []
        if not tones and not marks and not (candidates and "entertainment" in candidates):
            return
        lexical = sum(h[2].weight for h in tones)
        score = lexical + TONE_MARK_WEIGHT * min(len(marks), 8)
        scores["entertainment"] = score
        signals = len(tones) + len(marks)
        density = 100.0 * signals / max(len(full), 50)
        level = (candidates or {}).get("entertainment")
        gov_substance = (
            probs is not None and probs.get("off_topic", 0.0) < 0.5 and probs.get("commercial", 0.0) < 0.5
        )
        if lexical >= TONE_THRESHOLD:
            fire = True  # the lexicon's own threshold, as before
        elif gov_substance:
            fire = score >= TONE_THRESHOLD and signals >= 3 and density >= TONE_DENSITY
        else:
            # one emoticon with neutral words is not enough; the model's 中 needs a second signal
            p_tone = probs.get("entertainment", 0.0) if probs else 0.0
            fire = (
                p_tone >= TONE_MODEL_ALONE
                or len(marks) >= 2
                or score >= TONE_THRESHOLD
                or (level is not None and signals >= 2)
            )
        if not fire or (not tones and not marks and level is None):
            return
        major = score >= TONE_MAJOR or any(h[2].severity == "major" for h in tones)
        names = []
        for h in tones:
            name = TONE_NAMES.get(h[2].kind[5:], h[2].kind[5:])
            if name not in names:
                names.append(name)
        if marks:
            names.append("表情符号")
        confidence = CONFIDENCE_NAMES[level] if level else None
        spans = [(h[0], h[1], h[2].kind) for h in tones] + [(s, e, "tone.emoticon") for s, e in marks[:5]]
        if not spans:
            phrases = self.model().explain(full, "entertainment") if self.model() is not None else []
            spans = [(p.start, p.end, "model.entertainment") for p in phrases]
            if not spans:
                return
        spans.sort()
        quoted = "、".join(f"“{full[s:e]}”" for s, e, _k in spans[:3])
        kinds = "、".join(names) if names else "娱乐化语气"
        why = f"使用{quoted}等{kinds}，不符合政务发布的庄重表达（评分 {score:g}）"
        if confidence:
            why += f"；模型置信度：{confidence}"
        for s, e, kind in spans:
            findings.append(
                TextFinding(
                    "entertainment",
                    "over_entertainment",
                    kind,
                    "major" if major else "minor",
                    full[s:e],
                    s,
                    e,
                    None,
                    why,
                    confidence,
                )
            )

    def _wording(
        self,
        full: str,
        norm: str,
        wording: list[_Hit],
        leaders: list[_Hit],
        findings: list[TextFinding],
        published: date | datetime | None = None,
    ) -> None:
        for h in wording:
            e = h[2]
            if e.kind == "wording.retired_name" and (
                _historical(norm, h) or _before_rename(published, e.flag_value("before"))
            ):
                continue
            wrong = full[h[0] : h[1]]
            if e.kind == "wording.retired_name":
                year = e.flag_value("reform") or (e.flag_value("before") or "")[:4]
                when = f"{year}年" if year else ""
                why = f"“{wrong}”已在{when}机构改革中调整，现应称“{e.suggestion}”"
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
                    h[0],
                    h[1],
                    e.suggestion,
                    why,
                )
            )
        for h in leaders:
            self._leader(full, norm, h, findings)

    def _typos(self, full: str, norm: str, findings: list[TextFinding]) -> bool:
        """Typos the model finds, outside the places already reported and the allowed terms."""
        from . import typos

        found = typos.find(norm)
        if not found:
            return False
        taken = [(f.start, f.end) for f in findings]
        for term in self.allow:
            k = norm.find(term)
            while k >= 0:
                taken.append((k, k + len(term)))
                k = norm.find(term, k + 1)
        added = False
        for t in found:
            if any(s < t.end and t.start < e for s, e in taken) or _in_mention(norm, t.start):
                continue
            wrong = full[t.start : t.end]
            confidence = "高" if t.probability >= TYPO_HIGH else "中"
            written = t.word[: t.start - t.word_start] + wrong + t.word[t.start - t.word_start + 1 :]
            why = (
                f"疑似错别字：“{written}”中的“{wrong}”应为“{t.right}”（“{t.word}”），可信度{confidence}"
                if len(t.word) > 1
                else f"疑似错别字：“{wrong}”应为“{t.right}”，可信度{confidence}"
            )
            findings.append(
                TextFinding(
                    "wording_error",
                    "wording_error",
                    "wording.typo",
                    "minor",
                    wrong,
                    t.start,
                    t.end,
                    t.right,
                    why,
                )
            )
            added = True
        return added

    def _leader(self, full: str, norm: str, h: _Hit, findings: list[TextFinding]) -> None:
        hs, he, entry = h
        own = [fold(t) for t in (entry.suggestion or "").split("|") if t]
        for title in self._titles_longest:
            if norm.startswith(title, he):
                start, end = hs, he + len(title)
                break
            if norm.endswith(title, 0, hs):
                start, end = hs - len(title), he
                break
        else:
            return
        if title in own:
            return
        name = full[hs:he]
        right = f"{name}{own[0]}" if end > he else f"{own[0]}{name}"
        why = f"领导人职务表述错误：{name}的职务不是“{full[start:end].replace(name, '')}”"
        findings.append(
            TextFinding(
                "wording_error",
                "wording_error",
                "wording.leader_title",
                entry.severity or "critical",
                full[start:end],
                start,
                end,
                right,
                why,
            )
        )


# -- helpers --

_SKIPPED_KINDS = frozenset(("protect", "authority", "title"))


_NONE: list[Any] = []  # an empty family (never modified)


def _inside(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    for ps, pe in spans:  # noqa: SIM110 (a loop: no generator on the hot path)
        if ps <= start and end <= pe:
            return True
    return False


def _start(h: _Hit) -> int:
    return h[0]


def _nested_order(h: _Hit) -> tuple[int, int]:
    return (h[0], h[0] - h[1])


def _finding_order(f: TextFinding) -> tuple[int, int, str]:
    return (f.start, f.end, f.rule)


def _factors(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """Literal strings one of which every match of the pattern contains, or None.

    Read from the parsed pattern: a run of literal characters, a small
    character set, the alternatives of a group, or a repeated item (at least
    once). Anything this cannot prove (case-insensitive matching, classes like
    \\d, optional items only) gives None, and so do factors too common to save
    anything (a single ASCII letter or digit): the pattern then runs whenever
    its family does.
    """
    if pattern.flags & re.IGNORECASE:
        return None
    try:
        from re import _parser  # type: ignore[attr-defined]

        found = _seq_factors(list(_parser.parse(pattern.pattern, pattern.flags)))
    except Exception:  # an unexpected parse tree: no shortcut, never a wrong answer
        return None
    return frozenset(found) if found else None


_MAX_FACTORS = 64


def _weak_factor(s: str) -> bool:
    """Too common to be worth an automaton match: a single ASCII letter, digit or space."""
    return len(s) == 1 and ((s.isascii() and s.isalnum()) or s.isspace())


def _exact(op: Any, av: Any) -> set[str] | None:
    """Every string one element can match (a superset will do), if few; else None."""
    from re import _constants as c  # type: ignore[attr-defined]

    if op is c.LITERAL:
        return {chr(av)}
    if op in (c.ASSERT, c.ASSERT_NOT, c.AT):
        return {""}  # zero-width: the characters around it stay adjacent
    if op is c.IN:
        chars: set[str] = set()
        for iop, iav in av:
            if iop is c.LITERAL:
                chars.add(chr(iav))
            elif iop is c.RANGE and iav[1] - iav[0] < _MAX_FACTORS:
                chars.update(chr(x) for x in range(iav[0], iav[1] + 1))
            else:
                return None
        return chars if len(chars) <= _MAX_FACTORS else None
    if op is c.BRANCH:
        union: set[str] = set()
        for branch in av[1]:
            sub = _exact_seq(list(branch))
            if sub is None:
                return None
            union |= sub
        return union if len(union) <= _MAX_FACTORS else None
    if op is c.SUBPATTERN and not av[1] & re.IGNORECASE:
        return _exact_seq(list(av[3]))
    return None


def _exact_seq(items: list[Any]) -> set[str] | None:
    out = {""}
    for op, av in items:
        sub = _exact(op, av)
        if sub is None:
            return None
        out = {a + b for a in out for b in sub}
        if len(out) > _MAX_FACTORS:
            return None
    return out


def _seq_factors(items: list[Any]) -> set[str] | None:
    """The best factor set of a sequence: adjacent fixed elements joined, or any one element's set."""
    from re import _constants as c  # type: ignore[attr-defined]

    best: set[str] | None = None

    def consider(cand: set[str] | None) -> None:
        nonlocal best
        if not cand or "" in cand or len(cand) > _MAX_FACTORS or any(map(_weak_factor, cand)):
            return
        if best is None or (min(map(len, cand)), -len(cand)) > (min(map(len, best)), -len(best)):
            best = cand

    run = {""}
    for op, av in items:
        sub = _exact(op, av)
        if sub is not None:
            joined = {a + b for a in run for b in sub}
            if len(joined) <= _MAX_FACTORS:
                run = joined
                continue
            consider(run)
            run = sub
            continue
        consider(run)
        run = {""}
        if op is c.BRANCH:
            union: set[str] = set()
            for branch in av[1]:
                found = _seq_factors(list(branch))
                if not found:
                    union = set()
                    break
                union |= found
            consider(union)
        elif op is c.SUBPATTERN:
            if not av[1] & re.IGNORECASE:
                consider(_seq_factors(list(av[3])))
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", None)):
            if av[0] >= 1:
                consider(_seq_factors(list(av[2])))
        elif op is getattr(c, "ATOMIC_GROUP", None):
            consider(_seq_factors(list(av)))
    consider(run)
    return best


def _drop_nested(hits: list[_Hit]) -> list[_Hit]:
    """Drop a match lying inside a longer match of the same family (星座 in 星座运势)."""
    hits.sort(key=_nested_order)
    out: list[_Hit] = []
    reach: dict[str, int] = {}  # family (ad: signal group) -> furthest end of a kept match
    for h in hits:
        e = h[2]
        fam = e.kind if e.family == "ad" else e.family
        if fam in _OVERLAPPING:
            out.append(h)
        elif reach.get(fam, -1) < h[1]:
            out.append(h)
            reach[fam] = h[1]
    return out


_PUNCT = frozenset("，,。.！!？?：:；;、~～ \t\n…—“”\"'（）()【】[]#@|")


_IMPERATIVE = ("快来", "快去", "快看", "快收藏", "赶紧", "赶快", "速来", "记得", "别忘了", "冲鸭")


def _vocative(norm: str, start: int, end: int) -> bool:
    """Used to address readers: followed by punctuation, at the start of the post, or
    opening a clause with an imperative (“！宝宝们快来打卡”, “，家人们赶紧收藏”)."""
    if end == len(norm) or norm[end] in _PUNCT:
        return True
    if start == 0:
        return norm[end] != "的"
    return norm[start - 1] in _PUNCT and norm.startswith(_IMPERATIVE, end)


def _in_except(norm: str, h: _Hit) -> bool:
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


def _not_warned(hits: list[_Hit], cues: list[_Hit]) -> list[_Hit]:
    if not cues:
        return hits
    if len({c[0] for c in cues}) >= CUE_GLOBAL:
        return []
    return [h for h in hits if not any(c[0] - CUE_WINDOW <= h[1] and h[0] <= c[1] + CUE_WINDOW for c in cues)]


_QUOTE_CHARS = ("“", "「", "『", "‘", '"')
_MENTION_AFTER = ("等", "这类", "之类", "这样的", "一类", "类", "字样", "字眼", "话术", "标题", "的标题")


_QUOTED_RE = re.compile(r'“[^”]*”|「[^」]*」|『[^』]*』|‘[^’]*’|"[^"]*"')


def _quoted_spans(norm: str) -> list[tuple[int, int, bool]]:
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


def _not_quoted(norm: str, tones: list[_Hit], warned: bool) -> list[_Hit]:
    """Tone words quoted to be named, not used: inside quotes in a warning or rumour debunk
    (a cue anywhere in the post), or in a quote followed by 等/这类/话术 ... (“震惊”“速看”等标题)."""
    if not any(c in norm for c in _QUOTE_CHARS):
        return tones
    spans = [(s, e) for s, e, mentioned in _quoted_spans(norm) if warned or mentioned]
    if not spans:
        return tones
    return [h for h in tones if not _inside(spans, h[0], h[1])]


def _distinct_weight(hits: Any) -> float:
    seen: dict[str, float] = {}
    for h in hits:
        seen[h[2].term] = h[2].weight
    return sum(seen.values())


def _first_per_term(hits: list[_Hit]) -> list[_Hit]:
    seen: set[str] = set()
    out = []
    for h in sorted(hits, key=_start):
        if h[2].term in seen:
            continue
        seen.add(h[2].term)
        out.append(h)
    return out


def rule_name(rule: str) -> str:
    """What a supervisor reads for a rule: its Chinese name, never the internal id."""
    family, _, name = rule.partition(".")
    if family == "model":
        return "模型判断"
    if family == "ad":
        return AD_GROUP_NAMES.get(rule, "营销信号")
    if family in ("offtopic", "topic"):
        return TOPIC_NAMES.get(name, "无关话题")
    if family == "tone":
        return "表情符号" if name == "emoticon" else TONE_NAMES.get(name, "娱乐化语气")
    if family in ("wording", "leader"):
        return WORDING_NAMES.get(name, "表述错误")
    return "内容问题"


def _government_text(probs: dict[str, float] | None) -> bool:
    """Whether the model reads the text as government writing: neither an ad nor off-topic."""
    return probs is not None and probs.get("off_topic", 1.0) < 0.5 and probs.get("commercial", 1.0) < 0.5


def _own_field(unit: str, label: str) -> bool:
    return bool(unit) and any(word in unit for word in UNIT_OWN_FIELDS.get(label, ()))


def _field_score(hits: list[_Hit], unit: str) -> float:
    if not unit or not hits:
        return 0.0
    seen: dict[str, float] = {}
    for h in hits:
        e = h[2]
        if any(u in unit for u in e.units):
            seen[e.term] = min(seen.get(e.term, 0.0), e.weight)
    return sum(seen.values())


_HAN_RE = re.compile("[\u4e00-\u9fff]")
TYPO_HIGH = 0.9  # model probability from which a typo's confidence reads 高
_PLAYFUL = frozenset(("entertainment",))  # labels on which the typo model is not run


def _has_han(text: str) -> bool:
    return _HAN_RE.search(text) is not None


def _in_mention(norm: str, pos: int) -> bool:
    """Inside an @name (an account's name is what it is, not a typo)."""
    k = pos - 1
    while k >= 0 and k >= pos - 20:
        ch = norm[k]
        if ch == "@":
            return True
        if ch in _PUNCT or ch.isspace():
            return False
        k -= 1
    return False


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


def _before_rename(published: date | datetime | None, before: str | None) -> bool:
    if published is None:
        return False
    renamed = rename_date(before)
    if renamed is None:
        return False
    day = published.date() if isinstance(published, datetime) else published
    return day < renamed


def _historical(norm: str, h: _Hit) -> bool:
    s, e = _sentence(norm, h[0], h[1])
    if "原" in norm[max(s, h[0] - 4) : h[0]]:
        return True
    before = (h[2].flag_value("before") or "")[:4]
    sentence = norm[s:e]
    if before.isdigit():
        for m in _YEAR_RE.finditer(sentence):
            if int(m.group(1)) < int(before):
                return True
    return any(w in sentence for w in HISTORY_WORDS)


@functools.lru_cache(maxsize=16)
def _cached_checker(
    key: tuple[tuple[str, int], ...], allow: tuple[str, ...], use_model: bool = True, typos: bool = True
) -> Checker:
    entries: list[Entry] = []
    for path, _mtime in key:
        entries.extend(_cached_file(path, _mtime))
    return Checker(entries, allow, use_model, typos)


@functools.lru_cache(maxsize=256)
def _cached_file(path: str, mtime: int) -> tuple[Entry, ...]:
    return tuple(read_file(Path(path)))
