"""Typos in official writing (错别字): one wrong character alike in sound or shape.

Pure: text in, suspected typos out; the model is one package data file
(``data/typos.bin``, written by ``python -m analysis.text.train_typos``) read on
first use. How it decides, for each Chinese character of a text:

1. Suspect: the character is odd in its place, i.e. both character pairs it
   forms with its neighbours are rare in official text. Beyond the suspects,
   a character one of whose pairs is (almost) never seen is tried against the
   corrections it was often written for, and anywhere a frequent confusion
   (在/再, 他/她, 的/地 ...) is tried where the candidate's triple with both
   neighbours is more common.
2. Candidates: the characters it is known to be confused with, learned from
   real error→correction pairs, the characters of the same pinyin, the most
   common ones of a near pinyin (zh/z, ch/c, sh/s, n/l, -ng/-n) and the most
   alike in shape (形近字: shared components, equal four-corner corners; worked out
   at training time from glyph data and stored in the file).
3. Score: a character trigram model of official Chinese (People's Daily,
   government work reports, policy titles) rates the text with the candidate
   against the text as written, around the position; only a candidate that
   makes the text more probable is rated. With how much more probable it makes the
   text in general written Chinese too (character pair and triple counts distilled at
   training time from a word trigram model of a far larger body of text, the open-gram
   model of the SunPinyin input method: ``general_lm.py``), how often the pair is a real
   confusion, how alike the two are in shape, the dictionary words the candidate and the original form, the
   pair and triple counts of both and how common the characters are, an
   additive logistic model (a weight per bin of each feature, plus a slope)
   turns this into a probability. Only a high probability is reported
   (precision first).

    python -m analysis.text.typos --eval FILE.jsonl   # precision / recall on labelled rows
    python -m analysis.text.typos "句子"               # the typos of a sentence
"""

from __future__ import annotations

import argparse
import json
import math
import struct
import sys
import threading
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

MODEL_PATH = Path(__file__).resolve().parent / "data" / "typos.bin"
MAGIC = b"GWTYPOS1"
BOS, EOS = "\x02", "\x03"
# A character is a suspect when the pairs it forms with both neighbours are seen at most
# this often. Measured on the dev set (CPU per clean post / recall): both pairs at most 10
# 0.9 ms / 0.27; at most 3: 0.55 ms / 0.25; either pair at most 3: 3.5 ms / 0.29.
# With the shape-alike candidates, at most 20: held-out train recall 0.336 vs 0.331 (BENCHMARKS.md).
SUSPECT_MAX = 20
WORD_SPANS = (2, 3, 4)
# The features of a (position, candidate), in the order of the logistic model's weights.
FEATURES = (
    "score",  # lm + PAIR_PRIOR * log1p(pair count): how candidates are ranked
    "lm",  # log-probability gained by the candidate around the position
    "pair",  # log1p(times this wrong → right pair was seen in real typos)
    "word_orig",  # log1p(frequency) of the best dictionary word covering the original
    "word_cand",  # the same for the candidate
    "cand_is_word",
    "orig_is_word",
    "left",  # log1p(count of the pair with the left neighbour)
    "right",
    "freq_orig",  # log1p(count of the character)
    "freq_cand",
    "same_pinyin",
    "near_pinyin",  # of a near pinyin (zh/z, ch/c, sh/s, n/l, -ng/-n), not the same
    "often_wrong",  # log1p(times the original was a wrong character in real typos)
    "left_cand",  # log1p(count of the candidate's pair with the left neighbour)
    "right_cand",
    "mid_orig",  # log1p(count of the triple left neighbour, original, right neighbour)
    "mid_cand",  # the same with the candidate
    "one_rare",  # a suspect only because one neighbour pair is (almost) never seen
    "common",  # not a suspect at all: a frequent confusion (的/地, 在/再) tried anyway
    "same_shape",  # how alike in shape the two characters are (0: not among the shape-alike)
    "glm",  # log-probability gained around the position by general written Chinese (general_lm)
    "gmid_orig",  # log1p(GENERAL_SCALE * mass of the triple with the original in general Chinese)
    "gmid_cand",  # the same with the candidate
)
GENERAL_SCALE = 1e7  # general_lm's masses are per word token: read as counts of 10 M tokens
PAIR_PRIOR = 0.5
TOP_CANDIDATES = 3  # per suspect position, the best by score, rated by the additive logistic model


