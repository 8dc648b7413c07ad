"""Wording errors: the fixed list of wrong forms, leaders' titles, and the typo model.

Each wrong form of the lexicons is a finding with its correct form (the context rules have
already dropped the ones inside a correct formulation, an allowed term, an ``except``
context or across a word boundary); a retired institution name is no error in a
historical mention or in a post published before the rename. A leader's name next to a
title that is not theirs is a finding. Typos beyond the list (typos.py): one wrong
character alike in sound or shape, found by a character model of official Chinese, with
the correct character, unless the list already reported the place.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from core.rules import WORDING_NAMES

from ..lexicon import fold
from .base import Hit, TextFinding
from .context import before_rename, historical, in_mention

TYPO_HIGH = 0.9  # model probability from which a typo's confidence reads 高


def wording(
    full: str,
    norm: str,
    wording_hits: list[Hit],
    leaders: list[Hit],
    titles_longest: Sequence[str],
    findings: list[TextFinding],
    published: date | datetime | None = None,
) -> None:
    """Adds a finding per wrong form and per leader with a title not theirs."""
    for h in wording_hits:
        e = h[2]
        if e.kind == "wording.retired_name" and (
            historical(norm, h) or before_rename(published, e.flag_value("before"))
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
        leader(full, norm, h, titles_longest, findings)


def typo_findings(full: str, norm: str, allow: Sequence[str], findings: list[TextFinding]) -> bool:
    """Adds the misspelt place names (places.py) and the typos the model finds, outside the
    spans already reported by a lexicon or a rule and the allowed terms; whether it added any.
    A learned model's evidence (the phrase that weighed most for an ad or an off-topic post)
    is no such span: a typo in it is still a typo (the model's phrase is often the typo
    itself, 说发 for 说法). A misspelt name takes its span before the model's typos."""
    from .. import places
    from .. import typos as typo_model

    misspelt = places.find(norm)
    found = typo_model.find(norm)
    if not found and not misspelt:
        return False
    taken = [(f.start, f.end) for f in findings if not f.rule.startswith("model.")]
    for term in allow:
        k = norm.find(term)
        while k >= 0:
            taken.append((k, k + len(term)))
            k = norm.find(term, k + 1)
    added = False
    for name in misspelt:
        end = name.at + len(name.written)
        if any(s < end and name.at < e for s, e in taken) or in_mention(norm, name.start):
            continue
        written = full[name.at : end]
        why = f"疑似地名错误：“{written}”中的“{full[name.start]}”应为“{name.right}”（“{name.name}”）"
        findings.append(
            TextFinding(
                "wording_error",
                "wording_error",
                "wording.place_name",
                "major",
                written,
                name.at,
                end,
                name.name,
                why,
            )
        )
        taken.append((name.at, end))
        added = True
    for t in found:
        if any(s < t.end and t.start < e for s, e in taken) or in_mention(norm, t.start):
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


def leader(full: str, norm: str, h: Hit, titles_longest: Sequence[str], findings: list[TextFinding]) -> None:
    """A leader's name with an adjacent title (longest first) that is not one of theirs."""
    hs, he, entry = h
    own = [fold(t) for t in (entry.suggestion or "").split("|") if t]
    for title in titles_longest:
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
