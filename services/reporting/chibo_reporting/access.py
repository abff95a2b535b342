"""Who may do what: the permission matrix (roles per endpoint) and the part of the tree a token
reaches (its scope units, by id or code, and everything below them).

A report is about history, so a unit is in reach when it lies in the token's scope on today's
tree or on the tree of the day the report is about. Outside the reach and unknown answer alike.
A report about one cell, member, unit or stream outside the reach is refused (403); the
list-shaped reports (overseers, reminders), the rulebooks and the audit verification hold only
what the reach covers. The rulebooks of the units above the scope apply to it, so they are
shown too.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from chibo_reporting.read_models.tree import Tree
from chibo_web.auth import Caller
from chibo_web.permissions import EVERYONE, Permissions, roles

PUBLISHERS = roles("committee_staff", "admin", "service")
AUDITORS = roles("auditor", "admin", "service")
PERMISSIONS: Permissions = {
    ("POST", "/rulebooks"): PUBLISHERS,
    ("GET", "/rulebooks"): EVERYONE,
    ("GET", "/rulebooks/<rulebook_id>"): EVERYONE,
    ("GET", "/reports/cells/<cell_id>"): EVERYONE,
    ("GET", "/reports/units/<unit_id>"): EVERYONE,
    ("GET", "/reports/overseers"): EVERYONE,
    ("GET", "/reports/reminders"): EVERYONE,
    ("GET", "/reports/members/<member_id>"): EVERYONE,
    ("GET", "/audit/streams/<path:stream_id>"): AUDITORS,
    ("GET", "/audit/verify"): AUDITORS,
}


def reaches(caller: Caller, tree: Tree, unit_id: str, days: tuple[date, ...]) -> bool:
    """Whether the unit lies in the caller's scope on any of `days`."""
    if caller.whole_tree:
        return True
    scope = set(caller.scope)
    for day in days:
        for unit in tree.ancestry(unit_id, day):
            known = tree.units.get(unit)
            if unit in scope or (known is not None and known.code in scope):
                return True
    return False


def out_of_reach(named: str) -> str:
    """The one detail for "outside your part of the tree" and "no such thing" (`named`: what
    the request named, e.g. "stream <id>", never what was found)."""
    return f"{named} is not in the part of the tree your token covers"


@dataclass(frozen=True)
class Place:
    """A unit that decides who may read something, and the days that thing is about.
    `governs`: a rulebook series, also seen by the units below (its rules apply to them)."""

    unit_id: str
    days: tuple[date, ...] = ()
    governs: bool = False


@dataclass
class Sight:
    """What one caller sees of the tree: the units its scope reaches (today or on the days
    asked about), and the units above its scope."""

    caller: Caller
    tree: Tree
    today: date
    _roots: list[str] | None = field(default=None, init=False)
    # Per unit and stretch of days between two of the tree's change days (an ancestry stays
    # the same over one), for the sight's life (one request): a verification asks about every
    # stream of a source, most of them about the same cells in the same stretches.
    _reached: dict[tuple[str, int], bool] = field(default_factory=dict, init=False)

    def reaches(self, unit_id: str, *days: date) -> bool:
        if self.caller.whole_tree:
            return True
        return any(self._reaches_on(unit_id, day) for day in (self.today, *days))

    def _reaches_on(self, unit_id: str, day: date) -> bool:
        key = (unit_id, bisect.bisect_right(self.tree.change_days, day))
        if key not in self._reached:
            self._reached[key] = reaches(self.caller, self.tree, unit_id, (day,))
        return self._reached[key]

    def above(self, unit_id: str) -> bool:
        """Whether the unit is at or above a unit of the scope on today's tree."""
        if self.caller.whole_tree:
            return True
        return any(unit_id in self.tree.ancestry(root, self.today) for root in self.roots())

    def sees(self, places: Iterable[Place]) -> bool:
        """Whether one of the places is in reach (a rulebook series also when it governs a
        unit of the scope)."""
        return any(
            self.reaches(p.unit_id, *p.days) or (p.governs and self.above(p.unit_id))
            for p in places
        )

    def candidates(self) -> set[str] | None:
        """The units the scope may reach on some day (and maybe a few more; None: every
        unit): where to look for what the sight may see, before asking it."""
        return None if self.caller.whole_tree else self.tree.ever_below(self.roots())

    def roots(self) -> list[str]:
        """The scope's units by id (a token may name them by code)."""
        if self._roots is None:
            scope = set(self.caller.scope)
            self._roots = sorted(
                u.unit_id for u in self.tree.units.values()
                if u.unit_id in scope or (u.code is not None and u.code in scope)
            )
        return self._roots
