"""The learned content classifiers: a linear model on hashed character n-grams.

Light at run time: no scikit-learn, and no numpy for a few texts. Three labels
(commercial, off_topic, entertainment) share one feature space: every
character 1- to 4-gram of the normalised text (case and width folded, digits
as 0, whitespace as a space) hashed into ``2**bits`` buckets. A text's score
for a label is ``bias + sum(weight[bucket]) / sqrt(number of n-grams)`` and
its probability the logistic of that. Training (analysis/text/train.py,
scikit-learn) writes the weights (``content.npy``, float16) and the metadata
(``content.json``: hashing, biases, thresholds, what it was trained on).

The weights file is memory-mapped on first use. A few texts (a draft) are
scored in plain Python, their few hundred n-grams read straight from the
mapped file: a cold ``govwatch check draft.txt`` never imports numpy. A batch
of posts is scored in one numpy pass over all their characters
(model_batch.py), a few microseconds a post. Both compute the same hashes.
``explain`` maps the n-grams that weighed most back to spans of the text.
"""

from __future__ import annotations

import ast
import json
import math
import mmap
import struct
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .grams import MAX_ORDER, PUNCTUATION, py_grams

MODEL_DIR = Path(__file__).with_name("models")
MODEL_NAME = "content"
MODEL_LABELS = ("commercial", "off_topic", "entertainment")
BATCH_FROM = 8  # texts: from this many, numpy scores them in one pass
# Characters of a text the model reads: its head (training read the first 400). Bounds the
# cost of a long article; the lexicons still read all of it.
MODEL_CHARS = 1000


@dataclass(frozen=True, slots=True)
class Phrase:
    """A span of the text that weighed for a label."""

    start: int
    end: int
    text: str
    weight: float


def _npy_layout(buf: Any, path: Path) -> tuple[int, tuple[int, ...]]:
    """(offset of the data, shape) of a little-endian float16 C-order .npy file."""
    if bytes(buf[:6]) != b"\x93NUMPY":
        raise ValueError(f"{path}: not a .npy file")
    major = buf[6]
    if major == 1:
        (size,) = struct.unpack_from("<H", buf, 8)
        start = 10
    else:
        (size,) = struct.unpack_from("<I", buf, 8)
        start = 12
    header = ast.literal_eval(bytes(buf[start : start + size]).decode("latin1"))
    if header.get("descr") != "<f2" or header.get("fortran_order"):
        raise ValueError(f"{path}: expected little-endian float16 weights in C order, got {header}")
    return start + size, tuple(header["shape"])


