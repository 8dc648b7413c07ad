"""Off-topic content: the summed weight of distinct topic terms, from ``TOPIC_THRESHOLD``.

Signals a warning cue silences do not count, the unit's own field subtracts, and the
topics that are what an ad sells (直播带货, 减肥美容) are no second label beside a
commercial finding, nor in a post about 助农 or 消费券 (the channel being reported on).
"""

from __future__ import annotations

from collections.abc import Sequence

from core.rules import TOPIC_NAMES

from .base import Hit, TextFinding, distinct_weight, first_per_term
from .context import GOV_CONTEXT, not_warned

TOPIC_THRESHOLD = 2.0
# Topics that are what an ad sells: with a commercial finding they are not a second label.
PRODUCT_TOPICS = frozenset(("topic.livesale", "topic.beauty"))


def off_topic(
    full: str,
    topics: list[Hit],
    cues: list[Hit],
    field_score: float,
    findings: list[TextFinding],
    scores: dict[str, float],
    gov_hits: Sequence[Hit] = (),
    government_text: bool = False,
) -> None:
    """Adds the off-topic findings (one per topic term) and the score."""
    topics = first_per_term(not_warned(topics, cues))
    if government_text or (gov_hits and distinct_weight(gov_hits) <= GOV_CONTEXT and field_score == 0):
        # 带货, 网红 in a post about 助农, 消费帮扶, 消费券, or in a text the model reads as
        # government writing: the channel being reported on, not a sale
        topics = [h for h in topics if h[2].kind not in PRODUCT_TOPICS]
    if any(f.label == "commercial" for f in findings):
        # selling is already reported as an ad
        topics = [h for h in topics if h[2].kind not in PRODUCT_TOPICS]
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
