"""The plan's world on any day: the effective-dated tree and who is required at a cell's meeting.

This is the generator's own model of DOMAIN.md §2, §3 and §5 (and of the meetings contract's
decision that a member temporarily attached to another cell is required there, not at home).
The generator uses it to write roll calls the meetings service must accept; the reference
computation uses it to know each member's standing on a meeting day.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property

from bench.province.plan import MemberChange, Plan

FOREVER = date.max


@dataclass(frozen=True)
class Roll:
    """A cell's roll on a day: who must be listed, who may be (exempted), who may vote."""

    required: frozenset[str]
    exempted: frozenset[str]
    attached: frozenset[str]
    voters: frozenset[str]


@dataclass(frozen=True)
class Span:
    start: date
    end: date  # exclusive
    value: str

    def covers(self, day: date) -> bool:
        return self.start <= day < self.end


class World:
    """Answers questions about the plan's tree and roll on a given day."""

    def __init__(self, plan: Plan, *, include_late: bool = True) -> None:
        self.plan = plan
        self._codes = {m.id: m.code for m in plan.members} | {u.id: u.code for u in plan.units}
        self._below: dict[date, dict[str, list[str]]] = {}
        self._parents: dict[str, list[tuple[date, str | None]]] = defaultdict(list)
        for unit in plan.units:
            self._parents[unit.id].append((unit.created_on, unit.parent_id))
        for change in sorted(plan.unit_changes, key=lambda c: c.on):
            if change.action == "move":
                self._parents[change.unit_id].append((change.on, change.parent_id))
        for parents in self._parents.values():
            parents.sort(key=lambda p: p[0])
        self._build_roll(plan.member_changes, include_late)

    def _build_roll(self, changes: list[MemberChange], include_late: bool) -> None:
        cells: dict[str, list[tuple[date, str | None]]] = {
            m.id: [(m.admitted_on, m.cell_id)] for m in self.plan.members
        }
        self._full_from: dict[str, date | None] = {
            m.id: m.admitted_on if m.status == "full" else None for m in self.plan.members
        }
        exemptions: dict[str, dict[str, list[date | None]]] = defaultdict(dict)
        self.attachments: dict[str, list[Span]] = defaultdict(list)
        for change in sorted(changes, key=lambda c: c.on):
            if change.late and not include_late:
                continue
            if change.action in ("transfer", "leave"):
                cells[change.member_id].append((change.on, change.cell_id))
            elif change.action == "confirm_full":
                self._full_from[change.member_id] = change.on
            elif change.action == "exempt":
                exemptions[change.member_id][change.item_id or ""] = [change.from_, change.to]
            elif change.action == "end_exemption":
                exemptions[change.member_id][change.item_id or ""][1] = change.on
            elif change.action == "attach":
                assert change.from_ is not None and change.cell_id is not None
                end = FOREVER if change.to is None else _next(change.to)
                self.attachments[change.member_id].append(Span(change.from_, end, change.cell_id))
        self.exemptions: dict[str, list[tuple[date, date | None]]] = {
            member: [(start, last) for start, last in items.values() if start is not None]
            for member, items in exemptions.items()
        }
        self.cell_spans: dict[str, list[Span]] = {}
        self._by_cell: dict[str, list[tuple[str, Span]]] = defaultdict(list)
        self._hosted: dict[str, list[tuple[str, Span]]] = defaultdict(list)
        for member, timeline in cells.items():
            spans = []
            for index, (start, cell) in enumerate(timeline):
                end = timeline[index + 1][0] if index + 1 < len(timeline) else FOREVER
                if cell is not None and start < end:
                    spans.append(Span(start, end, cell))
                    self._by_cell[cell].append((member, spans[-1]))
            self.cell_spans[member] = spans
        for member, attached in self.attachments.items():
            for span in attached:
                self._hosted[span.value].append((member, span))

    def by_code(self, ids: Iterable[str]) -> list[str]:
        """Members or units in the order of their codes, which do not depend on the id salt."""
        return sorted(ids, key=lambda i: self._codes.get(i, i))

    def cell_of(self, member_id: str, day: date) -> str | None:
        return next((s.value for s in self.cell_spans.get(member_id, ()) if s.covers(day)), None)

    def is_full(self, member_id: str, day: date) -> bool:
        since = self._full_from.get(member_id)
        return since is not None and since <= day

    def exempted(self, member_id: str, day: date) -> bool:
        return any(start <= day and (last is None or day <= last)
                   for start, last in self.exemptions.get(member_id, ()))

    def attached_to(self, member_id: str, day: date) -> str | None:
        return next((s.value for s in self.attachments.get(member_id, ()) if s.covers(day)), None)

    def members_of(self, cell_id: str, day: date) -> set[str]:
        return {m for m, span in self._by_cell.get(cell_id, ()) if span.covers(day)}

    def roll(self, cell_id: str, day: date) -> Roll:
        own = self.members_of(cell_id, day)
        away = {m for m in own if self.attached_to(m, day) not in (None, cell_id)}
        hosted = {m for m, span in self._hosted.get(cell_id, ())
                  if span.covers(day) and self.cell_of(m, day) not in (None, cell_id)}
        members = (own - away) | hosted
        exempted = {m for m in members if self.exempted(m, day)}
        voters = {m for m in members - hosted if self.is_full(m, day)}
        return Roll(frozenset(members - exempted), frozenset(exempted), frozenset(hosted),
                    frozenset(voters))

    def parent(self, unit_id: str, day: date) -> str | None:
        """The parent on `day`; a parent merged away on or before `day` stands for its heir."""
        found = None
        for start, parent in self._parents.get(unit_id, ()):
            if start <= day:
                found = parent
        return self.heir(found, day) if found else None

    def heir(self, unit_id: str, day: date) -> str:
        unit = self.plan.unit(unit_id)
        while unit.merged_into and unit.ended_on is not None and unit.ended_on <= day:
            unit = self.plan.unit(unit.merged_into)
        return unit.id

    def active(self, unit_id: str, day: date) -> bool:
        unit = self.plan.unit(unit_id)
        return unit.created_on <= day and (unit.ended_on is None or day < unit.ended_on)

    @cached_property
    def change_days(self) -> list[date]:
        """The days on which a unit's parent changes or a unit ends: every ancestry stays the same
        from one of them to the next."""
        days = {start for parents in self._parents.values() for start, _ in parents}
        days.update(u.ended_on for u in self.plan.units if u.ended_on is not None)
        return sorted(days)

    def ancestry(self, unit_id: str, day: date) -> list[str]:
        chain = [unit_id]
        parent = self.parent(unit_id, day)
        while parent is not None and parent not in chain:
            chain.append(parent)
            parent = self.parent(parent, day)
        return chain

    def cells_under(self, unit_id: str, day: date) -> list[str]:
        """The cells active on `day` at or below `unit_id` (indexed once per day asked)."""
        below = self._below.get(day)
        if below is None:
            below = defaultdict(list)
            for cell in self.plan.cells():
                if self.active(cell.id, day):
                    for unit in self.ancestry(cell.id, day):
                        below[unit].append(cell.id)
            if len(self._below) > 64:
                self._below.clear()
            self._below[day] = below
        return sorted(below.get(unit_id, ()))


def _next(day: date) -> date:
    return day + timedelta(days=1)
