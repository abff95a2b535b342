"""What the rules read, derived from the plan alone (never from any service's data)."""

from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property

from bench.province.plan import Assignment, Meeting, Plan
from bench.province.world import World

RUBRIC_MAX = 100.0  # both default rubrics total 100 points


@dataclass(frozen=True)
class Held:
    """One held meeting with the figures the rules judge (DOMAIN.md §4, §5)."""

    id: str
    cell_id: str
    kind: str
    held_on: date
    duration: int
    parts: int
    reschedule_reason: str | None
    before_doc_on: date | None
    after_doc_on: date | None
    members_notified_on: date | None
    overseers_notified: dict[str, date]
    roll_call: bool
    required: int = 0
    present: int = 0
    absent_excused: int = 0
    absent_unexcused: int = 0
    exempted_present: int = 0
    exempted_in_base: int = 0
    resolution: bool = False
    votes_for: int = 0
    voting_base: int = 0
    tasks: int = 0
    tasks_done: int = 0
    tasks_dropped: int = 0
    score: float | None = None  # out of 100: the confirmed total, else the cell's own
    assessed_on: date | None = None
    confirmed_on: date | None = None

    @property
    def regular(self) -> bool:
        return self.kind in ("regular", "combined")

    @property
    def thematic(self) -> bool:  # a combined session without a topic has no thematic part
        return self.kind == "thematic" or (self.kind == "combined" and self.parts >= 2)

    @property
    def live_tasks(self) -> int:
        return self.tasks - self.tasks_dropped


@dataclass(frozen=True)
class Counted:
    """One roll-call entry that counts for the member (in the base, not exempted on record)."""

    held_on: date
    meeting_id: str
    cell_id: str
    status: str


@dataclass(frozen=True)
class Cover:
    """An assignment as the rules see it: who, which unit, basis, first and last day."""

    overseer_id: str
    unit_id: str
    basis: str
    start: date
    last: date | None

    def on(self, day: date) -> bool:
        return self.start <= day and (self.last is None or day <= self.last)


@dataclass(frozen=True)
class SeenVisit:
    overseer_id: str
    cell_id: str
    visited_on: date
    counts: bool


@dataclass
class Facts:
    """Everything the reference computation needs, indexed for it."""

    plan: Plan
    world: World
    held: dict[str, list[Held]] = field(default_factory=dict)  # by cell, in held order
    member_rows: dict[str, list[Counted]] = field(default_factory=dict)  # counted entries
    cell_rows: dict[str, list[tuple[date, str]]] = field(default_factory=dict)  # (day, member)
    covers: list[Cover] = field(default_factory=list)
    visits: dict[str, list[SeenVisit]] = field(default_factory=dict)  # by cell
    attendance: dict[str, list[tuple[date, str, str]]] = field(default_factory=dict)
    _ancestries: dict[tuple[str, date], list[str]] = field(default_factory=dict)

    @cached_property
    def _by_unit(self) -> dict[str, list[Cover]]:
        found: dict[str, list[Cover]] = defaultdict(list)
        for cover in self.covers:
            found[cover.unit_id].append(cover)
        return found

    def in_charge(self, cell_id: str, day: date) -> list[Cover]:
        """The assignments in charge of the cell on `day`: on it, or on a unit above it that
        day (asked once `covers` is filled in)."""
        return [c for unit in self._ancestry(cell_id, day)
                for c in self._by_unit.get(unit, ()) if c.on(day)]

    def _ancestry(self, cell_id: str, day: date) -> list[str]:
        """The cell's ancestry on `day`, as on the last of the world's change days up to it."""
        days = self.world.change_days
        index = bisect.bisect_right(days, day)
        key = (cell_id, days[index - 1] if index else date.min)
        if key not in self._ancestries:
            self._ancestries[key] = self.world.ancestry(cell_id, day)
        return self._ancestries[key]


@dataclass
class _Ledger:
    """What the roll calls say, per member: counted rows and every entry (day, meeting, status)."""

    world: World
    known: World
    rows: dict[str, list[Counted]] = field(default_factory=lambda: defaultdict(list))
    attendance: dict[str, list[tuple[date, str, str]]] = field(
        default_factory=lambda: defaultdict(list))


def gather(plan: Plan) -> Facts:
    world, known = World(plan), World(plan, include_late=False)
    facts = Facts(plan, world)
    statuses = _task_statuses(plan.meetings)
    ledger = _Ledger(world, known)
    rows, attendance = ledger.rows, ledger.attendance
    by_cell: dict[str, list[Held]] = defaultdict(list)
    for meeting in plan.meetings:
        if meeting.held and meeting.cancel_reason is None:
            by_cell[meeting.cell_id].append(_held(meeting, statuses, ledger))
    facts.held = {cell: sorted(items, key=lambda h: (h.held_on, h.id))
                  for cell, items in by_cell.items()}
    facts.member_rows = {m: sorted(r, key=lambda a: (a.held_on, a.meeting_id))
                         for m, r in rows.items()}
    cell_rows: dict[str, list[tuple[date, str]]] = defaultdict(list)
    for member, counted in facts.member_rows.items():
        for row in counted:
            cell_rows[row.cell_id].append((row.held_on, member))
    facts.cell_rows = dict(cell_rows)
    facts.attendance = {m: sorted(r) for m, r in attendance.items()}
    facts.covers = [_cover(a) for a in plan.assignments]
    facts.visits = _visits(plan, world, facts.covers)
    return facts


