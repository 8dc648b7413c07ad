"""The content checks: commercial, off-topic, over-entertainment, wording errors.

Pure: text in, findings out; lexicons are data files (lexicons/README.md). ``Checker``
puts the parts together (checks/):

- matcher.py: the lexicons compiled into one Aho-Corasick automaton; every match of a
  post in one scan, regexes only where their literals occur, nothing more for a post
  without a candidate signal;
- context.py: the rules that decide whether a match counts, whatever its label (hard
  negatives: protected spans, except contexts, word boundaries, warning cues; retired
  names against the post's date; the unit's own field);
- one module per label: commercial.py, off_topic.py, entertainment.py (tone),
  wording.py (the fixed list, leaders' titles, the typo model of typos.py);
- learned.py: the learned model's findings (model.py), where the context rules let them
  stand; base.py: the labels and the finding types;
- privacy.py (beside checks/): personal information and secret marks, found first; the
  other checks read the text with the personal numbers masked.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import ahocorasick_rs

from .checks.base import (
    CATEGORY,
    CONFIDENCE_NAMES,
    EMPTY_LABELS,
    LABEL_NAMES,
    LABELS,
    NONE,
    CheckResult,
    Hit,
    PostContext,
    TextFinding,
)
from .checks.commercial import commercial
from .checks.context import field_score, government_text, keep, rename_date
from .checks.entertainment import entertainment, tone_marks
from .checks.learned import candidates as model_candidates
from .checks.learned import learned
from .checks.matcher import SIGNAL_FAMILIES, Matcher, drop_nested
from .checks.off_topic import off_topic
from .checks.wording import typo_findings, wording
from .facts import ADDRESS, ASTRAL, FOLDS, NUMBER, SECRET
from .lexicon import BUNDLED_DIR, Entry, fold, lexicon_files, read_file
from .privacy import masked_text, privacy_findings

__all__ = [
    "CATEGORY",
    "CONFIDENCE_NAMES",
    "LABELS",
    "LABEL_NAMES",
    "CheckResult",
    "Checker",
    "PostContext",
    "TextFinding",
    "rename_date",
]

_HAN_RE = re.compile("[\u4e00-\u9fff]")
_PLAYFUL = frozenset(("entertainment",))  # labels on which the typo model is not run


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
        self.matcher = Matcher(self.entries, self.allow)
        self.authorities = self.matcher.authorities
        self.titles = self.matcher.titles
        self.substance = tuple(dict.fromkeys(e.term for e in self.entries if e.kind == "substance"))
        self._substance_find: Any = None

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

    def check(
        self,
        text: str,
        title: str | None = None,
        context: PostContext | None = None,
        probs: dict[str, float] | None = None,
        facts: int | None = None,
    ) -> CheckResult:
        """Labels, findings and scores of a post. ``probs`` and ``facts``: the model's
        probabilities and the bits of ``facts.text_facts`` of the whole post (title, newline,
        text), when computed for a batch (the nightly pass, a stream's chunk)."""
        full = f"{title}\n{text}" if title else text
        findings, scores = self._check(full, context, probs=probs, facts=facts)
        if not findings:
            return CheckResult(EMPTY_LABELS, findings, scores)
        return CheckResult(sorted({f.label for f in findings}), findings, scores)

    def findings(
        self,
        text: str,
        title: str | None = None,
        context: PostContext | None = None,
        probs: dict[str, float] | None = None,
        facts: int | None = None,
    ) -> list[TextFinding]:
        """The findings of ``check`` alone, in order (what ``govwatch check`` writes).

        ``probs`` and ``facts``: the model's probabilities and the bits of ``facts.text_facts``
        of the whole post (title, newline, text), when computed for a batch."""
        full = f"{title}\n{text}" if title else text
        return self._check(full, context, prune=True, probs=probs, facts=facts)[0]

    def scan_ahead(self, fulls: Sequence[str], facts: Sequence[int]) -> None:
        """Scan a batch of whole posts (title, newline, text) with the lexicons' automaton now,
        one after the other, for the ``findings`` of each that follow (a stream's chunk; the
        bits of ``facts.text_facts`` of each): the same matches, read from warm caches."""
        norms = [fold(full) if bits & FOLDS else full for full, bits in zip(fulls, facts, strict=True)]
        self.matcher.scan_ahead(norms)

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
        rows = m.probabilities(fulls)
        if len(labels) == 3:  # the shipped model: a dict display is six times dict(zip())
            a, b, c = labels
            return [{a: x, b: y, c: z} for x, y, z in rows]
        return [dict(zip(labels, row, strict=True)) for row in rows]

    def _check(
        self,
        full: str,
        context: PostContext | None,
        prune: bool = False,
        probs: dict[str, float] | None = None,
        facts: int | None = None,
    ) -> tuple[list[TextFinding], dict[str, float]]:
        """Findings (sorted) and scores of a whole post (title, newline, text). ``facts``: what
        the post may hold (facts.py), so that scans for what it cannot hold are skipped."""
        # Personal numbers are masked (same length) before the other checks read the text, so no
        # finding's evidence or explanation can quote one whole.
        if facts is None:
            leaks = privacy_findings(full)
        elif facts & (NUMBER | ADDRESS | SECRET):
            leaks = privacy_findings(
                full, None, facts & NUMBER != 0, facts & ADDRESS != 0, facts & SECRET != 0
            )
        else:
            leaks = NONE
        if leaks:
            full = masked_text(full, leaks)
            facts = None  # the facts were of the text before masking
        norm = fold(full) if facts is None or facts & FOLDS else full
        astral = None if facts is None else bool(facts & ASTRAL)
        numbers = facts is None or bool(facts & NUMBER)
        findings, scores = self._check_lexicons(full, norm, context, prune, probs, astral, numbers)
        if leaks:
            findings = sorted([*findings, *leaks], key=_finding_order)
        # A typo in any published post is a typo, ads and off-topic posts included; only a post
        # in a playful tone is spared, where slang spellings (童鞋, 神马, 肿么) are meant.
        if self.typos and _has_han(full) and not any(f.label in _PLAYFUL for f in findings):
            added = self._typos(full, norm, findings)
            if added and len(findings) > 1:
                findings.sort(key=_finding_order)
        return findings, scores

    def _typos(self, full: str, norm: str, findings: list[TextFinding]) -> bool:
        """Typos the model finds, outside the places already reported and the allowed terms."""
        return typo_findings(full, norm, self.allow, findings)

    def _check_lexicons(
        self,
        full: str,
        norm: str,
        context: PostContext | None,
        prune: bool,
        probs: dict[str, float] | None,
        astral: bool | None = None,
        numbers: bool = True,
    ) -> tuple[list[TextFinding], dict[str, float]]:
        """The lexicons, their context rules and the learned classifiers. ``astral``,
        ``numbers``: what the text may hold (facts.py), when known."""
        if probs is None and self.use_model:
            probs = self.model_probs([full])[0]
        model = self.model() if probs is not None else None
        labels = model_candidates(model, probs, full)
        marks = tone_marks(full, probs, astral)
        found = self.matcher.hits(norm, prune and not labels and len(marks) < 2, bool(labels), numbers)
        by_family: dict[str, list[Hit]] = {}
        if found is not None:
            kept = keep(norm, *found)
            if len(kept) > 1:
                kept = drop_nested(kept)
            for h in kept:
                fam = h[2].family
                if fam in by_family:
                    by_family[fam].append(h)
                else:
                    by_family[fam] = [h]
        if by_family.keys().isdisjoint(SIGNAL_FAMILIES) and not labels and len(marks) < 2:
            return [], {}
        unit = fold(context.unit) if context and context.unit else ""
        findings: list[TextFinding] = []
        scores: dict[str, float] = {}
        cues = by_family.get("cue", NONE)
        own = field_score(by_family.get("field", NONE), unit)
        if "ad" in by_family:
            commercial(full, by_family["ad"], by_family.get("gov", NONE), cues, own, findings, scores)
        if "topic" in by_family:
            off_topic(
                full,
                by_family["topic"],
                cues,
                own,
                findings,
                scores,
                by_family.get("gov", NONE),
                government_text(probs) and not unit,
            )
        if "tone" in by_family or len(marks) >= 2 or "entertainment" in labels:
            entertainment(
                full,
                norm,
                by_family.get("tone", NONE),
                cues,
                findings,
                scores,
                marks,
                probs,
                labels,
                model,
            )
        if labels and model is not None:
            learned(model, full, labels, by_family, own, unit, self.has_substance(norm), findings)
        if "wording" in by_family or "leader" in by_family:
            wording(
                full,
                norm,
                by_family.get("wording", NONE),
                by_family.get("leader", NONE),
                self.matcher.titles_longest,
                findings,
                context.published if context else None,
            )
        if len(findings) > 1:
            findings.sort(key=_finding_order)
        return findings, scores


def _finding_order(f: TextFinding) -> tuple[int, int, str]:
    return (f.start, f.end, f.rule)


def _has_han(text: str) -> bool:
    return _HAN_RE.search(text) is not None


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