# Beyond the suspects: where one neighbour pair is seen at most ONE_RARE_MAX times, the
# confusions learned at least ONE_RARE_PAIRS times; anywhere, those learned COMMON_PAIRS times.
ONE_RARE_MAX = 1
ONE_RARE_PAIRS = 2
COMMON_PAIRS = 3  # 10 before the shape-alike candidates: held-out recall 0.326 → 0.331
# (Trying the whole confusion set where one neighbour pair is almost never seen, not only the
# corrections learned ONE_RARE_PAIRS times, lost held-out recall: BENCHMARKS.md, branch shapes.)
LM_FLOOR = 0.0  # a candidate must make the text more probable to be rated
MAX_CONFUSIONS = 30  # learned pairs first, then same-pinyin characters by frequency, then
NEAR_PINYIN = 12  # the most frequent characters of a near pinyin (zh/z, -ng/-n ...)
FAST_AFTER = 50_000  # characters checked before the tables become dictionaries
# Shape-alike characters (形近字, from the training time's glyph data, stored in the file):
# a suspect is also tried against the SHAPE_CANDIDATES most alike ones not already in its set.
SHAPE_CANDIDATES = 5  # 10: held-out recall 0.325 vs 0.326, more CPU (BENCHMARKS.md)
SHAPE_SCALE = 50.0  # the stored similarity is round(similarity * SHAPE_SCALE), one byte
COMMON_SHARE = 0.003  # is_common: 的 is ≈ 4 % of official text, 在 ≈ 1 %, 国 ≈ 0.9 %


class _Sorted:
    """A count table read as it is stored: binary search in the sorted keys (no start-up cost)."""

    __slots__ = ("keys", "n", "vals")

    def __init__(self, keys: array, vals: array) -> None:
        self.keys, self.vals, self.n = keys, vals, len(keys)

    def get(self, code: int, default: int = 0) -> int:
        k = bisect_left(self.keys, code)
        return self.vals[k] if k < self.n and self.keys[k] == code else default


class _Grouped:
    """A count table keyed by ``first * span + rest``, stored grouped by ``first``: ``at[first]``
    to ``at[first + 1]`` are its ``rest`` keys (sorted) and values."""

    __slots__ = ("at", "keys", "span", "vals")

    def __init__(self, span: int, at: array, keys: array, vals: array) -> None:
        self.span, self.at, self.keys, self.vals = span, at, keys, vals

    def get(self, code: int, default: float = 0.0) -> float:
        first, rest = divmod(code, self.span)
        if first + 1 >= len(self.at):
            return default
        hi = self.at[first + 1]
        k = bisect_left(self.keys, rest, self.at[first], hi)
        return self.vals[k] if k < hi and self.keys[k] == rest else default

    def as_dict(self) -> dict[int, float]:
        out: dict[int, float] = {}
        at, keys, vals, span = self.at, self.keys, self.vals, self.span
        for first in range(len(at) - 1):
            base = first * span
            for k in range(at[first], at[first + 1]):
                out[base + keys[k]] = vals[k]
        return out


def _suspect(left: int, right: int) -> bool:
    return left <= SUSPECT_MAX and right <= SUSPECT_MAX


def is_han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


@dataclass(frozen=True, slots=True)
class Typo:
    start: int  # offset of the wrong character
    wrong: str
    right: str
    word: str  # the word the correction forms (清晰), or the character itself
    probability: float
    word_start: int = -1  # where ``word`` starts in the text

    def __post_init__(self) -> None:
        if self.word_start < 0:
            object.__setattr__(self, "word_start", self.start)

    @property
    def end(self) -> int:
        return self.start + 1


