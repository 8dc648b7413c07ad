"""Who may see and do what: the one place a user becomes the set of units it may see.

Every route asks ``scope_of(user, config)`` and passes ``scope.units`` to every read
(storage/web.py), and checks a single account or finding with ``scope.covers(unit)``. A
supervisor's units are its entry in config `supervisors` (by name, in ``users.unit``); an
editor's and a viewer's are their own unit; the office and a viewer without a unit see all.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.config import Config
from core.vocabulary import Role


@dataclass(frozen=True)
class Scope:
    role: Role
    units: frozenset[str] | None  # None: every unit

    def covers(self, unit: str | None) -> bool:
        return self.units is None or (unit is not None and unit in self.units)

    @property
    def all_units(self) -> bool:
        return self.units is None

    # What each role may do, beyond reading its units.
    @property
    def can_decide(self) -> bool:
        """Dismiss and reopen findings: the office and supervisors."""
        return self.role in (Role.OFFICE, Role.SUPERVISOR)

    @property
    def can_rectify(self) -> bool:
        """Mark a finding rectified, rescan an account: everyone but viewers."""
        return self.role != Role.VIEWER

    @property
    def can_check_drafts(self) -> bool:
        return self.role != Role.VIEWER

    @property
    def can_manage_registry(self) -> bool:
        return self.role == Role.OFFICE

    @property
    def can_read_audit(self) -> bool:
        return self.role == Role.OFFICE

    def report_slugs(self, config: Config) -> set[str] | None:
        """The weekly report files (by supervisor slug) this user may open; None: all of them."""
        if self.role == Role.OFFICE:
            return None
        return set()


NOTHING = frozenset[str]()


def scope_of(role: str, unit: str | None, config: Config) -> Scope:
    """The scope of a user with ``role`` and ``unit``; an unknown role or supervisor sees nothing."""
    try:
        kind = Role(role)
    except ValueError:
        return Scope(Role.VIEWER, NOTHING)
    if kind == Role.OFFICE:
        return Scope(kind, None)
    if kind == Role.SUPERVISOR:
        for supervisor in config.supervisors:
            if supervisor.name == unit:
                return Scope(kind, None if "*" in supervisor.units else frozenset(supervisor.units))
        return Scope(kind, NOTHING)
    if kind == Role.VIEWER and not unit:
        return Scope(kind, None)
    return Scope(kind, frozenset([unit]) if unit else NOTHING)


def supervisor_index(config: Config, name: str | None) -> int | None:
    for index, supervisor in enumerate(config.supervisors):
        if supervisor.name == name:
            return index
    return None