def _cover(assignment: Assignment) -> Cover:
    return Cover(assignment.overseer_id, assignment.unit_id, assignment.position_basis,
                 assignment.from_, assignment.last_day)


def _visits(plan: Plan, world: World, covers: list[Cover]) -> dict[str, list[SeenVisit]]:
    """A visit counts toward the quota when its overseer was in charge of the cell that day."""
    by_cell: dict[str, list[SeenVisit]] = defaultdict(list)
    for visit in plan.visits:
        above = set(world.ancestry(visit.cell_id, visit.visited_on))
        counts = any(c.overseer_id == visit.overseer_id and c.unit_id in above
                     and c.on(visit.visited_on) for c in covers)
        by_cell[visit.cell_id].append(SeenVisit(visit.overseer_id, visit.cell_id,
                                                visit.visited_on, counts))
    return by_cell


def _task_statuses(meetings: list[Meeting]) -> dict[str, str]:
    """Each task's status as last reported (reports are made in held order)."""
    found: dict[str, tuple[date, str]] = {}
    for meeting in meetings:
        if not meeting.held or meeting.held_on is None:
            continue
        for report in meeting.task_reports:
            seen = found.get(report.task_id)
            if seen is None or seen[0] <= meeting.held_on:
                found[report.task_id] = (meeting.held_on, report.status)
    return {task: status for task, (_, status) in found.items()}


def _first(days: list[date]) -> date | None:
    return min(days) if days else None


def _held(meeting: Meeting, statuses: dict[str, str], ledger: _Ledger) -> Held:
    day = meeting.held_on
    assert day is not None and meeting.duration_minutes is not None
    notified: dict[str, date] = {}
    for notice in meeting.notices:
        for overseer in notice.to_overseer_ids:
            sent = notice.sent_at.date()
            notified[overseer] = min(notified.get(overseer, sent), sent)
    figures = _figures(meeting, day, ledger)
    statuses_here = [statuses.get(t.id) for t in meeting.tasks]
    score = meeting.confirmed_total if meeting.confirmed_total is not None else meeting.self_total
    return Held(
        id=meeting.id, cell_id=meeting.cell_id, kind=meeting.kind, held_on=day,
        duration=meeting.duration_minutes,
        parts=2 if meeting.kind == "combined" and meeting.topic else 1,
        reschedule_reason=meeting.reschedule_reason,
        before_doc_on=_first([d.posted_at.date() for d in meeting.documents
                              if d.phase == "before"]),
        after_doc_on=_first([d.posted_at.date() for d in meeting.documents if d.phase == "after"]),
        members_notified_on=_first([n.sent_at.date() for n in meeting.notices if n.to_members]),
        overseers_notified=notified,
        roll_call=meeting.entries is not None,
        resolution=meeting.resolution_text is not None,
        votes_for=meeting.votes[0],
        voting_base=_voting_base(meeting, ledger.known, day),
        tasks=len(meeting.tasks),
        tasks_done=statuses_here.count("done"),
        tasks_dropped=statuses_here.count("dropped"),
        score=None if score is None else round(score * 100 / RUBRIC_MAX, 4),
        assessed_on=meeting.assessed_on,
        confirmed_on=meeting.confirmed_on if meeting.assessed_on else None,
        **figures,
    )


def _voting_base(meeting: Meeting, known: World, day: date) -> int:
    """Full members of the cell present at the roll call recorded before the resolution."""
    if meeting.entries is None:
        return 0
    voters = known.roll(meeting.cell_id, day).voters
    return sum(1 for e in meeting.entries if e.status == "present" and e.member_id in voters)


def _figures(meeting: Meeting, day: date, ledger: _Ledger) -> dict[str, int]:
    """The required base is the roll as recorded minus members exempted on record (CR-17)."""
    entries = meeting.final_entries
    if entries is None:
        return {}
    world, rows, attendance = ledger.world, ledger.rows, ledger.attendance
    base = ledger.known.roll(meeting.cell_id, day).required
    figures = dict.fromkeys(("required", "present", "absent_excused", "absent_unexcused",
                             "exempted_present", "exempted_in_base"), 0)
    for entry in entries:
        attendance[entry.member_id].append((day, meeting.id, entry.status))
        exempted = world.exempted(entry.member_id, day)
        in_base = entry.member_id in base
        if in_base and not exempted:
            figures["required"] += 1
            figures[entry.status] += 1
            rows[entry.member_id].append(Counted(day, meeting.id, meeting.cell_id, entry.status))
        elif entry.status == "present":  # counts as present, outside the base (DOMAIN §5)
            figures["present"] += 1
            figures["exempted_present"] += 1
        if in_base and exempted:
            figures["exempted_in_base"] += 1
    return figures


def active_days(plan: Plan, cell_id: str, first: date, last: date) -> tuple[date, date] | None:
    """The part of [first, last] the cell existed through (a cell exists in one stretch)."""
    cell = plan.unit(cell_id)
    start = max(first, cell.created_on)
    end = last if cell.ended_on is None else min(last, cell.ended_on - timedelta(days=1))
    return (start, end) if start <= end else None
