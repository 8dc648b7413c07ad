"""What a batch of texts holds, found in one numpy pass over their characters (a stream's chunk).

Some checks scan every text for a rare kind of character before doing anything: the privacy
detector for a long run of digits and for the words of an address or a secret mark, ``fold``
for a letter to fold, the tone marks for a character beyond the BMP. A regular expression scan costs a few microseconds a text; for a
chunk of posts one pass over all their code points answers the three questions for every
post at once. Each answer is a superset (a "maybe"): a check told "no" may skip its scan,
one told "maybe" runs it as it would without the facts, so the findings are the same.

numpy is imported on first use (a stream's first chunk): a draft never needs it.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Sequence
from typing import Any

from .lexicon import FOLD

FOLDS = 1  # a character that ``lexicon.fold`` may change (a cased letter, a full-width digit or letter)
ASTRAL = 2  # a character beyond the Basic Multilingual Plane (most emoji)
NUMBER = 4  # NUMBER_DIGITS digits close together (a personal number may be there)
ADDRESS = 16  # a character of every word that starts a home address (privacy.py: 住, 址)
SECRET = 32  # a character of every secret mark (privacy.py: ★, 内 of 内部, 密 of 注意保密)
ALL = FOLDS | ASTRAL | NUMBER | ADDRESS | SECRET
NUMBER_DIGITS = 11  # the shortest personal number of privacy.py: a mobile
ADDRESS_CHARS = "住址"
SECRET_CHARS = "★内密"

# A digit: the class bits of a code point are FOLDS, ASTRAL, ADDRESS, SECRET and _DIGIT, the
# highest, so that ``classes >= _DIGIT`` finds the digits (a comparison: faster than a mask).
_DIGIT = 128


@functools.cache
def _classes() -> Any:
    """The class bits of every BMP code point; index 0x10000 stands for any code point beyond."""
    import numpy as np

    chars = list(map(chr, range(0x10000)))
    folds = np.fromiter(map(operator.ne, map(str.lower, chars), chars), dtype=bool, count=0x10000)
    # and what ``fold`` translates beyond that: the full-width digits and letters (not the
    # full-width punctuation between them, ：；？＠［］: the colon is in a third of all posts)
    folds[[c for c in FOLD if c < 0x10000]] = True
    digits = np.fromiter(map(str.isdecimal, chars), dtype=bool, count=0x10000)  # what \d matches
    table = np.zeros(0x10001, dtype=np.uint8)
    table[:0x10000] = np.where(folds, FOLDS, 0) | np.where(digits, _DIGIT, 0)
    for ch in ADDRESS_CHARS:
        table[ord(ch)] |= ADDRESS
    for ch in SECRET_CHARS:
        table[ord(ch)] |= SECRET
    table[0x10000] = FOLDS | ASTRAL | _DIGIT  # beyond the BMP: assume anything
    return table


def text_facts(texts: Sequence[str]) -> list[int]:
    """Per text, the bits of this module that may be true of it (never a false "no")."""
    if not texts:
        return []
    import numpy as np

    table = _classes()
    # every text ends with a line break, so that no text's range is empty
    joined = "\n".join(texts) + "\n"
    raw = joined.encode("utf-16-le", "surrogatepass")
    if len(raw) == 2 * len(joined):  # no character beyond the BMP: UTF-16 units are code points
        cls = np.take(table, np.frombuffer(raw, dtype="<u2"))
    else:
        codes = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype="<u4")
        cls = np.take(table, np.minimum(codes, 0x10000))
    starts = np.zeros(len(texts), dtype=np.int64)
    lengths = np.fromiter((len(t) + 1 for t in texts[:-1]), dtype=np.int64, count=len(texts) - 1)
    np.cumsum(lengths, out=starts[1:])
    out = (np.bitwise_or.reduceat(cls, starts) & (FOLDS | ASTRAL | ADDRESS | SECRET)).astype(np.int64)
    # A number is NUMBER_DIGITS digits with at most one character (a space, a dash) between two
    # of them: a text without such a chain of digits has no number.
    digits = np.flatnonzero(cls >= _DIGIT)
    if digits.size >= NUMBER_DIGITS:
        near = np.zeros(digits.size, dtype=np.int64)
        np.cumsum(digits[1:] - digits[:-1] <= 2, out=near[1:])
        span = NUMBER_DIGITS - 1
        chains = np.flatnonzero(near[span:] - near[:-span] == span)
        if chains.size:
            out[np.searchsorted(starts, digits[chains], side="right") - 1] |= NUMBER
    return out.tolist()
