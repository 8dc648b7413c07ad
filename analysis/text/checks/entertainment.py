"""Over-entertainment (tone): tone words, emoticon codes and emoji weighed by density, and
the model's tone probability.

The lexicon's tone words fire from ``TONE_THRESHOLD`` (major from ``TONE_MAJOR`` or with a
vulgar term). Emoticon codes ([哈哈], [doge]) and emoji count ``TONE_MARK_WEIGHT`` each. On
a post with government substance (the model sees neither an ad nor an off-topic subject)
tone needs a dense run of signals, never one alone. Tone words quoted to be named, not
used, do not count.
"""

from __future__ import annotations

import re
from typing import Any

from core.rules import TONE_NAMES

from .base import CONFIDENCE_NAMES, NONE, Hit, TextFinding, first_per_term
from .context import not_quoted

TONE_THRESHOLD = 2.0
TONE_MAJOR = 4.0
TONE_MARK_WEIGHT = 0.5  # an emoticon code ([哈哈]) or emoji: a tone signal weighed by density
TONE_DENSITY = 2.0  # tone signals per 100 characters for a post with government substance
# The model's tone probability that stands without a tone signal beside it (on a post without
# government substance); from 0.5 it needs two signals. Measured on the corpus's dev set:
# 0.55 / 0.65 / 0.75 gave precision 0.977 / 0.995 / 0.995, recall 0.885 / 0.851 / 0.826.
TONE_MODEL_ALONE = 0.65
MARK_SCAN_FROM = 0.1  # the model's tone probability from which a text is scanned for emoji
_ASTRAL_RE = re.compile("[\U00010000-\U0010ffff]")
_MARK_RE = re.compile("\\[[\u4e00-\u9fffA-Za-z]{1,6}\\]|[\U0001f300-\U0001faff\u2600-\u27bf]")


def tone_marks(
    full: str, probs: dict[str, float] | None, astral: bool | None = None
) -> list[tuple[int, int]]:
    """The spans of emoticon codes and emoji: scanned for when the text has a bracket, a
    character beyond the BMP (most emoji), or some tone in the model's eyes. ``astral``: whether
    the text may have a character beyond the BMP, when the caller knows (facts.py)."""
    if (
        "[" in full
        or probs is None
        or probs.get("entertainment", 1.0) >= MARK_SCAN_FROM
        or (_ASTRAL_RE.search(full) is not None if astral is None else astral)
    ):
        return [m.span() for m in _MARK_RE.finditer(full)]
    return NONE


def entertainment(
    full: str,
    norm: str,
    tones: list[Hit],
    cues: list[Hit],
    findings: list[TextFinding],
    scores: dict[str, float],
    marks: list[tuple[int, int]] | None = None,
    probs: dict[str, float] | None = None,
    candidates: dict[str, str] | None = None,
    model: Any = None,
) -> None:
    """Adds the tone findings and the score: the lexicon's tone words, plus emoticon codes
    ([哈哈]) and emoji weighed by density, plus the model (``model`` explains a finding that
    has no signal of its own)."""
    tones = first_per_term(not_quoted(norm, tones, bool(cues)))
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
        phrases = model.explain(full, "entertainment") if model is not None else []
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
