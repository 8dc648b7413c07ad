"""Batch scoring of the content model with numpy: one pass over the characters of many texts.

Imported on first use by ``ContentModel.probabilities`` (from ``BATCH_FROM`` texts) and by
the training command; the hashes are those of ``model.py_grams``.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .grams import GOLDEN, MAX_ORDER, NORM, PRIME, PUNCTUATION, SALTS

_PRIME = np.uint64(PRIME)
_GOLDEN = np.uint64(GOLDEN)
_SALTS = tuple(np.uint64(s) for s in SALTS)

# The same normalisation as model.NORM, as a table of the Basic Multilingual Plane.
_TABLE = np.arange(0x10000, dtype=np.uint32)
_TABLE[np.fromiter(NORM.keys(), dtype=np.int64)] = np.fromiter(NORM.values(), dtype=np.uint32)


def codes_of(text: str) -> np.ndarray:
    """The normalised code points of a text (same length as the text)."""
    utf16 = text.encode("utf-16-le", "surrogatepass")
    if len(utf16) == 2 * len(text):  # the Basic Multilingual Plane only (most texts): one lookup
        return np.take(_TABLE, np.frombuffer(utf16, dtype="<u2"))
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
    codes = codes_of("".join(texts)).astype(np.uint64)
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


_rows: dict[int, np.ndarray] = {}


def _float_rows(model: Any) -> np.ndarray:
    """The weights as float32 (the sums run in float32; converted once per model), each row
    padded with zeros to 16 bytes: numpy gathers rows of 16 bytes by a fast path (about three
    times faster than rows of 12), and the padding's sums are never read."""
    key = id(model)
    if key not in _rows:
        weights = model.weights()
        padded = np.zeros((weights.shape[0], _PADDED), dtype=np.float32)
        padded[:, : weights.shape[1]] = weights
        _rows[key] = padded
    return _rows[key]


_PADDED = 4  # float32 columns of a padded row (three labels)


SUB_BATCH = 128  # texts hashed and gathered in one pass: the arrays stay in the CPU's cache


def raw_scores(model: Any, texts: Sequence[str]) -> np.ndarray:
    """The linear scores (before the logistic) of a ContentModel, shape (len(texts), labels).

    Scored ``SUB_BATCH`` texts at a time (a third faster than 512 at once). Each text's sum is
    the same float32 sum as when all are scored in one pass: a text's range is summed by
    ``reduceat`` unless it runs to the end of the joined codes (then by ``sum``, whose order
    may differ in the last bits), so a sub-batch that texts with characters follow gets one
    character more, as the whole batch would have them."""
    n = len(texts)
    if n <= SUB_BATCH:
        return _raw_scores(model, texts)
    parts = []
    for i in range(0, n, SUB_BATCH):
        j = min(i + SUB_BATCH, n)
        if j < n and any(texts[j:]):
            parts.append(_raw_scores(model, [*texts[i:j], "_"])[:-1])
        else:
            parts.append(_raw_scores(model, texts[i:j]))
    return np.concatenate(parts)


def _raw_scores(model: Any, texts: Sequence[str]) -> np.ndarray:
    """The linear scores of texts joined in one pass (see ``raw_scores``).

    The texts are joined and every n-gram of the joined codes hashed, those across two
    texts too; a text's sum is then the sum over the contiguous range of n-grams that start
    and end in it (``np.add.reduceat`` over [begin, stop) pairs): no masks, no per-n-gram
    text index."""
    n = len(texts)
    labels = len(model.labels)
    rows = (
        _float_rows(model) if labels <= _PADDED else np.ascontiguousarray(model.weights(), dtype=np.float32)
    )
    out = np.tile(np.asarray(model.bias, dtype=np.float64), (n, 1))
    if not any(texts):  # no n-gram at all (a batch of empty texts): the biases
        return out
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=n)
    first = np.zeros(n, dtype=np.int64)
    np.cumsum(lengths[:-1], out=first[1:])
    codes = codes_of("".join(texts)).astype(np.uint64)
    shift = np.uint64(64 - model.bits)
    sums = np.zeros((n, labels))
    count = np.zeros(n)
    h = codes
    for order in range(1, model.max_order + 1):
        if order > 1:
            if h.shape[0] < 2:
                break
            h = h[:-1] * _PRIME
            h += codes[order - 1 :]
        m = h.shape[0]
        bucket = h ^ _SALTS[order]
        bucket *= _GOLDEN
        bucket >>= shift
        # n-grams starting in [begin, stop) lie inside their text
        begin = np.minimum(first, m)
        stop = np.maximum(np.minimum(first + lengths - order + 1, m), begin)
        size = stop - begin
        count += size
        some = size > 0
        to_end = some & (stop == m)
        bounds = np.empty(2 * n, dtype=np.int64)
        bounds[0::2] = np.minimum(begin, m - 1)
        bounds[1::2] = np.minimum(stop, m - 1)
        w = np.take(rows, bucket.view(np.int64), axis=0)  # buckets < 2**bits: same values
        part = np.add.reduceat(w, bounds, axis=0)[0::2]
        # reduceat sums up to the next bound: a range that runs to the end is summed here
        for j in np.nonzero(to_end)[0]:
            part[j] = w[begin[j] :].sum(axis=0)
        part[~some] = 0.0
        sums += part[:, :labels]
    out += sums / np.sqrt(np.maximum(count, 1.0))[:, None]
    return out


