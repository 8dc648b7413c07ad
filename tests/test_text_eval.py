"""The evaluation floors of the content checks on the development set."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

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


@pytest.mark.slow  # the whole development set
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


@pytest.mark.slow  # the whole development set
def test_main_exits_non_zero_below_a_floor():
    out = io.StringIO()
    assert main([str(DATA / "devset.jsonl"), "--floors", "default"], out=out) == 0
    assert "precision" in out.getvalue() and "false alarms on clean posts" in out.getvalue()
    assert main([str(DATA / "devset.jsonl"), "--min-recall", "commercial=1.01"], out=io.StringIO()) == 1
    assert main([str(DATA / "missing.jsonl")], out=io.StringIO()) == 2


# Measured on the second holdout (tests/data/devset_holdout2.jsonl). Its first run, rules
# frozen, was 1.00/1.00/0.82/1.00 precision and 0.57/0.50/0.64/0.56 recall, 2/77 false alarms
# (BENCHMARKS.md, "Second holdout"). The lexicons were then widened by class with this file
# as development data: it is no longer a holdout and these floors, one post below each
# figure now measured (all 1.000, 0/77 false alarms), are development-set regression floors.
# devset.jsonl, devset_holdout.jsonl and this file are also training rows of the learned model
# (analysis/text/train.py, OWN_SETS): their floors guard the lexicons and rules, not the
# model's generalisation (the third holdout below and the corpus's dev set measure that).
HOLDOUT2_FLOORS = {
    "precision": {"commercial": 0.93, "off_topic": 0.93, "entertainment": 0.93, "wording_error": 0.93},
    "recall": {"commercial": 0.92, "off_topic": 0.92, "entertainment": 0.92, "wording_error": 0.93},
    "false_alarm": 0.02,
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
    """The second holdout, now development data (the rules were widened against its misses).

    First run, rules frozen: commercial P 1.000 R 0.571 (8/14), off_topic P 1.000 R 0.500
    (7/14), entertainment P 0.818 R 0.643 (9/14), wording_error P 1.000 R 0.562 (9/16);
    false alarms 2/77. After widening the lexicons by class (BENCHMARKS.md, "Development
    set figures"): every label P 1.000 R 1.000, false alarms 0/77. The floors sit one post
    below those figures, so one more miss or false alarm per label fails. They say nothing
    about unseen posts: the third holdout measures that.
    """
    report = evaluate(read_posts(DATA / "devset_holdout2.jsonl"), Checker.load())
    missed = check_floors(
        report, HOLDOUT2_FLOORS["precision"], HOLDOUT2_FLOORS["recall"], HOLDOUT2_FLOORS["false_alarm"]
    )
    assert missed == []
    assert report.clean == 77 and report.hard_negatives == 33


# Measured on the third holdout at its first run (written blind after the rules were widened),
# then again with the learned model beside the lexicons (the model is trained on the other
# three hand-written sets, never on this one): one post below each figure now measured, so
# a regression fails. Not the recall targets (see BENCHMARKS.md).
HOLDOUT3_FLOORS = {
    "precision": {"commercial": 0.93, "off_topic": 0.81, "entertainment": 0.93, "wording_error": 0.94},
    "recall": {"commercial": 0.73, "off_topic": 0.40, "entertainment": 0.80, "wording_error": 0.71},
    "false_alarm": 0.01,
}


def test_holdout3_floors():
    """The third holdout, written blind (its writer read neither the lexicons nor the other sets)
    after the rules were widened against the second; evaluated once, nothing tuned after it.

    First run: commercial P 1.000 R 0.737 (14/19), off_topic P 0.875 R 0.350 (7/20),
    entertainment P 1.000 R 0.700 (14/20), wording_error P 1.000 R 0.762 (16/21); false alarms
    0/108 (0/47 hard negatives). With the learned model: commercial R 0.789 (15/19), off_topic
    P 0.900 R 0.450 (9/20), entertainment R 0.850 (17/20), false alarms still 0/108. This is
    the honest estimate for unseen county posts: precision holds, recall does not reach the
    targets (0.9 for commercial and wording errors, 0.8 for off-topic and entertainment).
    """
    posts = read_posts(DATA / "devset_holdout3.jsonl")
    assert len(posts) >= 160 and len({p["id"] for p in posts}) == len(posts)
    report = evaluate(posts, Checker.load())
    missed = check_floors(
        report, HOLDOUT3_FLOORS["precision"], HOLDOUT3_FLOORS["recall"], HOLDOUT3_FLOORS["false_alarm"]
    )
    assert missed == []
    assert report.clean == 108 and report.hard_negatives == 47


def test_the_report_gives_each_labels_recall_by_source():
    posts = [
        {
            "id": "a",
            "text": "县人民医院开展义诊活动，为群众免废测量血压血糖。",
            "labels": ["wording_error"],
            "source": "ours_a",
        },
        {
            "id": "b",
            "text": "今天天气不错，我们出去玩吧。",
            "labels": ["wording_error"],
            "source": "theirs_b",
        },
        {"id": "c", "text": "县政府召开常务会议，研究部署安全生产工作。", "labels": [], "source": "ours_c"},
    ]
    report = evaluate(posts, Checker.load())
    assert report.by_source["wording_error"] == {"ours": [1, 1], "theirs": [0, 1]}
    from analysis.text.evaluate import format_report

    assert "wording_error recall by source: ours 1/1 = 1.000, theirs 0/1 = 0.000" in format_report(
        report, "x"
    )