class ContentModel:
    """The shipped weights; ``probabilities`` of texts, ``explain`` one text."""

    def __init__(self, buffer: Any, offset: int, meta: dict[str, Any]) -> None:
        self.buffer = buffer  # the weights, float16 rows of len(labels), from ``offset``
        self.offset = offset
        self.meta = meta
        self.bits = int(meta["bits"])
        self.max_order = int(meta.get("max_order", MAX_ORDER))
        self.labels: tuple[str, ...] = tuple(meta["labels"])
        self.bias = [float(meta["bias"][label]) for label in self.labels]
        self.thresholds: dict[str, dict[str, float]] = meta["thresholds"]
        # below this probability no label gets a level (most posts: one comparison each); a
        # model without thresholds yet (training tunes them on its probabilities) skips nothing
        self.lowest_level = min((min(t.values()) for t in self.thresholds.values()), default=0.0)
        self._row = struct.Struct("<" + "e" * len(self.labels)).unpack_from
        self._row_size = 2 * len(self.labels)
        self._array: Any = None

    @classmethod
    def load(cls, folder: Path = MODEL_DIR, name: str = MODEL_NAME) -> ContentModel:
        meta = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
        path = folder / f"{name}.npy"
        with open(path, "rb") as f:
            buffer = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        offset, shape = _npy_layout(buffer, path)
        if shape != (1 << int(meta["bits"]), len(meta["labels"])):
            raise ValueError(f"{path}: shape {shape} does not match {name}.json")
        return cls(buffer, offset, meta)

    @classmethod
    def from_weights(cls, weights: Any, meta: dict[str, Any]) -> ContentModel:
        """A model of float16 weights in memory (training: thresholds from the shipped form)."""
        import numpy as np

        data = np.ascontiguousarray(weights, dtype="<f2").tobytes()
        return cls(data, 0, meta)

    def weights(self) -> Any:
        """The weights as a numpy array (a view of the mapped file), for batches."""
        if self._array is None:
            import numpy as np

            rows = 1 << self.bits
            self._array = np.frombuffer(
                self.buffer, dtype="<f2", count=rows * len(self.labels), offset=self.offset
            ).reshape(rows, len(self.labels))
        return self._array

    def _raw_one(self, text: str) -> list[float]:
        grams = py_grams(text, self.bits, self.max_order)
        sums = [0.0] * len(self.labels)
        row, size, base, buf = self._row, self._row_size, self.offset, self.buffer
        for bucket, _start, _order in grams:
            for k, w in enumerate(row(buf, base + bucket * size)):
                sums[k] += w
        norm = 1.0 / math.sqrt(max(len(grams), 1))
        return [b + s * norm for b, s in zip(self.bias, sums, strict=True)]

    def probabilities(self, texts: Sequence[str]) -> list[list[float]]:
        """The probability of each label (in ``labels`` order) for each text."""
        texts = [t[:MODEL_CHARS] if len(t) > MODEL_CHARS else t for t in texts]
        if len(texts) >= BATCH_FROM:
            from .model_batch import probabilities

            return probabilities(self, texts)
        raw = [self._raw_one(t) for t in texts]
        return [[1.0 / (1.0 + math.exp(-min(max(x, -50.0), 50.0))) for x in row] for row in raw]

    def scores(self, text: str) -> dict[str, float]:
        """The probability of each label for one text."""
        return dict(zip(self.labels, self.probabilities([text])[0], strict=True))

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

        Each n-gram's contribution is shared out over its characters (single characters
        left out: a lone 的 or 你 explains nothing); a phrase is a run of characters that
        weigh for the label (at least a fifth of the strongest one), trimmed to ``width``
        characters around its peak."""
        k = self.labels.index(label)
        text = text[:MODEL_CHARS]
        batch = sys.modules.get(f"{__package__}.model_batch")  # numpy loaded (a stream, a night)
        if batch is not None:
            found = batch.char_shares(self, text, k)  # the same floats and runs, in numpy
            if found is None:
                return []
            per_char, hot = found
        else:
            grams = py_grams(text, self.bits, self.max_order)
            if not grams:
                return []
            norm = 1.0 / math.sqrt(len(grams))
            per_char = [0.0] * len(text)
            row, size, base, buf = self._row, self._row_size, self.offset, self.buffer
            for bucket, start, order in grams:
                if order < 2:
                    continue
                share = row(buf, base + bucket * size)[k] * norm / order
                for i in range(start, start + order):
                    per_char[i] += share
            for i, ch in enumerate(text):
                if (not ch.strip() or ch in PUNCTUATION) and per_char[i] > 0:
                    per_char[i] = 0.0
            hot = _hot_runs(per_char)
        runs: list[tuple[float, int, int]] = []
        for s, e in hot:
            while e - s > width:  # drop the weaker end
                if per_char[s] < per_char[e - 1]:
                    s += 1
                else:
                    e -= 1
            runs.append((sum(per_char[s:e]), s, e))
        runs = [r for r in runs if any(ch.isalpha() for ch in text[r[1] : r[2]])]
        runs = [r for r in runs if r[2] - r[1] >= 2] or runs
        runs.sort(key=lambda r: -r[0])
        return [Phrase(s, e, text[s:e], w) for w, s, e in runs[:limit]]


def _hot_runs(per_char: list[float]) -> list[tuple[int, int]]:
    """The runs of characters weighing at least a fifth of the strongest (none without weight)."""
    top = max(per_char, default=0.0)
    if top <= 0:
        return []
    hot = []
    i = 0
    while i < len(per_char):
        if per_char[i] < top / 5:
            i += 1
            continue
        j = i
        while j < len(per_char) and per_char[j] >= top / 5:
            j += 1
        hot.append((i, j))
        i = j
    return hot


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
