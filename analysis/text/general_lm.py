"""Character statistics of general written Chinese, from an open word language model.

Training time only (``train_typos``); the package at run time reads what it stores in
typos.bin. The corpus the typo model counts (≈ 7 M characters of official text) is too
small to tell a rare but correct phrase from a typo; a word trigram model trained on a
far larger body of text knows many more of them. The one used is open-gram, the model
of the SunPinyin input method (CC BY-SA 3.0; Debian packages ``sunpinyin-data`` for the
model and its lexicon, ``sunpinyin-utils`` for ``tslminfo``, which prints the model as
ARPA-like text):

- ``lm_sc.t3g``: 71,759 words, 2.5 M bigrams, 1 M trigrams, plain probabilities
  (``tslminfo -v -p``), word 0 the sentence boundary;
- ``pydict_sc.bin``: the lexicon; after a header of 32-bit words (the first the number
  of word ids, the third the offset of the word table) each word id's text as
  zero-terminated UTF-32 code points, in id order (ids without text are classes the
  model uses for numbers and names).

What comes out are expected character counts per word token of the model's text:
inside each word (weighted by its probability), across each listed word pair (the pair's
joint probability) and across a one-character word within a listed word triple. Word
pairs the model does not list (about half the mass: it backs off to the words alone)
give the smoothing term ``end[x] * start[y]``: the mass of words ending in x that back
off, times the mass of words starting with y.
"""

from __future__ import annotations

import os
import struct
import subprocess
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path


def _data_dir() -> Path:
    """Where Debian puts sunpinyin-data (its multiarch folder), or $SUNPINYIN_DATA."""
    if os.environ.get("SUNPINYIN_DATA"):
        return Path(os.environ["SUNPINYIN_DATA"])
    found = sorted(Path("/usr/lib").glob(f"*/sunpinyin/data/{LM_FILE}"))
    return found[0].parent if found else Path("/usr/lib/x86_64-linux-gnu/sunpinyin/data")


LM_FILE = "lm_sc.t3g"
LEXICON_FILE = "pydict_sc.bin"
DATA_DIR = _data_dir()
BOS, EOS = "\x02", "\x03"  # as typos.py pads a text


@dataclass
class Counts:
    """Expected counts per word token (floats): characters, pairs, triples (keys are the
    characters themselves), and per character the mass of backing-off words ending in it
    and of words starting with it."""

    uni: dict[str, float]
    bi: dict[str, float]
    tri: dict[str, float]
    end: dict[str, float]
    start: dict[str, float]


def lexicon(path: Path) -> list[str]:
    """The text of each word id ("" for ids without text)."""
    data = path.read_bytes()
    if len(data) < 32:
        raise ValueError(f"{path}: too short for a SunPinyin lexicon")
    count, _nodes, table = struct.unpack_from("<3I", data, 0)
    if table % 4 or table >= len(data):
        raise ValueError(f"{path}: word table offset {table} out of the file")
    cps = struct.unpack_from(f"<{(len(data) - table) // 4}I", data, table)
    words: list[str] = []
    cur: list[int] = []
    for v in cps:
        if v == 0:
            words.append("".join(map(chr, cur)))
            cur = []
            if len(words) == count:
                break
        else:
            cur.append(v)
    if len(words) != count:
        raise ValueError(f"{path}: {len(words)} words in the table, the header says {count}")
    return words


def ngrams(path: Path) -> Iterator[tuple[int, list[str]]]:
    """(order, fields) of each line of ``tslminfo -v -p`` on the model."""
    try:
        proc = subprocess.Popen(
            ["tslminfo", "-v", "-p", str(path)], stdout=subprocess.PIPE, text=True, encoding="ascii"
        )
    except FileNotFoundError:
        raise FileNotFoundError(
            "tslminfo not found: the general language model needs Debian's sunpinyin-utils and "
            "sunpinyin-data (apt-get install sunpinyin-utils sunpinyin-data)"
        ) from None
    assert proc.stdout is not None
    order = 0
    with proc:
        for line in proc.stdout:
            if line.startswith("\\"):
                order = int(line[1])
                continue
            yield order, line.split()
    if proc.returncode:
        raise ValueError(f"tslminfo failed on {path} (exit {proc.returncode})")


def distill(
    data_dir: Path = DATA_DIR,
    words: list[str] | None = None,
    lines: Iterable[tuple[int, list[str]]] | None = None,
) -> Counts:
    """The character counts of the model in ``data_dir`` (or of ``words`` and the n-gram
    ``lines`` given: (order, fields) as ``ngrams`` yields them, unigrams first)."""
    if words is None:
        path = data_dir / LEXICON_FILE
        if not path.exists():
            raise FileNotFoundError(f"{path} not found (apt-get install sunpinyin-data)")
        words = lexicon(path)
    if lines is None:
        if not (data_dir / LM_FILE).exists():
            raise FileNotFoundError(f"{data_dir / LM_FILE} not found (apt-get install sunpinyin-data)")
        lines = ngrams(data_dir / LM_FILE)

    def text(w: int, boundary: str) -> str:
        return boundary if w == 0 else words[w] if w < len(words) else ""

    p1: dict[int, float] = {}
    backoff: dict[int, float] = {}
    p2: dict[tuple[int, int], float] = {}
    uni: defaultdict[str, float] = defaultdict(float)
    bi: defaultdict[str, float] = defaultdict(float)
    tri: defaultdict[str, float] = defaultdict(float)
    listed: defaultdict[int, float] = defaultdict(float)  # per first word: the listed pairs' mass
    for order, f in lines:
        if order == 1:
            p1[int(f[0])] = float(f[1])
            backoff[int(f[0])] = float(f[2])
        elif order == 2:
            w1, w2 = int(f[0]), int(f[1])
            p = p1.get(w1, 0.0) * float(f[2])
            p2[w1, w2] = p
            listed[w1] += float(f[2])
            x, y = text(w1, BOS), text(w2, EOS)
            if not x or not y:
                continue
            bi[x[-1] + y[0]] += p
            if len(x) >= 2:
                tri[x[-2:] + y[0]] += p
            if len(y) >= 2:
                tri[x[-1] + y[:2]] += p
        elif order == 3:
            w1, w2, w3 = int(f[0]), int(f[1]), int(f[2])
            mid = text(w2, "")
            if len(mid) != 1:
                continue
            x, z = text(w1, BOS), text(w3, EOS)
            if x and z:
                tri[x[-1] + mid + z[0]] += p2.get((w1, w2), 0.0) * float(f[3])
    end: defaultdict[str, float] = defaultdict(float)
    start: defaultdict[str, float] = defaultdict(float)
    for w, p in p1.items():
        s = text(w, "")
        if not s:
            continue
        for c in s:
            uni[c] += p
        for i in range(len(s) - 1):
            bi[s[i : i + 2]] += p
        for i in range(len(s) - 2):
            tri[s[i : i + 3]] += p
        # the share of this word's successors the model does not list, spread by the words alone
        end[s[-1]] += p * max(0.0, 1.0 - listed.get(w, 0.0))
        start[s[0]] += p
    return Counts(dict(uni), dict(bi), dict(tri), dict(end), dict(start))
