"""Plain data the rules read: facts loaded from the read models, no I/O and no SQL here."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property

from chibo_reporting.periods import Period, Window
from chibo_reporting.rulebooks import Rulebook

Evidence = Mapping[str, tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class MeetingFact:
    """One meeting with its figures; `evidence` maps a role (held, roll_call, …) to event ids."""

    meeting_id: str
    cell_id: str
    kind: str
    held_on: date | None = None
    scheduled_on: date | None = None
    status: str = "held"
    duration_minutes: int | None = None
    parts: int = 1
    reschedule_reason: str | None = None
    before_doc_on: date | None = None
    after_doc_on: date | None = None
    members_notified_on: date | None = None
    overseers_notified: Mapping[str, date] = field(default_factory=dict)
    roll_call: bool = False
    required: int = 0
    present: int = 0
    absent_excused: int = 0
    absent_unexcused: int = 0
    exempted_present: int = 0
    exempted_miscounted: int = 0
    resolution: bool = False
    votes_for: int = 0
    voting_base: int = 0
    tasks_total: int = 0
    tasks_done: int = 0
    tasks_dropped: int = 0
    self_score: float | None = None
    assessed_on: date | None = None
    confirmed_score: float | None = None
    confirmed_on: date | None = None
    recorded_grade: str | None = None
    evidence: Evidence = field(default_factory=dict)

    @property
    def regular(self) -> bool:
        """Counts as a regular meeting (a combined session is both)."""
        return self.kind in ("regular", "combined")

    @property
    def thematic(self) -> bool:
        """Counts as a thematic meeting: a combined session only with its thematic part (a
        topic; without one it is a single, regular part, as CR-05 reads it)."""
        return self.kind == "thematic" or (self.kind == "combined" and self.parts >= 2)

    @property
    def score(self) -> float | None:
        """The confirmed score out of 100, else the cell's own."""
        return self.confirmed_score if self.confirmed_score is not None else self.self_score

    @property
    def attendance_rate(self) -> float | None:
        return self.present / self.required if self.roll_call and self.required else None

    def ids(self, *roles: str) -> list[str]:
        return [event_id for role in roles for event_id in self.evidence.get(role, ())]


@dataclass(frozen=True)
class Assignment:
    """An overseer in charge of a unit from `start` to `last_day` (None: open-ended).

    In a cell's facts, an assignment is cut to the days it had the cell in its charge (those its
    unit was the cell or above it); `appointed` keeps the assignment's own first day."""

    assignment_id: str
    overseer_id: str
    unit_id: str
    position_basis: str
    start: date
    last_day: date | None
    evidence: tuple[str, ...] = ()
    position_level: str | None = None  # kind of the committee the overseer sits on
    appointed: date | None = None  # the first day of the whole assignment, once cut

    def overlap(self, window: Window) -> Window | None:
        start = max(self.start, window.start)
        end = window.end if self.last_day is None else min(self.last_day, window.end)
        return Window(start, end, window.label) if start <= end else None

    def on(self, day: date) -> bool:
        return self.start <= day and (self.last_day is None or day <= self.last_day)

    def cut(self, window: Window) -> Assignment | None:
        """The assignment on the days of `window` only (None if it ran on none of them)."""
        days = self.overlap(window)
        return None if days is None else replace(
            self, start=days.start, last_day=days.end, appointed=self.appointed or self.start)

    @property
    def first_day(self) -> date:
        return self.appointed or self.start


@dataclass(frozen=True)
class Visit:
    visit_id: str
    overseer_id: str
    cell_id: str
    visited_on: date
    counts_toward_quota: bool
    meeting_id: str | None = None
    position_basis: str | None = None
    event_id: str = ""


@dataclass(frozen=True)
class Review:
    """A remind-and-review case opened by oversight (status reminded → explained → closed)."""

    review_id: str
    cell_id: str
    period: str
    rule_ids: tuple[str, ...]
    reminded_on: date | None
    explained_on: date | None = None
    closed_on: date | None = None
    outcome: str | None = None
    evidence: tuple[str, ...] = ()

    @property
    def status(self) -> str:
        """reminded → explained → fixed, or closed when the case ended otherwise (see outcome)."""
        if self.closed_on is not None:
            return "fixed" if self.outcome == "fixed" else "closed"
        return "explained" if self.explained_on is not None else "reminded"


@dataclass(frozen=True)
class Absence:
    """One counted roll-call entry of a member that was not `present`."""

    held_on: date
    cell_id: str
    meeting_id: str
    status: str


@dataclass(frozen=True)
class MemberYear:
    """A member's counted absences in one calendar year (absences while exempted never count).

    `excused_runs` are the maximal runs of consecutive counted meetings the member missed with
    a reason, in held order across cells; `unexcused` every counted absence without a reason.
    """

    member_id: str
    year: int
    excused_runs: tuple[tuple[Absence, ...], ...] = ()
    unexcused: tuple[Absence, ...] = ()


RulebookAt = Callable[[date], Rulebook]


@dataclass(frozen=True)
class CellPeriod:
    """Everything the cell rules need for one cell and period.

    `rulebook(day)` is the rulebook applying to the cell on that day (or today's for every day
    under `rules=current`); `today` bounds what is already due.
    """

    cell_id: str
    period: Period
    today: date
    active: tuple[Window, ...]
    meetings: tuple[MeetingFact, ...]
    rulebook: RulebookAt
    earlier: tuple[MeetingFact, ...] = ()
    assignments: tuple[Assignment, ...] = ()
    visits: tuple[Visit, ...] = ()
    reviews: tuple[Review, ...] = ()
    member_years: tuple[MemberYear, ...] = ()
    with_evidence: bool = True  # roll-ups over thousands of cells leave the event ids out

    @cached_property
    def period_meetings(self) -> tuple[MeetingFact, ...]:
        """Meetings held in the period (`meetings` reaches back to 1 January for year-to-date)."""
        return tuple(m for m in self.meetings if m.held_on is not None and m.held_on in self.period)

    def cite(self, meetings: Iterable[MeetingFact], *roles: str) -> tuple[str, ...]:
        """The event ids of `roles` over `meetings`, each once, in order."""
        if not self.with_evidence:
            return ()
        return tuple(dict.fromkeys(i for m in meetings for i in m.ids(*roles)))

    @property
    def judged_on(self) -> date:
        """The day period-wide figures are judged on: the period's end, or today if earlier."""
        return min(self.period.end, self.today)

    def covers(self, window: Window) -> bool:
        """Whether the cell existed on every day of `window`."""
        return any(span.start <= window.start and window.end <= span.end for span in self.active)

    def active_days(self, window: Window) -> int:
        total = 0
        for span in self.active:
            start, end = max(span.start, window.start), min(span.end, window.end)
            total += max(0, (end - start).days + 1)
        return total
