"""The learned content classifiers: a linear model on hashed character n-grams.

Pure and light: numpy only (no scikit-learn at run time). Three labels
(commercial, off_topic, entertainment) share one feature space: every
character 1- to 4-gram of the normalised text (case and width folded, digits
as 0, whitespace runs as one space) hashed into ``2**bits`` buckets. A post's
score for a label is ``bias + sum(weight[bucket]) / sqrt(number of n-grams)``
and its probability the logistic of that. Training (analysis/text/train.py,
scikit-learn) writes the weights (``content.npy``, float16, memory-mapped on
first use) and the metadata (``content.json``: hashing, biases, thresholds,
what it was trained on).

Scoring works on a batch of texts at once (one numpy pass over all their
characters), so a stream of posts costs a few microseconds a post; one text
costs the same calls with a short array. ``explain`` maps the n-grams that
weighed most back to spans of the text.
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

MODEL_DIR = Path(__file__).with_name("models")
MODEL_NAME = "content"
MODEL_LABELS = ("commercial", "off_topic", "entertainment")

_PRIME = np.uint64(1_000_003)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_SALTS = tuple(np.uint64(0x51ED2701 * (n + 1) + 0x2545F491) for n in range(8))
MAX_ORDER = 4

# Code point normalisation table for the Basic Multilingual Plane: ASCII upper
# case to lower, full-width forms (FF01-FF5E) to ASCII, every digit to 0,
# whitespace (and the ideographic space) to one space. Characters beyond the
# BMP (emoji) are kept as they are.
_TABLE = np.arange(0x10000, dtype=np.uint32)
_TABLE[0xFF01:0xFF5F] = np.arange(0x21, 0x7F, dtype=np.uint32)
_TABLE[ord("A") : ord("Z") + 1] += 32
_TABLE[0xFF21:0xFF3B] = np.arange(ord("a"), ord("z") + 1, dtype=np.uint32)
_TABLE[ord("0") : ord("9") + 1] = ord("0")
_TABLE[0xFF10:0xFF1A] = ord("0")
for _ws in (0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x3000, 0xA0):
    _TABLE[_ws] = 0x20


def codes_of(text: str) -> np.ndarray:
    """The normalised code points of a text (same length as the text)."""
    raw = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")
    out = raw.copy()
    bmp = raw < 0x10000
    out[bmp] = _TABLE[raw[bmp]]
    return out


@dataclass(slots=True)
class Grams:
    """The hashed n-grams of a batch: bucket, post, start and order of each."""

    bucket: np.ndarray  # int64
    post: np.ndarray  # int64, index of the text in the batch
    start: np.ndarray  # int64, offset in its text
    order: np.ndarray  # int8
    count: np.ndarray  # float64 per text: how many n-grams it has


def grams(texts: Sequence[str], bits: int, max_order: int = MAX_ORDER) -> Grams:
    """Every character n-gram (1..max_order) of the texts, hashed, never across two texts."""
    n_texts = len(texts)
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=n_texts)
    joined = "".join(texts)
    codes = codes_of(joined).astype(np.uint64)
    total = codes.shape[0]
    starts_of_text = np.zeros(n_texts + 1, dtype=np.int64)
    np.cumsum(lengths, out=starts_of_text[1:])
    post_of = np.repeat(np.arange(n_texts, dtype=np.int64), lengths)
    end_of = starts_of_text[1:][post_of]  # end (exclusive) of each position's text
    pos = np.arange(total, dtype=np.int64)
    shift = np.uint64(64 - bits)
    buckets, posts, starts, orders = [], [], [], []
    h = codes
    for n in range(1, max_order + 1):
        if n > 1:
            if h.shape[0] < 2:
                break
            h = h[:-1] * _PRIME + codes[n - 1 :]
        m = h.shape[0]
        valid = pos[:m] + n <= end_of[:m]
        hv = h[valid]
        buckets.append(((hv ^ _SALTS[n]) * _GOLDEN) >> shift)
        p = post_of[:m][valid]
        posts.append(p)
        starts.append(pos[:m][valid] - starts_of_text[p])
        orders.append(np.full(hv.shape[0], n, dtype=np.int8))
    if not buckets:
        empty = np.zeros(0, dtype=np.int64)
        return Grams(empty, empty, empty, np.zeros(0, dtype=np.int8), np.zeros(n_texts))
    post = np.concatenate(posts)
    count = np.bincount(post, minlength=n_texts).astype(np.float64)
    return Grams(
        np.concatenate(buckets).astype(np.int64), post, np.concatenate(starts), np.concatenate(orders), count
    )


@dataclass(frozen=True, slots=True)
class Phrase:
    """A span of the text that weighed for a label."""

    start: int
    end: int
    text: str
    weight: float


class ContentModel:
    """The shipped weights; ``probabilities`` of a batch, ``explain`` one text."""

    def __init__(self, weights: np.ndarray, meta: dict[str, Any]) -> None:
        self.weights = weights  # (2**bits, len(labels)), float16
        self.meta = meta
        self.bits = int(meta["bits"])
        self.max_order = int(meta.get("max_order", MAX_ORDER))
        self.labels: tuple[str, ...] = tuple(meta["labels"])
        self.bias = np.asarray([meta["bias"][label] for label in self.labels], dtype=np.float64)
        self.thresholds: dict[str, dict[str, float]] = meta["thresholds"]

    @classmethod
    def load(cls, folder: Path = MODEL_DIR, name: str = MODEL_NAME) -> ContentModel:
        meta = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
        weights = np.load(folder / f"{name}.npy", mmap_mode="r")
        if weights.shape != (1 << int(meta["bits"]), len(meta["labels"])):
            raise ValueError(f"{folder / name}.npy: shape {weights.shape} does not match {name}.json")
        return cls(weights, meta)

    def raw_scores(self, texts: Sequence[str]) -> np.ndarray:
        """The linear scores (before the logistic), shape (len(texts), len(labels))."""
        n = len(texts)
        out = np.tile(self.bias, (n, 1))
        if not n:
            return out
        g = grams(texts, self.bits, self.max_order)
        if not g.bucket.shape[0]:
            return out
        w = np.asarray(self.weights[g.bucket], dtype=np.float64)
        norm = 1.0 / np.sqrt(np.maximum(g.count, 1.0))
        for k in range(len(self.labels)):
            out[:, k] += np.bincount(g.post, weights=w[:, k], minlength=n) * norm
        return out

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-self.raw_scores(texts)))

    def scores(self, text: str) -> dict[str, float]:
        """The probability of each label for one text."""
        p = self.probabilities([text])[0]
        return {label: float(p[k]) for k, label in enumerate(self.labels)}

    def level(self, label: str, probability: float) -> str | None:
        """``high`` or ``medium`` from the label's thresholds, or None below them."""
        t = self.thresholds[label]
        if probability >= t["high"]:
            return "high"
        if probability >= t["medium"]:
            return "medium"
        return None

    def explain(self, text: str, label: str, limit: int = 3, width: int = 12) -> list[Phrase]:
        """The phrases that weighed most for the label, strongest first.

        Each n-gram's contribution is shared out over its characters; a phrase is a
        run of characters that weigh for the label (at least a fifth of the strongest
        one), trimmed to ``width`` characters around its peak."""
        k = self.labels.index(label)
        g = grams([text], self.bits, self.max_order)
        if not g.bucket.shape[0] or not text:
            return []
        norm = 1.0 / math.sqrt(max(float(g.count[0]), 1.0))
        # Words and phrases, not single characters (a lone 的 or 你 explains nothing).
        keep = g.order >= 2
        if not keep.any():
            return []
        order = g.order[keep]
        start = g.start[keep]
        contrib = np.asarray(self.weights[g.bucket[keep], k], dtype=np.float64) * norm / order
        delta = np.zeros(len(text) + 1)
        np.add.at(delta, start, contrib)
        np.add.at(delta, start + order, -contrib)
        per_char = np.cumsum(delta)[: len(text)]
        for i, ch in enumerate(text):
            if not ch.strip() or ch in _PUNCTUATION:
                per_char[i] = min(per_char[i], 0.0)
        top = float(per_char.max())
        if top <= 0:
            return []
        strong = per_char >= top / 5
        runs: list[tuple[float, int, int]] = []
        i = 0
        while i < len(text):
            if not strong[i]:
                i += 1
                continue
            j = i
            while j < len(text) and strong[j]:
                j += 1
            s, e = i, j
            while e - s > width:  # drop the weaker end
                if per_char[s] < per_char[e - 1]:
                    s += 1
                else:
                    e -= 1
            runs.append((float(per_char[s:e].sum()), s, e))
            i = j
        runs = [r for r in runs if any(ch.isalpha() for ch in text[r[1] : r[2]])]
        runs = [r for r in runs if r[2] - r[1] >= 2] or runs
        runs.sort(key=lambda r: -r[0])
        return [Phrase(s, e, text[s:e], w) for w, s, e in runs[:limit]]


_PUNCTUATION = frozenset("，,。.！!？?：:；;、~～…—“”\"'（）()【】[]《》#@|/-")


_lock = threading.Lock()
_loaded: dict[tuple[str, str], ContentModel | None] = {}


def shipped(folder: Path = MODEL_DIR, name: str = MODEL_NAME) -> ContentModel | None:
    """The model of the package, loaded once on first use; None when no model file exists."""
    key = (str(folder), name)
    with _lock:
        if key not in _loaded:
            if (folder / f"{name}.json").exists():
                _loaded[key] = ContentModel.load(folder, name)
            else:
                _loaded[key] = None
        return _loaded[key]