class Model:
    """The counts, confusion sets, word list and weights of one model file."""

    def __init__(self, header: dict[str, Any], sections: dict[str, array]) -> None:
        vocab: str = header["vocab"]
        self.vocab = vocab
        self.index = {ch: k for k, ch in enumerate(vocab)}  # 0 is the unknown character
        self.size = len(vocab)
        self.total = header["total"]
        self.uni = sections["uni"]
        self.bi_keys = sections["bi_keys"]
        self.bi_vals = sections["bi_vals"]
        self.tri_keys = sections["tri_keys"]
        self.tri_vals = sections["tri_vals"]
        groups = sections["pinyin"]  # pinyin group of each character (0: none)
        self.group = groups
        members: dict[int, list[str]] = {}
        for k, g in enumerate(groups):
            if g:
                members.setdefault(g, []).append(vocab[k])
        self.members = members
        near = sections.get("near")  # near-pinyin group of each character (0: none)
        self.near = near if near is not None else array("H", [0] * len(vocab))
        near_members: dict[int, list[str]] = {}
        for k, g in enumerate(self.near):
            if g:
                near_members.setdefault(g, []).append(vocab[k])
        self.near_members = near_members
        self.pairs: dict[str, dict[str, int]] = header["pairs"]
        self.often_wrong: dict[str, int] = header["often_wrong"]
        # Dictionary words of 2-4 known characters as base-``size`` numbers of their
        # characters' indices (sorted), with log1p(frequency) * 10.
        self.word_keys = sections["word_keys"]
        self.word_freq = sections["word_freq"]
        # An additive logistic model: each feature's value falls in one of its bins (edges
        # sorted, learned from quantiles); the log-odds is the bias plus each bin's weight.
        self.bias: float = header["bias"]
        self.edges: list[list[float]] = header["edges"]
        self.table: list[list[float]] = header["table"]
        self.slope: list[float] = header["slope"]  # and a linear term per feature
        self._binned = list(zip(self.edges, self.table, self.slope, strict=True))
        self.threshold: float = header["threshold"]
        self._confusions: dict[str, tuple[str, ...]] = {}
        self._frequent: dict[tuple[str, int], tuple[str, ...]] = {}
        self._conf_ids: dict[str, tuple[tuple[str, int], ...]] = {}
        # (candidate, index) of each character where it is not a suspect (see ONE_RARE_MAX),
        # filled character by character on first need (``_tried``): reading the file builds
        # nothing for them, so a cold one-draft check pays only for the characters it meets
        self._one_rare: dict[str, tuple[tuple[str, int], ...]] = {}
        self._common: dict[str, tuple[tuple[str, int], ...]] = {}
        self._read_shapes(sections)
        self._read_general(sections)
        self._bi_get: Any = _Sorted(self.bi_keys, self.bi_vals).get
        self._tri_get: Any = _Sorted(self.tri_keys, self.tri_vals).get
        self._word_get: Any = _Sorted(self.word_keys, self.word_freq).get
        self._fast = False
        self._work = 0

    # -- file --

    @classmethod
    def read(cls, path: Path = MODEL_PATH) -> Model:
        data = path.read_bytes()
        if not data.startswith(MAGIC):
            raise ValueError(f"{path}: not a typo model file")
        (hlen,) = struct.unpack_from("<I", data, len(MAGIC))
        at = len(MAGIC) + 4
        header = json.loads(data[at : at + hlen].decode("utf-8"))
        at += hlen
        sections: dict[str, array] = {}
        for name, code, count in header["sections"]:
            arr = array(code)
            nbytes = arr.itemsize * count
            arr.frombytes(data[at : at + nbytes])
            if sys.byteorder != "little":
                arr.byteswap()
            sections[name] = arr
            at += nbytes
        return cls(header, sections)

    @staticmethod
    def write(path: Path, header: dict[str, Any], sections: Sequence[tuple[str, array]]) -> None:
        header = dict(header, sections=[[name, arr.typecode, len(arr)] for name, arr in sections])
        raw = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as f:
            f.write(MAGIC + struct.pack("<I", len(raw)) + raw)
            for _name, arr in sections:
                out = array(arr.typecode, arr)
                if sys.byteorder != "little":
                    out.byteswap()
                f.write(out.tobytes())

    # -- counts --
    #
    # Looked up by binary search in the arrays as read (no start-up cost: a single draft
    # stays fast from a cold process); once a process has checked FAST_AFTER characters
    # (a stream of posts), the tables become dictionaries, many times faster to look up.

    def _go_fast(self) -> None:
        self._bi_get = dict(zip(self.bi_keys, self.bi_vals, strict=True)).get
        self._tri_get = dict(zip(self.tri_keys, self.tri_vals, strict=True)).get
        self._word_get = dict(zip(self.word_keys, self.word_freq, strict=True)).get
        if self.general:
            self._gbi_get = dict(zip(*self._gbi, strict=True)).get
            self._gtri_get = _Grouped(self.size * self.size, *self._gtri).as_dict().get
        self._fast = True

    def _logp(self, a: int, b: int, c: int) -> float:
        """log P(c | a b), interpolated trigram / bigram / unigram."""
        size = self.size
        ab = self._bi_get(a * size + b, 0)
        ub = self.uni[b]
        p3 = self._tri_get((a * size + b) * size + c, 0) / ab if ab else 0.0
        p2 = self._bi_get(b * size + c, 0) / ub if ub else 0.0
        p1 = (self.uni[c] + 0.5) / self.total
        return math.log(0.6 * p3 + 0.3 * p2 + 0.1 * p1)

    def _window(self, ids: list[int], i: int) -> float:
        """log P of the three triples around position i (``_logp`` of each, inlined)."""
        size, bi, tri, uni, total, log = (
            self.size,
            self._bi_get,
            self._tri_get,
            self.uni,
            self.total,
            math.log,
        )
        a, b, c, d, e = ids[i - 2 : i + 3]
        s = 0.0
        for x, y, z in ((a, b, c), (b, c, d), (c, d, e)):
            xy = bi(x * size + y, 0)
            uy = uni[y]
            p3 = tri((x * size + y) * size + z, 0) / xy if xy else 0.0
            p2 = bi(y * size + z, 0) / uy if uy else 0.0
            s += log(0.6 * p3 + 0.3 * p2 + 0.1 * ((uni[z] + 0.5) / total))
        return s

    def _word(self, ids: list[int], i: int) -> tuple[float, int, int]:
        """The most frequent dictionary word covering position i: (log1p frequency, start, end)."""
        best, span = 0.0, (i, i + 1)
        size, get = self.size, self._word_get
        for n in WORD_SPANS:
            for st in range(max(0, i - n + 1), min(i, len(ids) - n) + 1):
                code = 0
                for k in ids[st : st + n]:
                    if not k:
                        break
                    code = code * size + k
                else:
                    f = get(code, 0) / 10.0
                    if f > best:
                        best, span = f, (st, st + n)
        return best, span[0], span[1]

    # -- general written Chinese (general_lm, stored at training time) --

    def _read_general(self, sections: dict[str, array]) -> None:
        """Expected counts per word token of characters, pairs and triples in general written
        Chinese (float32), and per character the mass of words that end in it and back off /
        that start with it: a pair not listed is ``end[x] * start[y]``. The triples are
        grouped by their first character (``gtri_at``, size + 1 offsets) and keyed by the
        other two, so a key fits 32 bits. A file without them has none (features 0)."""
        self.general = "g_uni" in sections
        zeros = array("f", [0.0] * self.size)
        self.g_uni = sections.get("g_uni", zeros)
        self.g_end = sections.get("g_end", zeros)
        self.g_start = sections.get("g_start", zeros)
        self.g_total = sum(self.g_uni) or 1.0
        self._gbi = (sections.get("gbi_keys", array("I")), sections.get("gbi_vals", array("f")))
        self._gtri = (
            sections.get("gtri_at", array("I", [0] * (self.size + 1))),
            sections.get("gtri_keys", array("I")),
            sections.get("gtri_vals", array("f")),
        )
        self._gbi_get: Any = _Sorted(*self._gbi).get
        self._gtri_get: Any = _Grouped(self.size * self.size, *self._gtri).get

    def _gwindow(self, ids: list[int], i: int) -> float:
        """log P of the three triples around position i in general Chinese (as ``_window``)."""
        size, bi, tri, uni, end, start, log = (
            self.size,
            self._gbi_get,
            self._gtri_get,
            self.g_uni,
            self.g_end,
            self.g_start,
            math.log,
        )
        floor = 1e-3 / self.g_total
        a, b, c, d, e = ids[i - 2 : i + 3]
        s = 0.0
        for x, y, z in ((a, b, c), (b, c, d), (c, d, e)):
            xy = bi(x * size + y, 0.0) + end[x] * start[y]
            uy = uni[y]
            p3 = tri((x * size + y) * size + z, 0.0) / xy if xy else 0.0
            p2 = (bi(y * size + z, 0.0) + end[y] * start[z]) / uy if uy else 0.0
            s += log(0.6 * p3 + 0.3 * p2 + 0.1 * (uni[z] / self.g_total) + floor)
        return s

    def confusions(self, ch: str) -> tuple[str, ...]:
        """The characters ``ch`` may have been written for."""
        found = self._confusions.get(ch)
        if found is None:
            learned = self.pairs.get(ch, {})
            cands = dict.fromkeys(sorted(learned, key=lambda c: -learned[c]))
            k = self.index.get(ch, 0)
            g = self.group[k] if k else 0
            if g:  # the members are in the order of their frequency
                cands.update(dict.fromkeys(m for m in self.members[g] if m != ch))
            n = self.near[k] if k else 0
            if n:
                cands.update(dict.fromkeys(m for m in self.near_members[n][:NEAR_PINYIN] if m != ch))
            found = tuple(c for c in cands if c in self.index and c != ch)[:MAX_CONFUSIONS]
            found = self._with_shapes(ch, found)
            self._confusions[ch] = found
        return found

    def _confusion_ids(self, ch: str) -> tuple[tuple[str, int], ...]:
        found = self._conf_ids.get(ch)
        if found is None:
            found = self._conf_ids[ch] = tuple((c, self.index[c]) for c in self.confusions(ch))
        return found

    def _tried(
        self, table: dict[str, tuple[tuple[str, int], ...]], ch: str, least: int
    ) -> tuple[tuple[str, int], ...]:
        """(candidate, index) of the corrections ``ch`` was written for at least ``least``
        times, kept in ``table`` (one of the two beyond the suspects) once looked up."""
        found = table.get(ch)
        if found is None:
            found = table[ch] = tuple((c, self.index[c]) for c in self.frequent(ch, least))
        return found

    def alike(self, a: str, b: str) -> bool:
        """Whether ``a`` may have been written for ``b``: the same or a near pinyin, alike in
        shape, or a confusion seen in real typos. False where either character is unknown."""
        ka, kb = self.index.get(a, 0), self.index.get(b, 0)
        if not ka or not kb:
            return False
        if self.group[ka] and self.group[ka] == self.group[kb]:
            return True
        if self.near[ka] and self.near[ka] == self.near[kb]:
            return True
        return (
            self.shape_similarity(ka, kb) > 0
            or self.shape_similarity(kb, ka) > 0
            or b in self.pairs.get(a, {})
        )

    def is_common(self, ch: str) -> bool:
        """Whether ``ch`` is among the commonest characters of official text (的, 一, 是, 在:
        at least COMMON_SHARE of all characters)."""
        k = self.index.get(ch, 0)
        return bool(k) and self.uni[k] >= COMMON_SHARE * self.total

    def word_weight(self, word: str) -> float:
        """log1p of the frequency of ``word`` (2–4 characters) in the dictionary the model
        keeps (to a tenth); 0 when it is no word there."""
        if len(word) not in WORD_SPANS:
            return 0.0
        code = 0
        for ch in word:
            k = self.index.get(ch, 0)
            if not k:
                return 0.0
            code = code * self.size + k
        return self._word_get(code, 0) / 10.0

    # -- shape-alike characters (形近字) --

    def _read_shapes(self, sections: dict[str, array]) -> None:
        """Per character (by index) its shape-alike characters, most alike first, as three
        arrays: where each one's list starts (``shape_at``, size + 1), the indices and the
        similarity bytes. A model file without them has none."""
        empty = array("I", [0] * (self.size + 1))
        self.shape_at = sections.get("shape_at", empty)
        self.shape_ids = sections.get("shape_ids", array("I"))
        self.shape_sim = sections.get("shape_sim", array("B"))

    def shape_alike(self, ch: str) -> tuple[str, ...]:
        """The characters alike in shape to ``ch`` (most alike first), as stored."""
        k = self.index.get(ch, 0)
        if not k:
            return ()
        return tuple(self.vocab[j] for j in self.shape_ids[self.shape_at[k] : self.shape_at[k + 1]])

    def shape_similarity(self, k_orig: int, k_cand: int) -> float:
        """How alike two characters (by index) are in shape; 0 when not stored as alike."""
        if not k_orig:
            return 0.0
        at, end = self.shape_at[k_orig], self.shape_at[k_orig + 1]
        ids = self.shape_ids
        for j in range(at, end):
            if ids[j] == k_cand:
                return self.shape_sim[j] / SHAPE_SCALE
        return 0.0

    def _with_shapes(self, ch: str, found: tuple[str, ...]) -> tuple[str, ...]:
        """``found`` and then the SHAPE_CANDIDATES most shape-alike characters not in it."""
        extra = [c for c in self.shape_alike(ch) if c not in found and c != ch][:SHAPE_CANDIDATES]
        return found + tuple(extra) if extra else found

    def frequent(self, ch: str, least: int) -> tuple[str, ...]:
        """The characters ``ch`` was written for at least ``least`` times in real typos."""
        key = (ch, least)
        found = self._frequent.get(key)
        if found is None:
            learned = self.pairs.get(ch, {})
            found = tuple(
                c
                for c in sorted(learned, key=lambda c: -learned[c])
                if learned[c] >= least and c in self.index
            )
            self._frequent[key] = found
        return found

    # -- finding --

    def candidates(self, text: str) -> list[tuple[int, str, str, list[float]]]:
        """The best few candidates of every suspect position: (offset, wrong, right, features)."""
        if not self._fast:
            self._work += len(text)
            if self._work > FAST_AFTER:
                self._go_fast()
        index = self.index
        padded = BOS + BOS + text + EOS + EOS
        ids = [index.get(ch, 0) for ch in padded]
        out = []
        size, bi_get, tri_get = self.size, self._bi_get, self._tri_get
        pair = [bi_get(a * size + b, 0) for a, b in zip(ids, ids[1:], strict=False)]  # pair k: k, k+1
        one_rare, common, tried = self._one_rare, self._common, self._tried
        for i in range(2, len(padded) - 2):
            left, right = pair[i - 1], pair[i]
            ch = padded[i]
            if left <= SUSPECT_MAX and right <= SUSPECT_MAX:
                if not is_han(ch):
                    continue
                level, cands = 0, self._confusion_ids(ch)
            elif left <= ONE_RARE_MAX or right <= ONE_RARE_MAX:
                level, cands = 1, one_rare.get(ch)
                if cands is None:
                    cands = tried(one_rare, ch, ONE_RARE_PAIRS)
            else:
                level, cands = 2, common.get(ch)
                if cands is None:
                    cands = tried(common, ch, COMMON_PAIRS)
            if not cands:
                continue
            before, after = ids[i - 1] * size, ids[i + 1]
            if level == 2:
                # tried only where the candidate's triple with both neighbours is more common
                seen = tri_get((before + ids[i]) * size + after, 0)
                likely = [(c, k) for c, k in cands if tri_get((before + k) * size + after, 0) > seen]
            else:
                # a correction makes a pair with a neighbour more common than the original's
                likely = [
                    (c, k)
                    for c, k in cands
                    if bi_get(before + k, 0) > left or bi_get(k * size + after, 0) > right
                ]
            if not likely:
                continue
            base = self._window(ids, i)
            word_orig = -1.0  # looked up once, for the first candidate
            pairs = self.pairs.get(ch, {})
            ranked: list[tuple[float, str, float]] = []
            for cand, k_cand in likely:
                ids[i] = k_cand
                lm = self._window(ids, i) - base
                if lm > LM_FLOOR:  # a correction reads better than what is written
                    ranked.append((lm + PAIR_PRIOR * math.log1p(pairs.get(cand, 0)), cand, lm))
            ids[i] = index.get(ch, 0)
            if not ranked:
                continue
            ranked.sort(reverse=True)
            k_orig = ids[i]
            gbase = self._gwindow(ids, i) if self.general else 0.0  # only where a candidate is rated
            for score, cand, lm in ranked[:TOP_CANDIDATES]:
                k_cand = index[cand]
                ids[i] = k_cand
                word_cand = self._word(ids, i)[0]  # 0: the correction forms no dictionary word
                glm = self._gwindow(ids, i) - gbase if self.general else 0.0
                ids[i] = k_orig
                if word_orig < 0:
                    word_orig = self._word(ids, i)[0]
                features = [
                    score,
                    lm,
                    math.log1p(pairs.get(cand, 0)),
                    word_orig,
                    word_cand,
                    float(word_cand > 0),
                    float(word_orig > 0),
                    math.log1p(left),
                    math.log1p(right),
                    math.log1p(self.uni[k_orig]),
                    math.log1p(self.uni[k_cand]),
                    float(bool(self.group[k_orig]) and self.group[k_orig] == self.group[k_cand]),
                    float(bool(self.near[k_orig]) and self.near[k_orig] == self.near[k_cand])
                    - float(bool(self.group[k_orig]) and self.group[k_orig] == self.group[k_cand]),
                    math.log1p(self.often_wrong.get(ch, 0)),
                    math.log1p(bi_get(before + k_cand, 0)),
                    math.log1p(bi_get(k_cand * size + after, 0)),
                    math.log1p(tri_get((before + k_orig) * size + after, 0)),
                    math.log1p(tri_get((before + k_cand) * size + after, 0)),
                    float(level == 1),
                    float(level == 2),
                    self.shape_similarity(k_orig, k_cand),
                    glm,
                    math.log1p(GENERAL_SCALE * self._gtri_get((before + k_orig) * size + after, 0.0)),
                    math.log1p(GENERAL_SCALE * self._gtri_get((before + k_cand) * size + after, 0.0)),
                ]
                out.append((i - 2, ch, cand, features))
        return out

    def probability(self, features: Sequence[float]) -> float:
        z = self.bias
        for (edges, table, slope), x in zip(self._binned, features, strict=True):
            z += table[bisect_right(edges, x)] + slope * x
        return 1.0 / (1.0 + math.exp(-z)) if z > -30 else 0.0

    def find(self, text: str, threshold: float | None = None) -> list[Typo]:
        """The suspected typos of a text, in order."""
        limit = self.threshold if threshold is None else threshold
        best: dict[int, tuple[float, str, str]] = {}
        for start, wrong, right, features in self.candidates(text):
            p = self.probability(features)
            if p >= limit and p > best.get(start, (0.0, "", ""))[0]:
                best[start] = (p, wrong, right)
        found = []
        for start, (p, wrong, right) in sorted(best.items()):
            changed = text[:start] + right + text[start + 1 :]
            ids = [self.index.get(ch, 0) for ch in changed]
            _, ws, we = self._word(ids, start)
            found.append(Typo(start, wrong, right, changed[ws:we], p, ws))
        return found


