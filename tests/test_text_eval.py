"""The evaluation floors of the content checks on the development set (issue 4)."""

from __future__ import annotations

import io
from pathlib import Path

from analysis.text import Checker
from analysis.text.evaluate import DEFAULT_FLOORS, check_floors, evaluate, main, read_posts

DATA = Path(__file__).resolve().parent / "data"


def test_devset_is_as_described():
    posts = read_posts(DATA / "devset.jsonl")
    assert len(posts) >= 400
    assert sum(p["hard_negative"] for p in posts) >= 100
    for label in ("commercial", "off_topic", "entertainment", "wording_error"):
        assert sum(label in p["labels"] for p in posts) >= 40, label
    assert all(50 <= len(p["text"]) <= 500 and p["why"] for p in posts)
    assert len({p["id"] for p in posts}) == len(posts)
    assert len(read_posts(DATA / "devset_holdout.jsonl")) >= 80


def test_devset_floors():
    report = evaluate(read_posts(DATA / "devset.jsonl"), Checker.load())
    missed = check_floors(
        report, DEFAULT_FLOORS["precision"], DEFAULT_FLOORS["recall"], DEFAULT_FLOORS["false_alarm"]
    )
    assert missed == []
    for label, floor in DEFAULT_FLOORS["precision"].items():
        assert report.per_label[label].precision >= floor
    for label, floor in DEFAULT_FLOORS["recall"].items():
        assert report.per_label[label].recall >= floor
    assert report.false_alarm_rate <= 0.02


def test_main_exits_non_zero_below_a_floor():
    out = io.StringIO()
    assert main([str(DATA / "devset.jsonl"), "--floors", "default"], out=out) == 0
    assert "precision" in out.getvalue() and "false alarms on clean posts" in out.getvalue()
    assert main([str(DATA / "devset.jsonl"), "--min-recall", "commercial=1.01"], out=io.StringIO()) == 1
    assert main([str(DATA / "missing.jsonl")], out=io.StringIO()) == 2


# Measured on the second holdout (tests/data/devset_holdout2.jsonl) at its first run, with the
# rules and lexicons frozen: precision / recall (tp of n expected).
HOLDOUT2_FLOORS = {
    "precision": {"commercial": 0.95, "off_topic": 0.95, "entertainment": 0.8, "wording_error": 0.95},
    "recall": {"commercial": 0.55, "off_topic": 0.45, "entertainment": 0.6, "wording_error": 0.55},
    "false_alarm": 0.03,
}


def test_holdout2_is_as_described():
    posts = read_posts(DATA / "devset_holdout2.jsonl")
    assert len(posts) >= 120
    assert len({p["id"] for p in posts}) == len(posts)
    clean = [p for p in posts if not p["labels"]]
    assert sum(not p["hard_negative"] for p in clean) >= 40
    assert sum(p["hard_negative"] for p in clean) >= 30
    for label in ("commercial", "off_topic", "entertainment", "wording_error"):
        assert sum(label in p["labels"] for p in posts) >= 12, label
    assert all(50 <= len(p["text"]) <= 500 and p["why"] for p in posts)


def test_holdout2_floors():
    """The second holdout was written after the rules were frozen and never tuned against.

    These floors are the measured holdout figures of its first run (BENCHMARKS.md, "Second
    holdout"), set just below them so that one more miss or one more false alarm fails: they
    are NOT the issue's targets (DEFAULT_FLOORS), which this set does not reach — recall there
    was 0.50-0.64 per label. Raise them when the checker gets better; never tune rules to
    this file's sentences (it would stop being a holdout).
    Measured: commercial P 1.000 R 0.571 (8/14), off_topic P 1.000 R 0.500 (7/14),
    entertainment P 0.818 R 0.643 (9/14), wording_error P 1.000 R 0.562 (9/16);
    false alarms 2/77 clean posts (both hard negatives; 0/44 ordinary posts).
    """
    report = evaluate(read_posts(DATA / "devset_holdout2.jsonl"), Checker.load())
    missed = check_floors(
        report, HOLDOUT2_FLOORS["precision"], HOLDOUT2_FLOORS["recall"], HOLDOUT2_FLOORS["false_alarm"]
    )
    assert missed == []
    assert report.clean == 77 and report.hard_negatives == 33
