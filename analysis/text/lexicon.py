"""Lexicon files: loading and validation (pure: reads files, nothing else).

Format: see lexicons/README.md. One entry a line, tab-separated columns
``term kind weight severity suggestion except units flags provenance``.
A bad line raises ValueError naming the file and the line number.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from core.vocabulary import Severity

BUNDLED_DIR = Path(__file__).with_name("lexicons")

COLUMNS = ("term", "kind", "weight", "severity", "suggestion", "except", "units", "flags", "provenance")
SEVERITIES = tuple(Severity)
AD_GROUPS = ("ad.contact", "ad.price", "ad.cta", "ad.shop", "ad.strong", "ad.superlative")
SIMPLE_KINDS = frozenset((*AD_GROUPS, "gov", "cue", "protect", "authority", "leader", "title", "substance"))
PREFIX_KINDS = ("field.", "topic.", "tone.", "wording.")
_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")

# Same-length normalisation: ASCII upper case and full-width letters and digits
# folded, so that offsets found in the normalised text index the original text.
# Punctuation is left alone (lexicon regexes accept both widths). FOLD maps the code
# points that change (facts.py reads it too, to know which texts need folding).
FOLD = {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}
FOLD.update({0xFF10 + i: ord("0") + i for i in range(10)})
FOLD.update({0xFF21 + i: ord("a") + i for i in range(26)})
FOLD.update({0xFF41 + i: ord("a") + i for i in range(26)})
_FULL_WIDTH = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")


_RENAME_DATE = re.compile(r"(?:19|20)\d\d(?:-[01]\d-[0-3]\d)?")


def fold(text: str) -> str:
    """Fold case and width without changing the length of the text."""
    norm = text.lower()  # fast; only a few rare letters change length
    if len(norm) != len(text):
        norm = text.translate(FOLD)
    if _FULL_WIDTH.search(norm):
        norm = norm.translate(FOLD)
    return norm


@dataclass(frozen=True, slots=True)
class Entry:
    term: str  # folded literal, or the regex source when ``regex`` is set
    kind: str
    weight: float
    severity: str | None
    suggestion: str | None
    excepts: tuple[str, ...]
    units: tuple[str, ...]
    flags: frozenset[str]
    provenance: str | None
    source: str  # "file:line"
    regex: re.Pattern[str] | None = None
    family: str = ""  # the kind before its first dot (ad, topic, tone, wording ...)

    @property
    def gates(self) -> tuple[str, ...]:
        return tuple(fold(f[5:]) for f in sorted(self.flags) if f.startswith("gate="))

    def flag_value(self, name: str) -> str | None:
        for flag in self.flags:
            if flag.startswith(name + "="):
                return flag.split("=", 1)[1]
        return None


def _valid_kind(kind: str) -> bool:
    if kind in SIMPLE_KINDS:
        return True
    return any(kind.startswith(prefix) and _NAME_RE.match(kind[len(prefix) :]) for prefix in PREFIX_KINDS)


def _split(cell: str) -> tuple[str, ...]:
    return tuple(fold(p.strip()) for p in cell.split("|") if p.strip())


def parse_line(line: str, where: str) -> Entry | None:
    """One line of a lexicon file, or None for comments, blanks and headers."""
    raw = line.rstrip("\r\n")
    if not raw.strip() or raw.lstrip().startswith("#"):
        return None
    cells = raw.split("\t")
    if cells[0] == "term":
        return None
    if len(cells) < 2:
        raise ValueError(f"{where}: expected at least 2 tab-separated columns (term, kind), got {len(cells)}")
    if len(cells) > len(COLUMNS):
        raise ValueError(f"{where}: too many columns ({len(cells)}; at most {len(COLUMNS)})")
    cells += [""] * (len(COLUMNS) - len(cells))
    term, kind, weight_s, severity, suggestion, excepts, units, flags, provenance = (c.strip() for c in cells)
    if not term:
        raise ValueError(f"{where}: empty term")
    if not _valid_kind(kind):
        raise ValueError(f"{where}: unknown kind {kind!r}")
    try:
        weight = float(weight_s) if weight_s else 1.0
    except ValueError:
        raise ValueError(f"{where}: weight {weight_s!r} is not a number") from None
    if severity and severity not in SEVERITIES:
        raise ValueError(f"{where}: severity {severity!r} is not one of {', '.join(SEVERITIES)}")
    if kind.startswith("wording.") and not suggestion:
        raise ValueError(f"{where}: wording entry {term!r} needs a suggestion (the correct form)")
    if kind.startswith("field.") and not units:
        raise ValueError(f"{where}: field entry {term!r} needs units")
    if kind == "leader" and not suggestion:
        raise ValueError(f"{where}: leader entry {term!r} needs the titles in the suggestion column")
    flag_set = frozenset(f.strip() for f in flags.split(",") if f.strip())
    for flag in flag_set:
        if flag in ("word", "link", "vocative"):
            continue
        if flag.startswith("before=") and _RENAME_DATE.fullmatch(flag[7:]):
            continue
        if flag.startswith("reform=") and flag[7:].isdigit():
            continue
        if flag.startswith("gate=") and len(flag) > 5:
            continue
        raise ValueError(
            f"{where}: unknown flag {flag!r} (word, link, vocative, before=YYYY or before=YYYY-MM-DD, reform=YYYY, gate=TEXT)"
        )
    regex = None
    if term.startswith("re:"):
        try:
            regex = re.compile(term[3:])
        except re.error as exc:
            raise ValueError(f"{where}: bad regular expression {term[3:]!r}: {exc}") from None
        if regex.match(""):
            raise ValueError(f"{where}: regular expression {term[3:]!r} matches the empty string")
        term = term[3:]
    else:
        term = fold(term)
    return Entry(
        term=term,
        kind=kind,
        weight=weight,
        severity=severity or None,
        suggestion=suggestion or None,
        excepts=_split(excepts),
        units=tuple(p.strip() for p in units.split("|") if p.strip()),
        flags=flag_set,
        provenance=provenance or None,
        source=where,
        regex=regex,
        family=kind.split(".", 1)[0],
    )


def read_file(path: Path) -> list[Entry]:
    entries: list[Entry] = []
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path}: not UTF-8 text ({exc.reason})") from None
    for number, line in enumerate(text.splitlines(), start=1):
        entry = parse_line(line, f"{path}:{number}")
        if entry is not None:
            entries.append(entry)
    return entries


def lexicon_files(paths: Iterable[str | Path]) -> list[Path]:
    """Files named, and the *.tsv files of folders named, in a stable order."""
    files: list[Path] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            files.extend(sorted(path.glob("*.tsv")))
        elif path.is_file():
            files.append(path)
        else:
            raise ValueError(f"{path}: lexicon file or folder not found")
    return files


def load_entries(extra: Sequence[str | Path] = (), bundled: bool = True) -> list[Entry]:
    files = lexicon_files([BUNDLED_DIR] if bundled else []) + lexicon_files(extra)
    entries: list[Entry] = []
    for f in files:
        entries.extend(read_file(f))
    return entries