_lock = threading.Lock()
_model: Model | None = None


def model() -> Model | None:
    """The bundled model, read once; None when the package has none."""
    global _model
    if _model is None:
        with _lock:
            if _model is None and MODEL_PATH.exists():
                _model = Model.read(MODEL_PATH)
    return _model


def find(text: str) -> list[Typo]:
    m = model()
    return m.find(text) if m is not None else []


# -- measurement --


@dataclass
class Measure:
    typo_rows: int = 0
    rows_found: int = 0  # typo rows with at least one flag on a real wrong position
    hits: int = 0  # flags on a real wrong position
    corrected: int = 0  # ... with the right correction
    misses_flagged: int = 0  # flags elsewhere on typo rows
    clean_rows: int = 0
    clean_alarms: int = 0  # clean rows with any flag
    clean_flags: int = 0
    other_rows: int = 0  # rows with other labels (ads, off-topic ...): not official text
    other_flagged: int = 0

    @property
    def precision(self) -> float:
        flags = self.hits + self.misses_flagged + self.clean_flags
        return self.hits / flags if flags else 1.0

    @property
    def recall(self) -> float:
        return self.rows_found / self.typo_rows if self.typo_rows else 1.0

    @property
    def false_alarm_rate(self) -> float:
        return self.clean_alarms / self.clean_rows if self.clean_rows else 0.0

    def format(self) -> str:
        return "\n".join(
            [
                f"typo rows {self.typo_rows}: found {self.rows_found} (recall {self.recall:.3f}); "
                f"flags on a real wrong character {self.hits}, of which correction right {self.corrected}",
                f"precision (flags on typo and clean rows) {self.precision:.3f}: "
                f"{self.hits} / {self.hits + self.misses_flagged + self.clean_flags}",
                f"false alarms on clean rows: {self.clean_alarms}/{self.clean_rows} = {self.false_alarm_rate:.2%}",
                f"rows of other labels flagged: {self.other_flagged}/{self.other_rows}",
            ]
        )


