"""The learned model's findings (model.py: commercial, off_topic, entertainment).

The model scores every post; a label it gives at 高 or 中 stands as a finding (the
phrases that weighed most, the confidence) unless the context rules waive it: a warning,
government context or the unit's own field; a word of government work (substance.tsv)
makes 中 not enough; a government account's post needs a topic word beside it for
off-topic. Tone is decided with the tone density (entertainment.py), never by one signal
on a post with government substance. Beside a lexicon finding of the same label the model
adds its confidence.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from ..model import MODEL_LABELS
from .base import CATEGORY, CONFIDENCE_NAMES, LABEL_NAMES, NONE, Hit, TextFinding, distinct_weight
from .context import CUE_GLOBAL, own_field

# Shorter texts have too few n-grams for the model to speak: the lexicons alone decide.
MODEL_MIN_CHARS = 8


def candidates(model: Any, probs: dict[str, float] | None, full: str) -> dict[str, str]:
    """The labels the model gives the text, with their level (high, medium)."""
    found: dict[str, str] = {}
    if model is not None and probs is not None and len(full) >= MODEL_MIN_CHARS:
        # (max with a default= is twice as slow: a keyword argument to a builtin, once a post)
        if (max(probs.values()) if probs else 0.0) < model.lowest_level:
            return found
        for label, p in probs.items():
            level = model.level(label, p)
            if level is not None:
                found[label] = level
    return found


def learned(
    model: Any,
    full: str,
    candidates: dict[str, str],
    by_family: dict[str, list[Hit]],
    field_score: float,
    unit: str,
    substance: bool,
    findings: list[TextFinding],
) -> None:
    """Adds the model's findings, where the context rules let them stand.

    Hard negatives the model cannot know: a warning (anti-fraud posts quote the
    ads they warn of), government context (消费券, 助农, 减税降费 ...), the unit's
    own field (a sports bureau's match results, a 文旅 account's offers). Tone
    is never a model label alone on a post with government substance: the
    entertainment family decides it from the density of tone signals.
    ``substance``: the text has a word of government work.
    """
    cues = by_family.get("cue", NONE)
    cue_count = len({c[0] for c in cues})
    gov = distinct_weight(by_family.get("gov", NONE))
    found = {f.label for f in findings}
    for label in MODEL_LABELS:
        level = candidates.get(label)
        if level is None:
            continue
        if label == "entertainment":
            continue  # decided with the tone density (entertainment.py)
        if label == "commercial":
            if cue_count or gov < 0 or field_score < 0 or own_field(unit, label):
                continue
            if level != "high" and substance:
                continue  # a service hotline in a notice: medium confidence is not enough
        if label == "off_topic":
            if cue_count >= CUE_GLOBAL or field_score < 0 or gov <= -3 or own_field(unit, label):
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
