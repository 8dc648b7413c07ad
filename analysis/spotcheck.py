"""The spot check (抽查): a reproducible stratified sample of accounts for a period, and the 通报
draft's rows for it (序号, 单位, 帐号, 平台, 问题, 整改要求, the four dimensions, evidence links).

The sample: within each stratum (platform × 业务领域, core/fields.py), ceil(share × its size) accounts;
every account with a finding in the period is in it (so every unit with a finding is), and the
rest are drawn by a random generator seeded with (seed, period, stratum), so the same seed over
the same accounts always draws the same sample.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from analysis.scorecard import AccountScore, Scorecard
from core import rules
from core.vocabulary import Category
from storage import scorecard as rows


@dataclass
class Problem:
    finding_id: int
    rule: str
    category: str
    text: str  # 【class】title：evidence
    action: str  # 整改要求
    url: str | None


@dataclass
class SampledAccount:
    score: AccountScore
    problems: list[Problem] = field(default_factory=list)
    note: str = ""  # a person's 制作水准 note, imported
    forced: bool = False  # in the sample because of a finding


@dataclass
class SpotCheck:
    scorecard: Scorecard
    share: float
    seed: int
    population: int
    strata: dict[tuple[str, str], tuple[int, int]]  # (platform, 业务领域) -> (size, drawn)
    sampled: list[SampledAccount]


def draw(
    accounts: list[AccountScore], flagged: set[str], share: float, seed: int, period: str
) -> tuple[list[str], dict[tuple[str, str], tuple[int, int]]]:
    """The sampled account ids (sorted) and each stratum's (size, drawn)."""
    if not 0 < share <= 1:
        raise ValueError(f"share must be above 0 and at most 100%, not {share!r}")
    strata: dict[tuple[str, str], list[str]] = defaultdict(list)
    for a in accounts:
        strata[(a.platform, a.unit_field)].append(a.account_id)
    chosen: list[str] = []
    sizes = {}
    for key in sorted(strata):
        ids = sorted(strata[key])
        forced = [i for i in ids if i in flagged]
        rest = [i for i in ids if i not in flagged]
        wanted = math.ceil(share * len(ids))
        rng = random.Random(f"{seed}:{period}:{key[0]}:{key[1]}")
        drawn = rng.sample(rest, max(0, min(len(rest), wanted - len(forced))))
        chosen += forced + drawn
        sizes[key] = (len(ids), len(forced) + len(drawn))
    return sorted(chosen), sizes


def problem_of(row) -> Problem:  # noqa: ANN001 - a storage row
    rule = rules.rule(row.rule)
    title = rule.title if rule else row.rule
    return Problem(
        row.id,
        row.rule,
        row.category,
        f"【{Category.label_of(row.category)}】{title}：{row.evidence}",
        rule.action if rule else "",
        row.url,
    )


def spot_check(session: Session, scorecard: Scorecard, share: float, seed: int) -> SpotCheck:
    findings: dict[str, list[Problem]] = defaultdict(list)
    for row in rows.findings_in_period(session, scorecard.start, scorecard.end):
        findings[row.account_id].append(problem_of(row))
    accounts = scorecard.accounts
    ids, strata = draw(accounts, set(findings), share, seed, scorecard.period.code)
    notes = rows.notes(session, scorecard.period.code)
    by_id = scorecard.by_id()
    sampled = [SampledAccount(by_id[i], findings.get(i, []), notes.get(i, ""), i in findings) for i in ids]
    # 通报 order: units with problems first, then by unit and account
    sampled.sort(key=lambda s: (not s.problems, s.score.unit, s.score.name, s.score.account_id))
    return SpotCheck(scorecard, share, seed, len(accounts), strata, sampled)


def parse_share(text: str) -> float:
    """'20%', '20' or '0.2' → 0.2."""
    raw = text.strip()
    try:
        value = float(raw.rstrip("%")) / 100 if raw.endswith("%") or float(raw) > 1 else float(raw)
    except ValueError:
        raise ValueError(f"抽查比例格式不正确 / bad share {text!r}: write it like 20%") from None
    if not 0 < value <= 1:
        raise ValueError(f"抽查比例须大于 0 且不超过 100% / share must be above 0 and at most 100%: {text!r}")
    return value
