"""The content model's features: every character 1- to 4-gram of a normalised text, hashed.

One home for the hashing that the plain-Python scorer (model.py), the numpy batch scorer
(model_batch.py) and training (train.py) must compute identically.
"""

from __future__ import annotations

MAX_ORDER = 4
PRIME = 1_000_003
GOLDEN = 0x9E3779B97F4A7C15
SALTS = tuple(0x51ED2701 * (n + 1) + 0x2545F491 for n in range(8))
_M64 = (1 << 64) - 1
# Characters that carry no weight in a model finding's explanation (nor do spaces).
PUNCTUATION = frozenset("，,。.！!？?：:；;、~～…—“”\"'（）()【】[]《》#@|/-")


def _norm_map() -> dict[int, int]:
    """Code point normalisation (the Basic Multilingual Plane): ASCII upper case to lower,
    full-width forms (FF01-FF5E) to ASCII, every digit to 0, whitespace (and the
    ideographic space) to a space. Only the code points that change."""
    out = {0xFF01 + i: 0x21 + i for i in range(0x5E)}
    out.update({c: c + 32 for c in range(ord("A"), ord("Z") + 1)})
    out.update({0xFF21 + i: ord("a") + i for i in range(26)})
    out.update({c: ord("0") for c in range(ord("0") + 1, ord("9") + 1)})
    out.update({0xFF10 + i: ord("0") for i in range(10)})
    out.update({c: 0x20 for c in (0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x3000, 0xA0)})
    return out


NORM = _norm_map()


def py_grams(text: str, bits: int, max_order: int = MAX_ORDER) -> list[tuple[int, int, int]]:
    """(bucket, start, order) of every n-gram of one text, in plain Python (same hashes as
    model_batch.grams)."""
    get = NORM.get
    codes = [get(c, c) for c in map(ord, text)]
    shift = 64 - bits
    out = []
    n_codes = len(codes)
    for start in range(n_codes):
        h = 0
        for order in range(1, max_order + 1):
            end = start + order
            if end > n_codes:
                break
            h = (h * PRIME + codes[end - 1]) & _M64 if order > 1 else codes[start]
            out.append(((((h ^ SALTS[order]) * GOLDEN) & _M64) >> shift, start, order))
    return out