def evaluate(
    rows: Iterable[dict[str, Any]], m: Model | None = None, threshold: float | None = None
) -> Measure:
    """Precision, recall and false alarms of the typo finder on labelled rows.

    A typo row has ``wording_error`` in ``labels`` and its corrected text in
    ``correct`` (same length); a flag counts as a hit only on a position where
    the text differs from ``correct``. Clean rows have ``labels`` [].
    """
    m = m or model()
    if m is None:
        raise ValueError(f"no typo model at {MODEL_PATH}: run python -m analysis.text.train_typos")
    out = Measure()
    for row in rows:
        text, labels = row["text"], row.get("labels", [])
        found = m.find(text, threshold)
        correct = row.get("correct")
        if "wording_error" in labels and isinstance(correct, str) and len(correct) == len(text):
            out.typo_rows += 1
            row_hit = False
            for t in found:
                if text[t.start] != correct[t.start]:
                    out.hits += 1
                    out.corrected += t.right == correct[t.start]
                    row_hit = True
                else:
                    out.misses_flagged += 1
            out.rows_found += row_hit
        elif not labels:
            out.clean_rows += 1
            out.clean_alarms += bool(found)
            out.clean_flags += len(found)
        else:
            out.other_rows += 1
            out.other_flagged += bool(found)
    return out


