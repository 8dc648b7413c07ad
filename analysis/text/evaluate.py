"""Evaluate the content checks on a labelled set: precision and recall per label.

    python -m analysis.text.evaluate [FILE ...] [--min-precision LABEL=0.95]
        [--min-recall LABEL=0.9] [--max-false-alarm 0.02] [--lexicon PATH] [--no-model] [-v]

FILE: JSON Lines of posts {"id", "title"?, "text", "unit"?, "platform"?,
"published"? (YYYY-MM-DD), "labels": [...], "optional"?: [...]} (default: tests/data/devset.jsonl). A
label in ``optional`` is defensible but was not judged: found or not, it
counts neither as a hit nor as a false alarm. The false-alarm rate is the
share of clean posts (no expected label) given any label that is not
optional. Rows with a ``subset`` (the corpus's dev.jsonl) also get their
false alarms per subset (hard_fraud, hard_weather ...). Exits 1 when a figure
is below its floor (none unless given), 2 on bad usage or a bad file.
``--floors default`` applies the in-repo floors (the project's own devsets);
``--floors corpus`` the floors on the real-text corpus (a little under the
targets: commercial P 0.95 R 0.85, off_topic and entertainment P 0.90 R 0.75,
false alarms at most 1%).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from .checker import LABELS, Checker, PostContext
from .typos import numbered_rows

DEFAULT_FILE = Path(__file__).resolve().parents[2] / "tests" / "data" / "devset.jsonl"
DEFAULT_FLOORS = {
    "precision": {"commercial": 0.95, "wording_error": 0.95, "off_topic": 0.9, "entertainment": 0.9},
    "recall": {"commercial": 0.9, "wording_error": 0.9, "off_topic": 0.8, "entertainment": 0.8},
    "false_alarm": 0.02,
}
# wording_error: a little under what the typo model reaches (0.863 / 0.306 with the
# general-Chinese counts; 0.887 / 0.267 before), not under the target (0.85 / 0.50), whose
# recall it does not meet; the floor catches a regression.
CORPUS_FLOORS = {
    "precision": {"commercial": 0.93, "off_topic": 0.88, "entertainment": 0.88, "wording_error": 0.84},
    "recall": {"commercial": 0.83, "off_topic": 0.73, "entertainment": 0.73, "wording_error": 0.29},
    "false_alarm": 0.01,
}
FLOORS = {"default": DEFAULT_FLOORS, "corpus": CORPUS_FLOORS}


@dataclass
class LabelStats:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


@dataclass
class Report:
    posts: int = 0
    clean: int = 0
    false_alarms: int = 0
    hard_negatives: int = 0
    hard_negative_alarms: int = 0
    per_label: dict[str, LabelStats] = field(
        default_factory=lambda: {label: LabelStats() for label in LABELS}
    )
    errors: list[tuple[str, list[str], list[str]]] = field(default_factory=list)  # id, expected, got
    subsets: dict[str, list[int]] = field(default_factory=dict)  # clean subset -> [posts, alarms]
    clean_alarms: dict[str, int] = field(default_factory=dict)  # label -> clean posts given it
    # label -> source family (a row's ``source`` up to its first "_": sighan, lemon ...) -> [found, rows]
    by_source: dict[str, dict[str, list[int]]] = field(default_factory=dict)

    @property
    def false_alarm_rate(self) -> float:
        return self.false_alarms / self.clean if self.clean else 0.0


def read_posts(path: Path) -> list[dict[str, Any]]:
    posts = []
    for number, obj in numbered_rows(path):
        bad = [label for label in obj.get("labels", []) if label not in LABELS]
        if bad:
            raise ValueError(f"{path}:{number}: unknown labels {bad}")
        posts.append(obj)
    return posts


_REF_DAY = re.compile(r"!((?:19|20)\d\d)(\d\d)(\d\d)-")  # the corpus' 人民日报 files: !20191031-19-03.txt
_REF_YEAR = re.compile(r"!((?:19|20)\d\d)#")  # its work reports: !2001#para161


def published_of(post: dict[str, Any]) -> date | None:
    """When a labelled post was published: its ``published`` (YYYY-MM-DD), or the date its
    ``ref`` names (the last day of a year named alone); None: unknown, checked as of now."""
    value = post.get("published")
    if isinstance(value, str):
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    ref = post.get("ref")
    if isinstance(ref, str):
        m = _REF_DAY.search(ref)
        if m:
            try:
                return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                return None
        m = _REF_YEAR.search(ref)
        if m:
            return date(int(m.group(1)), 12, 31)
    return None


def evaluate(posts: Iterable[dict[str, Any]], checker: Checker) -> Report:
    report = Report()
    posts = list(posts)
    fulls = [f"{p['title']}\n{p['text']}" if p.get("title") else p["text"] for p in posts]
    batch = getattr(checker, "model_probs", None)  # (absent on a checker without models)
    probs = batch(fulls) if batch else [None] * len(posts)
    for post, p in zip(posts, probs, strict=True):
        expected = set(post.get("labels", []))
        optional = set(post.get("optional") or ())
        ctx = PostContext(
            unit=post.get("unit"),
            account_name=post.get("account"),
            platform=post.get("platform"),
            published=published_of(post),
        )
        result = checker.check(post["text"], post.get("title"), ctx, probs=p) if batch else None
        result = result or checker.check(post["text"], post.get("title"), ctx)
        got = set(result.labels) - optional
        expected -= optional
        report.posts += 1
        subset = post.get("subset")
        if not expected and not post.get("labels"):
            report.clean += 1
            report.false_alarms += bool(got)
            for label in got:
                report.clean_alarms[label] = report.clean_alarms.get(label, 0) + 1
            if subset:
                counts = report.subsets.setdefault(subset, [0, 0])
                counts[0] += 1
                counts[1] += bool(got)
        if post.get("hard_negative") or str(subset or "").startswith("hard_"):
            report.hard_negatives += 1
            report.hard_negative_alarms += bool(got)
        for label in LABELS:
            stats = report.per_label[label]
            if label in got and label in expected:
                stats.tp += 1
            elif label in got:
                stats.fp += 1
            elif label in expected:
                stats.fn += 1
            if label in expected and post.get("source"):
                family = str(post["source"]).split("_", 1)[0]
                counts = report.by_source.setdefault(label, {}).setdefault(family, [0, 0])
                counts[0] += label in got
                counts[1] += 1
        if got != expected:
            report.errors.append((str(post.get("id")), sorted(expected), sorted(got)))
    return report


def format_report(report: Report, name: str) -> str:
    lines = [f"{name}: {report.posts} posts, {report.clean} clean ({report.hard_negatives} hard negatives)"]
    lines.append(f"{'label':<15}{'precision':>10}{'recall':>8}{'tp':>5}{'fp':>5}{'fn':>5}")
    for label in LABELS:
        s = report.per_label[label]
        lines.append(f"{label:<15}{s.precision:>10.3f}{s.recall:>8.3f}{s.tp:>5}{s.fp:>5}{s.fn:>5}")
    lines.append(
        f"false alarms on clean posts: {report.false_alarms}/{report.clean} = {report.false_alarm_rate:.2%}"
        f"; on hard negatives: {report.hard_negative_alarms}/{report.hard_negatives}"
    )
    if report.clean_alarms:
        lines.append(
            "false alarms by label: "
            + ", ".join(
                f"{label} {report.clean_alarms[label]}" for label in LABELS if label in report.clean_alarms
            )
        )
    for label in LABELS:
        families = report.by_source.get(label, {})
        if len(families) > 1:
            lines.append(
                f"{label} recall by source: "
                + ", ".join(
                    f"{name} {found}/{rows} = {found / rows:.3f}"
                    for name, (found, rows) in sorted(families.items())
                )
            )
    if report.subsets:
        lines.append(
            "false alarms by subset: "
            + ", ".join(f"{name} {a}/{n}" for name, (n, a) in sorted(report.subsets.items()))
        )
    return "\n".join(lines)


def check_floors(
    report: Report,
    min_precision: dict[str, float],
    min_recall: dict[str, float],
    max_false_alarm: float | None,
) -> list[str]:
    """The floors missed, as messages (empty: all met)."""
    missed = []
    for label, floor in min_precision.items():
        value = report.per_label[label].precision
        if value < floor:
            missed.append(f"{label} precision {value:.3f} < {floor}")
    for label, floor in min_recall.items():
        value = report.per_label[label].recall
        if value < floor:
            missed.append(f"{label} recall {value:.3f} < {floor}")
    if max_false_alarm is not None and report.false_alarm_rate > max_false_alarm:
        missed.append(f"false alarm rate {report.false_alarm_rate:.2%} > {max_false_alarm:.2%}")
    return missed


def _floor_arg(values: Sequence[str], what: str) -> dict[str, float]:
    out = {}
    for value in values:
        label, _, number = value.partition("=")
        if label not in LABELS:
            raise SystemExit(f"--min-{what}: unknown label {label!r} (one of {', '.join(LABELS)})")
        try:
            out[label] = float(number)
        except ValueError:
            raise SystemExit(f"--min-{what}: {value!r} is not LABEL=NUMBER") from None
    return out


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    ap = argparse.ArgumentParser(prog="python -m analysis.text.evaluate", description=__doc__.split("\n")[0])
    ap.add_argument("files", nargs="*", type=Path, help=f"labelled JSON Lines (default {DEFAULT_FILE})")
    ap.add_argument("--min-precision", action="append", default=[], metavar="LABEL=X")
    ap.add_argument("--min-recall", action="append", default=[], metavar="LABEL=X")
    ap.add_argument("--max-false-alarm", type=float, default=None, metavar="X")
    ap.add_argument("--floors", choices=sorted(FLOORS), help="apply a set of floors (see above)")
    ap.add_argument("--no-model", action="store_true", help="lexicons and rules only (no learned model)")
    ap.add_argument("--lexicon", action="append", default=[], help="extra lexicon file or folder")
    ap.add_argument("--allow", action="append", default=[], help="allow-listed term")
    ap.add_argument("-v", "--verbose", action="store_true", help="list the posts whose labels differ")
    try:
        args = ap.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0) and 2
    min_p = _floor_arg(args.min_precision, "precision")
    min_r = _floor_arg(args.min_recall, "recall")
    max_fa = args.max_false_alarm
    if args.floors:
        floors = FLOORS[args.floors]
        min_p = {**floors["precision"], **min_p}  # type: ignore[dict-item]
        min_r = {**floors["recall"], **min_r}  # type: ignore[dict-item]
        max_fa = floors["false_alarm"] if max_fa is None else max_fa  # type: ignore[assignment]
    try:
        checker = Checker.load(args.lexicon, args.allow, use_model=not args.no_model)
        status = 0
        for path in args.files or [DEFAULT_FILE]:
            report = evaluate(read_posts(path), checker)
            out.write(format_report(report, str(path)) + "\n")
            if args.verbose:
                for pid, expected, got in report.errors:
                    out.write(f"  {pid}: expected {expected}, got {got}\n")
            missed = check_floors(report, min_p, min_r, max_fa)
            for message in missed:
                out.write(f"BELOW FLOOR: {message}\n")
            status = status or (1 if missed else 0)
    except (OSError, ValueError) as exc:
        sys.stderr.write(f"evaluate: {exc}\n")
        return 2
    return status


if __name__ == "__main__":
    raise SystemExit(main())
