"""The parts of the content checks (analysis/text/checker.py puts them together).

base: labels and finding types; matcher: the lexicons in one Aho-Corasick automaton;
context: the rules deciding whether a match counts (hard negatives, dates of renamed
institutions, the unit's own field); commercial, off_topic, entertainment, wording: one
module per label; learned: the learned model's findings.
"""
