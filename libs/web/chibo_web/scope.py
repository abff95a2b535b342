"""Which units a scoped token reaches, and on which days, in an effective-dated tree.

A token scoped to units reaches those units and everything below them. The tree changes over
time (moves, merges), so "below" depends on the day: a write is judged on today's tree, a read
of history on the tree of the day the data is about. `DatedTree` answers both for one unit, and
for lists gives the periods during which each unit lay in the scope, to filter rows by their date.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

Period = tuple[date | None, date | None]  # [from, to); None is unbounded
ALWAYS: tuple[Period, ...] = ((None, None),)
MAX_DEPTH = 64  # deeper than any real tree; a cycle slipped into the data stops here


@dataclass
class DatedTree:
    """Parent changes (`unit, effective_from, parent`) and ends (`unit, ended_on, merged into`).

    On and after a merge a unit stands for the unit it was merged into; a unit's parent on a day
    is the latest one set on or before it (a dissolved unit keeps its last parent)."""

    parents: dict[str, tuple[list[date], list[str | None]]] = field(default_factory=dict)
    ends: dict[str, tuple[date, str | None]] = field(default_factory=dict)

    @classmethod
    def from_rows(
        cls,
        parent_rows: Iterable[tuple[str, date, str | None]],
        end_rows: Iterable[tuple[str, date, str | None]] = (),
    ) -> DatedTree:
        tree = cls()
        for unit, day, parent in sorted(parent_rows, key=lambda row: (row[0], row[1])):
            days, values = tree.parents.setdefault(unit, ([], []))
            days.append(day)
            values.append(parent)
        tree.ends = {unit: (day, into) for unit, day, into in end_rows}
        return tree

    def up(self, unit: str, on: date) -> str | None:
        """The next unit up on `on`: the unit it was merged into, else its parent."""
        end = self.ends.get(unit)
        if end is not None and end[1] is not None and end[0] <= on:
            return end[1]
        days, values = self.parents.get(unit, ([], []))
        index = bisect.bisect_right(days, on)
        return values[index - 1] if index else None

    def lineage(self, unit: str, on: date) -> list[str]:
        """The unit and every unit above it on `on`, nearest first."""
        line: list[str] = []
        current: str | None = unit
        while current is not None and current not in line and len(line) < MAX_DEPTH:
            line.append(current)
            current = self.up(current, on)
        return line

    def reaches(self, scope: Iterable[str], unit: str, on: date) -> bool:
        return not set(scope).isdisjoint(self.lineage(unit, on))

    def periods(self, scope: Iterable[str], unit: str) -> tuple[Period, ...]:
        """The periods during which `unit` lay in the subtrees of `scope`, merged, in order."""
        roots = frozenset(scope)
        days = sorted(self._change_days(unit))
        inside = unit in roots  # before its first day the unit has no parent
        periods: list[Period] = []
        start: date | None = None
        for day in days:
            now_inside = self.reaches(roots, unit, day)
            if now_inside and not inside:
                start = day
            elif inside and not now_inside:
                periods.append((start, day))
            inside = now_inside
        if inside:
            periods.append((start, None))
        return tuple(periods)

    def ancestors_ever(self, unit: str) -> set[str]:
        """The unit and every unit that was above it on some day."""
        seen, frontier = {unit}, [unit]
        while frontier:
            current = frontier.pop()
            end = self.ends.get(current)
            above = set(self.parents.get(current, ([], []))[1])
            above.add(end[1] if end else None)
            for next_unit in above - seen - {None}:
                assert next_unit is not None
                seen.add(next_unit)
                frontier.append(next_unit)
        return seen

    def _change_days(self, unit: str) -> set[date]:
        days: set[date] = set()
        for current in self.ancestors_ever(unit):
            days.update(self.parents.get(current, ([], []))[0])
            if current in self.ends:
                days.add(self.ends[current][0])
        return days