def numbered_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) of a labelled JSON Lines file; a bad line is a ValueError naming it."""
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError as exc:
                raise ValueError(f"{path}:{number}: not valid JSON ({exc})") from None
            if not isinstance(row, dict) or not isinstance(row.get("text"), str):
                raise ValueError(f"{path}:{number}: expected an object with a text")
            yield number, row


def read_rows(path: Path) -> list[dict[str, Any]]:
    return [row for _number, row in numbered_rows(path)]


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    ap = argparse.ArgumentParser(prog="python -m analysis.text.typos", description=__doc__.split("\n")[0])
    ap.add_argument("text", nargs="*", help="sentences to check")
    ap.add_argument("--eval", type=Path, metavar="FILE", help="labelled JSON Lines (labels, correct)")
    ap.add_argument(
        "--threshold", type=float, default=None, help="probability to report (default: the model's)"
    )
    ap.add_argument("--model", type=Path, default=MODEL_PATH)
    args = ap.parse_args(argv)
    try:
        m = Model.read(args.model)
        if args.eval:
            out.write(evaluate(read_rows(args.eval), m, args.threshold).format() + "\n")
        for text in args.text:
            for t in m.find(text, args.threshold):
                out.write(f"{t.start}\t{t.wrong}→{t.right}\t{t.word}\t{t.probability:.2f}\n")
    except (OSError, ValueError) as exc:
        sys.stderr.write(f"typos: {exc}\n")
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
