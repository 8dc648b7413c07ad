"""The lexicons compiled into one matcher: every match of a post in one scan.

All literal terms of all lexicons, the regular expressions' gate strings and factors
(literals every match contains) and the entries' except contexts live in one Aho-Corasick
automaton (the Rust aho-corasick crate), so a post is scanned once whatever the size of
the lexicons; a regex runs only when the scan found its family and one of its factors; a
post with no candidate match costs nothing more, and ``hits`` also stops when upper bounds
show that no family can reach its threshold (``may_fire``). A stream scans a chunk's texts
back to back first (``scan_ahead``, with the same automaton built as a DFA) and ``hits`` takes
each text's scan up.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Sequence
from typing import Any

import ahocorasick_rs

from ..lexicon import Entry, fold
from .base import NONE, Hit, inside
from .commercial import AD_THRESHOLD
from .context import CUE_GLOBAL
from .entertainment import TONE_THRESHOLD
from .off_topic import TOPIC_THRESHOLD

OVERLAPPING = frozenset(("cue", "gov", "field", "leader"))
SIGNAL_FAMILIES = frozenset(("ad", "topic", "tone", "wording", "leader"))
SKIPPED_KINDS = frozenset(("protect", "authority", "title"))
_first = operator.itemgetter(0)


class Matcher:
    """The compiled lexicons: ``hits`` of a folded text."""

    def __init__(self, entries: Sequence[Entry], allow: Sequence[str] = ()) -> None:
        """``allow``: allowed terms, folded (protected text)."""
        self.authorities: list[str] = []
        self.titles: set[str] = set()
        self._allow_kind = Entry(
            "", "protect", 0.0, None, None, (), (), frozenset(), None, "allow", family="protect"
        )
        literal: dict[str, list[Entry]] = {}
        regex_by_family: dict[str, list[Entry]] = {}
        # One entry per leader's name, the last loaded: a user's file overrides the
        # bundled default (leaders.tsv) for the same person.
        last_leader = {e.term: e for e in entries if e.kind == "leader"}
        for e in entries:
            if e.kind == "leader" and last_leader[e.term] is not e or e.kind == "substance":
                continue
            if e.kind == "authority":
                self.authorities.append(e.term)
            if e.kind == "title":
                self.titles.add(e.term)
                continue
            if e.kind == "leader" and e.suggestion:
                self.titles.update(fold(t) for t in e.suggestion.split("|") if t)
            if e.regex is not None:
                regex_by_family.setdefault(e.family, []).append(e)
            else:
                literal.setdefault(e.term, []).append(e)
        for term in allow:
            literal.setdefault(term, []).append(self._allow_kind)
        # Regular expressions: a family's run only when the text has a term of
        # that family or one of the family's gate strings (the scores make a
        # regex-only finding impossible otherwise); and each one only when the
        # text has one of its "factors", literal strings that every match of it
        # contains (see _factors), or always when it has none.
        self._regexes: list[tuple[str, Entry, bool]] = []  # family, entry, always
        # regexes whose every match holds a run of LONG_NUMBER digits (ids of their entries)
        self._long_numbers = frozenset(
            id(e)
            for ents in regex_by_family.values()
            for e in ents
            if digit_run(e.regex) >= LONG_NUMBER  # type: ignore[arg-type]
        )
        gates: dict[str, set[str]] = {}
        triggers: dict[str, list[int]] = {}
        for family, fam_entries in regex_by_family.items():
            for e in fam_entries:
                gates.setdefault(family, set()).update(e.gates)
                found = factors(e.regex)  # type: ignore[arg-type]
                for f in found or ():
                    triggers.setdefault(f, []).append(len(self._regexes))
                self._regexes.append((family, e, not found))
        regex_families = set(regex_by_family)
        self._regex_families = [
            (family, [(k, e, always) for k, (f, e, always) in enumerate(self._regexes) if f == family])
            for family in regex_by_family
        ]
        # One Aho-Corasick automaton (a compiled Rust DFA scanning the str) for
        # every literal term, gate string and regex factor. Per pattern: the
        # entries it stands for (protect and authority entries apart), whether
        # it is protected text, has a signal entry, enables regex families,
        # triggers regexes.
        # The except contexts of literal entries are patterns too: a term found
        # at offset k of a context that is found in the text is excepted.
        except_ctx: dict[str, list[tuple[int, int]]] = {}  # context -> (id of the entry, k)
        for ents in literal.values():
            for e in ents:
                for ctx in e.excepts:
                    k = ctx.find(e.term)
                    while k >= 0:
                        except_ctx.setdefault(ctx, []).append((id(e), k))
                        k = ctx.find(e.term, k + 1)
        patterns = list(
            dict.fromkeys([*literal, *(g for gs in gates.values() for g in gs), *triggers, *except_ctx])
        )
        entries_of: list[tuple[Entry, ...]] = []
        protect_idx, signal_idx = set(), set()
        self._enables: dict[int, frozenset[str]] = {}
        self._triggers: dict[int, tuple[int, ...]] = {}
        self._excepts_of: dict[int, tuple[tuple[int, int], ...]] = {}
        for idx, p in enumerate(patterns):
            ents = literal.get(p, [])
            entries_of.append(tuple(e for e in ents if e.kind not in SKIPPED_KINDS))
            if any(e.kind == "protect" for e in ents):
                protect_idx.add(idx)
            if any(e.family in SIGNAL_FAMILIES for e in ents):
                signal_idx.add(idx)
            enables = {e.family for e in ents} & regex_families
            enables.update(f for f, gs in gates.items() if p in gs)
            if enables:
                self._enables[idx] = frozenset(enables)
            if p in triggers:
                self._triggers[idx] = tuple(triggers[p])
            if p in except_ctx:
                self._excepts_of[idx] = tuple(except_ctx[p])
        self._entries_of = tuple(entries_of)
        self._protect_idx = frozenset(protect_idx)
        self._signal_idx = frozenset(signal_idx)
        self._trigger_idx = frozenset(self._triggers)
        # For the bounds of _may_fire: patterns with a wording or leader entry
        # (always worth the rules), with a gov entry of positive weight, and
        # with a warning cue that nothing but a protected span can silence.
        self._wording_idx = frozenset(
            i for i, ents in enumerate(entries_of) if any(e.family in ("wording", "leader") for e in ents)
        )
        self._gov_up = {
            i: sum(e.weight for e in ents if e.kind == "gov" and e.weight > 0)
            for i, ents in enumerate(entries_of)
            if any(e.kind == "gov" and e.weight > 0 for e in ents)
        }
        self._solid_cue_idx = frozenset(
            i
            for i, ents in enumerate(entries_of)
            if any(e.kind == "cue" and not e.excepts and not e.flags for e in ents)
        )
        self._enabler_idx = frozenset(self._enables)
        # Per signal pattern, what its entries add to the bounds (weights are multiples of
        # 0.25, so the sums are exact in any order): a post's bound is then a loop over its
        # patterns, not over their entries.
        self._bounds = {i: _bound_parts(entries_of[i]) for i in signal_idx}
        self._regex_idx = self._enabler_idx | self._trigger_idx
        self._candidates_of: dict[frozenset[int], list[Entry]] = {}
        self._runs_of: dict[tuple[frozenset[int], bool], _Run] = {}
        self._except_idx = frozenset(self._excepts_of)
        self._find: Any = None
        self._find_ahead: Any = None  # the same automaton as a DFA, for scan_ahead (built on first use)
        self._patterns = patterns
        self._ahead: dict[str, list[tuple[int, int, int]]] = {}  # scan_ahead's scans not yet taken
        if patterns:
            # A contiguous NFA: built in 3 ms where the DFA takes 16 ms (a cold draft waits
            # for it), and as fast a scan for these ~1,700 patterns (the Python list of matches
            # costs more than the automaton's steps).
            automaton = ahocorasick_rs.AhoCorasick(
                patterns,
                matchkind=ahocorasick_rs.MatchKind.Standard,
                implementation=ahocorasick_rs.Implementation.ContiguousNFA,
            )
            self._find = automaton.find_matches_as_indexes
        self.titles_longest = sorted(self.titles, key=len, reverse=True)

    def hits(
        self, norm: str, prune: bool = False, context: bool = False, numbers: bool = True
    ) -> tuple[list[Hit], list[tuple[int, int]], set[tuple[int, int]]] | None:
        """The matches in the folded text, or None without a signal.

        With them: the protected spans, and the (entry id, start) of the
        literal matches that lie in one of their entry's except contexts.
        ``prune``: None also when no family can reach its threshold
        (``may_fire``); the scores of such a post are then not computed.
        ``context``: the matches even without a signal (the context rules of a
        model finding need the cues, government words and fields).
        ``numbers=False``: the text has no run of ``LONG_NUMBER`` digits (facts.py), so the
        regexes whose every match has one (a mobile number) are not run.
        """
        matches = self._ahead.pop(norm, None) if self._ahead else None
        if matches is None:
            matches = self._find(norm, True) if self._find is not None else ()
        if not matches:
            return None  # no term, no gate: no regex runs either
        idxs = set(map(_first, matches))
        signal = not idxs.isdisjoint(self._signal_idx)
        regex_hits: list[Hit] = []
        literal = None  # the literal part of the bounds, computed when first needed
        if not idxs.isdisjoint(self._enabler_idx):
            run = self._regex_run(idxs, numbers)
            candidates = run[0]
            if not signal and not context and not run[1]:
                return None  # no regex that may run can give a signal either
            if prune and candidates:
                literal = self.literal_bound(idxs)
                # not even if every regex that may run matched (and silenced no cue)
                if not self.may_fire(idxs, matches, run[2], run[3], run[4], literal):
                    return None
            for e in candidates:
                for m in e.regex.finditer(norm):  # type: ignore[union-attr]
                    regex_hits.append((m.start(), m.end(), e))
                    if e.family in SIGNAL_FAMILIES:
                        signal = True
        if not signal and not context:
            return None
        if prune:
            if regex_hits:
                regex_protect = [(h[0], h[1]) for h in regex_hits if h[2].kind == "protect"]
                fires, parts = _regex_parts([h[2] for h in regex_hits])
            else:
                regex_protect, fires, parts = NONE, False, ()
            if not self.may_fire(idxs, matches, fires, parts, regex_protect, literal):
                return None
        protect = (
            [(s, e) for idx, s, e in matches if idx in self._protect_idx]
            if not idxs.isdisjoint(self._protect_idx)
            else []
        )
        for h in regex_hits:
            if h[2].kind == "protect":
                protect.append((h[0], h[1]))
        entries_of = self._entries_of
        hits: list[Hit] = [(s, e, entry) for idx, s, e in matches for entry in entries_of[idx]]
        for h in regex_hits:
            if h[2].kind not in SKIPPED_KINDS:
                hits.append(h)
        excepted: set[tuple[int, int]] = set()
        if not idxs.isdisjoint(self._except_idx):
            excepts_of = self._excepts_of
            for idx, s, _e in matches:
                if idx in excepts_of:
                    excepted.update((eid, s + k) for eid, k in excepts_of[idx])
        return hits, protect, excepted

    def scan_ahead(self, norms: Sequence[str]) -> None:
        """Scan a batch of folded texts now, one after the other, for ``hits`` to take up (a
        stream's chunk): the automaton stays in the CPU's caches for the whole batch instead of
        being read back after each post's rules and the model. Keyed by the text itself, so a
        text checked differently (masked, folded otherwise) is scanned again as before. A text
        the scan refuses (a lone surrogate) is left to ``hits``, which raises as it would."""
        ahead: dict[str, list[tuple[int, int, int]]] = {}
        if self._find is not None:
            if self._find_ahead is None:
                # A DFA: built in ~30 ms where the NFA takes 3 (a cold draft never waits for it),
                # then ~40 % fewer instructions a scan, the same matches in the same order.
                self._find_ahead = ahocorasick_rs.AhoCorasick(
                    self._patterns,
                    matchkind=ahocorasick_rs.MatchKind.Standard,
                    implementation=ahocorasick_rs.Implementation.DFA,
                ).find_matches_as_indexes
            find = self._find_ahead
            for norm in norms:
                try:
                    ahead[norm] = find(norm, True)
                except UnicodeEncodeError:
                    continue
        self._ahead = ahead

    def literal_bound(self, idxs: set[int]) -> _Bound:
        """The literal matches' part of the bounds of ``may_fire``: each ad group's strongest
        weight, a shop link, and the topic, tone and gov weights (positive ones only)."""
        groups: dict[str, float] = {}
        link = False
        gov = topic = tone = 0.0
        bounds = self._bounds
        for idx in idxs & self._signal_idx:
            ad, ad_link, up_topic, up_tone, up_gov = bounds[idx]
            for kind, w in ad:
                if w >= groups.get(kind, 0.0):
                    groups[kind] = w
            link = link or ad_link
            topic += up_topic
            tone += up_tone
            gov += up_gov
        return groups, link, topic, tone, gov

    def _regex_run(self, idxs: set[int], numbers: bool) -> _Run:
        """The regexes to run (``regex_candidates``, less those needing a long number when the
        text has none) and, for ``may_fire``, whether any is of a signal family, the bound parts
        of them all and the protected spans' part (None: unknown, when a protect regex may run).
        Remembered per set of enabling and triggering patterns found, as the candidates are."""
        key = (self._regex_idx.intersection(idxs), numbers)  # a frozenset: no copy
        found = self._runs_of.get(key)
        if found is None:
            if len(self._runs_of) >= _CANDIDATE_SETS:
                self._runs_of.clear()
            candidates = self.regex_candidates(idxs)
            if not numbers and candidates and self._long_numbers:
                candidates = [e for e in candidates if id(e) not in self._long_numbers]
            fires, parts = _regex_parts(candidates)
            found = self._runs_of[key] = (
                candidates,
                any(e.family in SIGNAL_FAMILIES for e in candidates),
                fires,
                parts,
                None if any(e.kind == "protect" for e in candidates) else NONE,
            )
        return found

    def regex_candidates(self, idxs: set[int]) -> list[Entry]:
        """The regexes to run: of a family with a term or gate in the text, and triggered or
        factorless. Remembered per set of enabling and triggering patterns found (a few
        thousand sets at most: the cache starts again when full)."""
        key = self._regex_idx.intersection(idxs)  # a frozenset: no copy
        found = self._candidates_of.get(key)
        if found is None:
            if len(self._candidates_of) >= _CANDIDATE_SETS:
                self._candidates_of.clear()
            found = self._candidates_of[key] = self._regex_candidates(key)
        return found

    def _regex_candidates(self, idxs: frozenset[int]) -> list[Entry]:
        enabled: set[str] = set()
        for idx in idxs & self._enabler_idx:
            enabled.update(self._enables[idx])
        triggered: set[int] = set()
        for idx in idxs & self._trigger_idx:
            triggered.update(self._triggers[idx])
        return [
            e
            for family, regexes in self._regex_families
            if family in enabled
            for k, e, always in regexes
            if always or k in triggered
        ]

    def may_fire(
        self,
        idxs: set[int],
        matches: list[tuple[int, int, int]],
        fires: bool,
        parts: tuple[_Part, ...],
        regex_protect: list[tuple[int, int]] | None,
        literal: _Bound | None = None,
    ) -> bool:
        """Whether any family could reach its threshold: upper bounds from the raw matches.

        The context rules only ever drop matches and subtract (field, gov with
        negative weights), so a bound taken before them is safe: each ad signal
        group at its strongest positive weight plus positive gov weights; the
        positive weights of every topic and tone entry; any wording or leader
        match may be a finding. Two warning cues that nothing can silence (no
        except, no flag, outside protected spans) rule out ads and topics.
        ``fires``, ``parts``: ``_regex_parts`` of the regexes that matched, or of all that may
        run (``_regex_run`` keeps them per set of patterns found);
        ``regex_protect``: the spans of protect regexes, None when unknown.
        ``literal``: ``literal_bound(idxs)``, when already known.
        """
        if fires or not idxs.isdisjoint(self._wording_idx):
            return True
        groups, link, topic, tone, gov = literal or self.literal_bound(idxs)
        if parts:
            groups = dict(groups)
            for fam, kind, w, shop in parts:
                if fam == "ad":
                    if w >= groups.get(kind, 0.0):
                        groups[kind] = w
                    if shop:
                        link = True
                elif fam == "topic":
                    topic += w
                elif fam == "tone":
                    tone += w
                else:  # gov
                    gov += w
        if tone >= TONE_THRESHOLD:
            return True
        for idx in idxs & self._gov_up.keys():
            gov += self._gov_up[idx]
        ads = (len(groups) >= 2 or link) and sum(groups.values()) + gov >= AD_THRESHOLD
        if not ads and topic < TOPIC_THRESHOLD:
            return False
        if regex_protect is not None and not idxs.isdisjoint(self._solid_cue_idx):
            solid = self._solid_cue_idx
            starts = {s: e for idx, s, e in matches if idx in solid}
            if len(starts) >= CUE_GLOBAL and (regex_protect or not idxs.isdisjoint(self._protect_idx)):
                protect = [(s, e) for idx, s, e in matches if idx in self._protect_idx] + regex_protect
                starts = {s: e for s, e in starts.items() if not inside(protect, s, e)}
            if len(starts) >= CUE_GLOBAL:
                return False
        return True


_CANDIDATE_SETS = 4096
_Bound = tuple[dict[str, float], bool, float, float, float]
_Part = tuple[str, str, float, bool]  # family (ad, topic, tone, gov), kind, positive weight, link
_Run = tuple[list[Entry], bool, bool, tuple[_Part, ...], list[tuple[int, int]] | None]
_BOUND_FAMILIES = frozenset(("ad", "topic", "tone", "gov"))


def _regex_parts(entries: Sequence[Entry]) -> tuple[bool, tuple[_Part, ...]]:
    """What regex entries (each counted once, in order) add to the bounds of ``may_fire``:
    whether one is a wording or leader entry (any may be a finding), else the family, kind,
    positive weight and link flag of each entry of a scored family."""
    parts: list[_Part] = []
    for e in {id(e): e for e in entries}.values():
        fam = e.family
        if fam in _BOUND_FAMILIES:
            parts.append((fam, e.kind, e.weight if e.weight > 0 else 0.0, "link" in e.flags))
        elif fam in ("wording", "leader"):
            return True, ()
    return False, tuple(parts)


def _bound_parts(entries: Sequence[Entry]) -> tuple[tuple[tuple[str, float], ...], bool, float, float, float]:
    """What a signal pattern's entries add to the bounds of ``may_fire``: each ad group's
    strongest positive weight, a shop link, and the positive topic, tone and gov weights."""
    groups: dict[str, float] = {}
    link = False
    topic = tone = gov = 0.0
    for e in entries:
        w = e.weight if e.weight > 0 else 0.0
        if e.family == "ad":
            if w >= groups.get(e.kind, 0.0):
                groups[e.kind] = w
            if "link" in e.flags:
                link = True
        elif e.family == "topic":
            topic += w
        elif e.family == "tone":
            tone += w
        elif e.family == "gov":
            gov += w
    return tuple(groups.items()), link, topic, tone, gov


# -- regex factors --

LONG_NUMBER = 11  # digits in a row: what facts.NUMBER tells a text may hold (a mobile number)


def digit_run(pattern: re.Pattern[str]) -> int:
    """The most digits in a row that every match of the pattern holds (0 when unsure).

    Read from the top level of the parsed pattern: digits, sets of digits (``\\d``, ``[3-9]``)
    and their repeats (counted at their minimum) add to a run, zero-width assertions keep it,
    anything else ends it."""
    try:
        from re import _constants as c  # type: ignore[attr-defined]
        from re import _parser  # type: ignore[attr-defined]

        items = list(_parser.parse(pattern.pattern, pattern.flags))
    except Exception:  # an unexpected parse tree: no shortcut, never a wrong answer
        return 0

    def one_digit(op: Any, av: Any) -> bool:
        if op is c.LITERAL:
            return chr(av).isdecimal()
        if op is c.IN:
            return bool(av) and all(
                (iop is c.LITERAL and chr(iav).isdecimal())
                or (iop is c.RANGE and all(chr(x).isdecimal() for x in range(iav[0], iav[1] + 1)))
                or (iop is c.CATEGORY and iav is c.CATEGORY_DIGIT)
                for iop, iav in av
            )
        return False

    best = run = 0
    for op, av in items:
        if one_digit(op, av):
            run += 1
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", None)) and len(av[2]) == 1:
            sub_op, sub_av = list(av[2])[0]
            if not one_digit(sub_op, sub_av):
                best, run = max(best, run), 0
                continue
            run += av[0]
            if av[1] != av[0]:  # a run of variable length: what follows is no longer counted from here
                best, run = max(best, run), 0
        elif op in (c.ASSERT, c.ASSERT_NOT, c.AT):
            continue
        else:
            best, run = max(best, run), 0
    return max(best, run)


def factors(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """Literal strings one of which every match of the pattern contains, or None.

    Read from the parsed pattern: a run of literal characters, a small
    character set, the alternatives of a group, or a repeated item (at least
    once). Anything this cannot prove (case-insensitive matching, classes like
    \\d, optional items only) gives None, and so do factors too common to save
    anything (a single ASCII letter or digit): the pattern then runs whenever
    its family does.
    """
    if pattern.flags & re.IGNORECASE:
        return None
    try:
        from re import _parser  # type: ignore[attr-defined]

        found = _seq_factors(list(_parser.parse(pattern.pattern, pattern.flags)))
    except Exception:  # an unexpected parse tree: no shortcut, never a wrong answer
        return None
    return frozenset(found) if found else None


_MAX_FACTORS = 64


def _weak_factor(s: str) -> bool:
    """Too common to be worth an automaton match: a single ASCII letter, digit or space."""
    return len(s) == 1 and ((s.isascii() and s.isalnum()) or s.isspace())


def _exact(op: Any, av: Any) -> set[str] | None:
    """Every string one element can match (a superset will do), if few; else None."""
    from re import _constants as c  # type: ignore[attr-defined]

    if op is c.LITERAL:
        return {chr(av)}
    if op in (c.ASSERT, c.ASSERT_NOT, c.AT):
        return {""}  # zero-width: the characters around it stay adjacent
    if op is c.IN:
        chars: set[str] = set()
        for iop, iav in av:
            if iop is c.LITERAL:
                chars.add(chr(iav))
            elif iop is c.RANGE and iav[1] - iav[0] < _MAX_FACTORS:
                chars.update(chr(x) for x in range(iav[0], iav[1] + 1))
            else:
                return None
        return chars if len(chars) <= _MAX_FACTORS else None
    if op is c.BRANCH:
        union: set[str] = set()
        for branch in av[1]:
            sub = _exact_seq(list(branch))
            if sub is None:
                return None
            union |= sub
        return union if len(union) <= _MAX_FACTORS else None
    if op is c.SUBPATTERN and not av[1] & re.IGNORECASE:
        return _exact_seq(list(av[3]))
    return None


def _exact_seq(items: list[Any]) -> set[str] | None:
    out = {""}
    for op, av in items:
        sub = _exact(op, av)
        if sub is None:
            return None
        out = {a + b for a in out for b in sub}
        if len(out) > _MAX_FACTORS:
            return None
    return out


def _seq_factors(items: list[Any]) -> set[str] | None:
    """The best factor set of a sequence: adjacent fixed elements joined, or any one element's set."""
    from re import _constants as c  # type: ignore[attr-defined]

    best: set[str] | None = None

    def consider(cand: set[str] | None) -> None:
        nonlocal best
        if not cand or "" in cand or len(cand) > _MAX_FACTORS or any(map(_weak_factor, cand)):
            return
        if best is None or (min(map(len, cand)), -len(cand)) > (min(map(len, best)), -len(best)):
            best = cand

    run = {""}
    for op, av in items:
        sub = _exact(op, av)
        if sub is not None:
            joined = {a + b for a in run for b in sub}
            if len(joined) <= _MAX_FACTORS:
                run = joined
                continue
            consider(run)
            run = sub
            continue
        consider(run)
        run = {""}
        if op is c.BRANCH:
            union: set[str] = set()
            for branch in av[1]:
                found = _seq_factors(list(branch))
                if not found:
                    union = set()
                    break
                union |= found
            consider(union)
        elif op is c.SUBPATTERN:
            if not av[1] & re.IGNORECASE:
                consider(_seq_factors(list(av[3])))
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", None)):
            if av[0] >= 1:
                consider(_seq_factors(list(av[2])))
        elif op is getattr(c, "ATOMIC_GROUP", None):
            consider(_seq_factors(list(av)))
    consider(run)
    return best


def _nested_order(h: Hit) -> tuple[int, int]:
    return (h[0], h[0] - h[1])


def drop_nested(hits: list[Hit]) -> list[Hit]:
    """Drop a match lying inside a longer match of the same family (星座 in 星座运势)."""
    hits.sort(key=_nested_order)
    out: list[Hit] = []
    reach: dict[str, int] = {}  # family (ad: signal group) -> furthest end of a kept match
    for h in hits:
        e = h[2]
        fam = e.kind if e.family == "ad" else e.family
        if fam in OVERLAPPING:
            out.append(h)
        elif reach.get(fam, -1) < h[1]:
            out.append(h)
            reach[fam] = h[1]
    return out
