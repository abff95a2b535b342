"""The effective-dated organisation tree in memory, built from the unit spans.

A unit's parent on a day is the parent of its span that day; a parent merged into another unit
on or before that day hands its children to the unit it was merged into (members.events states
the merger only once, on the merged unit). Nothing is ever removed: a report for 2024 sees the
2024 tree.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property

from chibo_reporting.periods import Window

FOREVER = date.max
Stretches = tuple[tuple[Window, tuple[str, ...]], ...]  # days alike, and the ancestry on them


@dataclass(frozen=True)
class Span:
    valid_from: date
    valid_to: date | None
    parent_id: str | None
    name: str | None


@dataclass(frozen=True)
class Unit:
    unit_id: str
    kind: str | None
    code: str | None
    created_on: date | None
    ended_on: date | None
    end_kind: str | None
    into_id: str | None


class Tree:
    def __init__(self, units: Iterable[Unit], spans: Iterable[tuple[str, Span]]) -> None:
        self.units = {u.unit_id: u for u in units}
        self._spans: dict[str, list[Span]] = {}
        for unit_id, span in spans:
            self._spans.setdefault(unit_id, []).append(span)
        for unit_spans in self._spans.values():
            unit_spans.sort(key=lambda s: s.valid_from)
        self._starts = {u: [s.valid_from for s in spans] for u, spans in self._spans.items()}
        self._children: dict[date, dict[str, list[str]]] = {}
        self._ancestries: dict[tuple[str, Window], Stretches] = {}

    @cached_property
    def change_days(self) -> tuple[date, ...]:
        """The days on which a unit's ancestry may change (a span starts, a unit ends: a merged
        parent hands its children on): between two of them every ancestry stays the same."""
        days = {day for starts in self._starts.values() for day in starts}
        days.update(u.ended_on for u in self.units.values() if u.ended_on is not None)
        return tuple(sorted(days))

    def kind(self, unit_id: str) -> str | None:
        unit = self.units.get(unit_id)
        return unit.kind if unit else None

    def active(self, unit_id: str, day: date) -> bool:
        unit = self.units.get(unit_id)
        if unit is None or unit.created_on is None or day < unit.created_on:
            return False
        return unit.ended_on is None or day < unit.ended_on

    def active_spans(self, unit_id: str) -> tuple[Window, ...]:
        """The days the unit existed, as windows with both ends included."""
        unit = self.units.get(unit_id)
        if unit is None or unit.created_on is None:
            return ()
        last = FOREVER if unit.ended_on is None else unit.ended_on - timedelta(days=1)
        return (Window(unit.created_on, last, unit_id),) if unit.created_on <= last else ()

    def _span(self, unit_id: str, day: date) -> Span | None:
        spans = self._spans.get(unit_id)
        if not spans:
            return None
        index = bisect.bisect_right(self._starts[unit_id], day)
        return spans[max(index - 1, 0)]

    def resolve(self, unit_id: str, day: date) -> str:
        """The unit that stands for `unit_id` on `day`: itself, or the unit it was merged into."""
        seen = {unit_id}
        unit = self.units.get(unit_id)
        while (unit is not None and unit.end_kind == "merged" and unit.into_id
               and unit.ended_on is not None and unit.ended_on <= day
               and unit.into_id not in seen):
            seen.add(unit.into_id)
            unit_id, unit = unit.into_id, self.units.get(unit.into_id)
        return unit_id

    def parent(self, unit_id: str, day: date) -> str | None:
        span = self._span(unit_id, day)
        if span is None or span.parent_id is None:
            return None
        return self.resolve(span.parent_id, day)

    def name(self, unit_id: str, day: date) -> str | None:
        span = self._span(unit_id, day)
        return span.name if span else None

    def ancestry(self, unit_id: str, day: date) -> list[str]:
        """The unit and the units above it on `day`, nearest first."""
        chain = [unit_id]
        parent = self.parent(unit_id, day)
        while parent is not None and parent not in chain:
            chain.append(parent)
            parent = self.parent(parent, day)
        return chain

    def ancestries(self, unit_id: str, window: Window) -> Stretches:
        """The unit's ancestry on each day of `window`, as the stretches in which it stays the
        same (one for most units and years; a unit moved or merged mid-year has two or more).
        Kept per unit and window, as the children index is."""
        key = (unit_id, window)
        found = self._ancestries.get(key)
        if found is None:
            found = tuple(self._stretches(unit_id, window))
            if len(self._ancestries) > 200_000:
                self._ancestries = {}
            self._ancestries[key] = found
        return found

    def _stretches(self, unit_id: str, window: Window) -> list[tuple[Window, tuple[str, ...]]]:
        stretches: list[tuple[Window, tuple[str, ...]]] = []
        if window.end < window.start:
            return stretches
        day = window.start
        while True:
            chain = tuple(self.ancestry(unit_id, day))
            following = self._next_change(chain, day)
            last = window.end if following is None else min(window.end,
                                                             following - timedelta(days=1))
            if stretches and stretches[-1][1] == chain:
                stretches[-1] = (Window(stretches[-1][0].start, last, window.label), chain)
            else:
                stretches.append((Window(day, last, window.label), chain))
            if last >= window.end:
                return stretches
            day = last + timedelta(days=1)

    def _next_change(self, chain: tuple[str, ...], day: date) -> date | None:
        """The first day after `day` on which the ancestry `chain` (of `day`) may change: a
        unit of it starts a new span, or a parent it names is merged into another unit."""
        upcoming = []
        for unit_id in chain:
            starts = self._starts.get(unit_id, [])
            index = bisect.bisect_right(starts, day)
            if index < len(starts):
                upcoming.append(starts[index])
            span = self._span(unit_id, day)
            parent, seen = (span.parent_id if span else None), set()
            while parent is not None and parent not in seen:
                seen.add(parent)
                unit = self.units.get(parent)
                if unit is None or unit.end_kind != "merged" or unit.ended_on is None:
                    break
                if unit.ended_on > day:
                    upcoming.append(unit.ended_on)
                    break
                parent = unit.into_id
        return min(upcoming, default=None)

    def is_below(self, unit_id: str, ancestor_id: str, day: date) -> bool:
        return ancestor_id in self.ancestry(unit_id, day)

    def children(self, unit_id: str, day: date) -> list[str]:
        """The units directly below `unit_id` on `day` (the index per day is kept: the tree is
        shared by concurrent requests, so it is only ever added to)."""
        index = self._children.get(day)
        if index is None:
            index = {}
            for candidate in sorted(self.units):
                if self.active(candidate, day):
                    parent = self.parent(candidate, day)
                    if parent is not None:
                        index.setdefault(parent, []).append(candidate)
            if len(self._children) > 64:
                self._children = {}
            self._children[day] = index
        return list(index.get(unit_id, []))

    def ever_below(self, roots: Iterable[str]) -> set[str]:
        """The units at or below one of `roots` on some day, and maybe more: the walk follows
        every parent a unit ever had (and every merger), whatever the days, so it narrows a
        search and never decides one."""
        below: dict[str, set[str]] = {}
        for unit_id, spans in self._spans.items():
            for span in spans:
                if span.parent_id is not None:
                    below.setdefault(span.parent_id, set()).add(unit_id)
        for unit in self.units.values():
            if unit.end_kind == "merged" and unit.into_id:
                below.setdefault(unit.into_id, set()).add(unit.unit_id)
        found, stack = set(), list(roots)
        while stack:
            current = stack.pop()
            if current not in found:
                found.add(current)
                stack.extend(below.get(current, ()))
        return found

    def cells_under(self, unit_id: str, day: date) -> list[str]:
        """Every cell on `day` at or below `unit_id` (party groups below cells are not cells)."""
        found, stack = [], [unit_id]
        while stack:
            current = stack.pop()
            if self.kind(current) == "cell":
                if self.active(current, day):
                    found.append(current)
                continue
            stack.extend(self.children(current, day))
        return sorted(found)
