"""Commercial advertising: an explainable additive score over the ad signal groups.

Each signal group (contact, price, call to action, shop, marketing terms, absolute terms)
counts once with its strongest term; government context (消费券, 减税降费 ...) and the unit's
own field (助农 by 农牧局) subtract. An ad needs a score of at least ``AD_THRESHOLD`` from
two groups, or a link to a shop. Signals a warning cue silences do not count.
"""

from __future__ import annotations

from core.rules import AD_GROUP_NAMES

from ..lexicon import AD_GROUPS
from .base import Hit, TextFinding, distinct_weight, hit_start
from .context import not_warned

AD_THRESHOLD = 4.0


def commercial(
    full: str,
    signals: list[Hit],
    gov_hits: list[Hit],
    cues: list[Hit],
    field_score: float,
    findings: list[TextFinding],
    scores: dict[str, float],
) -> None:
    """Adds the commercial findings (one per signal group) and the score."""
    signals = not_warned(signals, cues)
    best: dict[str, Hit] = {}
    for h in signals:
        cur = best.get(h[2].kind)
        if cur is None or h[2].weight > cur[2].weight:
            best[h[2].kind] = h
    if not best:
        return
    positive = sum(h[2].weight for h in best.values())
    gov = distinct_weight(gov_hits)
    score = positive + gov + field_score
    scores["commercial"] = score
    link = any("link" in h[2].flags for h in best.values())
    if score < AD_THRESHOLD or (len(best) < 2 and not link):
        return
    groups = "、".join(AD_GROUP_NAMES[k] for k in AD_GROUPS if k in best)
    why = f"出现{groups}，疑似商业广告（评分 {score:g}，阈值 {AD_THRESHOLD:g}）"
    for h in sorted(best.values(), key=hit_start):
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