def probabilities(model: Any, texts: Sequence[str]) -> list[list[float]]:
    """The probability of each label for each text (lists, as ``ContentModel.probabilities``)."""
    raw = np.clip(raw_scores(model, texts), -50.0, 50.0)
    return (1.0 / (1.0 + np.exp(-raw))).tolist()


def char_shares(model: Any, text: str, label: int) -> tuple[list[float], list[tuple[int, int]]] | None:
    """``ContentModel.explain``'s weight of each character for one label (the column ``label``)
    and the runs of characters weighing at least a fifth of the strongest, or None for a text
    without n-grams: the same floats and runs as its plain-Python loops, in numpy (a stream has
    numpy loaded already; a draft's explain never comes here).

    Each n-gram of two or more characters shares ``weight * norm / order`` out over its
    characters, added in the plain loop's order (by start, then order; ``np.add.at`` adds one
    index after the other), so every sum is the same bit for bit; spaces and punctuation are
    then set to 0."""
    size = len(text)
    count = sum(max(0, size - order + 1) for order in range(1, model.max_order + 1))
    if count == 0:
        return None
    norm = 1.0 / math.sqrt(count)
    # (start, order) laid out by start, then order: the plain loop's order
    shares = np.zeros((size, model.max_order + 1), dtype=np.float64)
    valid = np.zeros((size, model.max_order + 1), dtype=bool)
    codes = codes_of(text).astype(np.uint64)
    weights = model.weights()
    shift = np.uint64(64 - model.bits)
    h = codes
    for order in range(2, model.max_order + 1):
        if h.shape[0] < 2:
            break
        h = h[:-1] * _PRIME + codes[order - 1 :]
        bucket = ((h ^ _SALTS[order]) * _GOLDEN) >> shift
        m = h.shape[0]
        shares[:m, order] = weights[bucket.view(np.int64), label].astype(np.float64) * norm / float(order)
        valid[:m, order] = True
    starts, orders = np.nonzero(valid)
    share = shares[starts, orders]
    spans = np.repeat(starts, orders)
    first = np.repeat(np.cumsum(orders) - orders, orders)
    index = spans + (np.arange(spans.shape[0], dtype=np.int64) - first)
    per_char = np.zeros(len(text), dtype=np.float64)
    np.add.at(per_char, index, np.repeat(share, orders))
    raw = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")
    quiet = _quiet()[np.minimum(raw, 0x10000)]
    per_char[quiet & (per_char > 0)] = 0.0
    top = float(per_char.max()) if per_char.shape[0] else 0.0
    if top <= 0:
        return per_char.tolist(), []
    hot = np.zeros(per_char.shape[0] + 2, dtype=np.int8)
    hot[1:-1] = per_char >= top / 5
    edges = np.flatnonzero(np.diff(hot)).tolist()
    return per_char.tolist(), list(zip(edges[0::2], edges[1::2], strict=True))


@functools.cache
def _quiet() -> np.ndarray:
    """Per BMP code point (index 0x10000: any beyond), whether ``explain`` gives it no weight:
    a space (what ``str.strip`` removes) or punctuation (grams.PUNCTUATION)."""
    table = np.fromiter((not chr(c).strip() for c in range(0x10000)), dtype=bool, count=0x10000)
    table[[ord(c) for c in PUNCTUATION]] = True
    return np.append(table, False)
