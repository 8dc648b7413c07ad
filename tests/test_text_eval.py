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
