"""What the oversight domain is told about the world: units, members, positions and meetings as
the service's local copy of `members.events` and `meetings.events` knows them, and the
assignments already recorded. Plain values; the handlers look them up, the aggregates judge."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

ASSIGNABLE_KINDS = ("grassroots_committee", "cell")


def covers(start: date, last: date | None, day: date) -> bool:
    """Whether `day` lies in [start, last] (an open end when `last` is None)."""
    return start <= day and (last is None or day <= last)


def overlap(a: tuple[date, date | None], b: tuple[date, date | None]) -> bool:
    """Whether two day ranges [start, last] (open-ended when last is None) share a day."""
    return (a[1] is None or b[0] <= a[1]) and (b[1] is None or a[0] <= b[1])


@dataclass(frozen=True)
class UnitInfo:
    unit_id: str
    code: str
    kind: str
    created_on: date
    ended_on: date | None = None  # the first day the unit no longer exists (merged, dissolved)

    def exists_on(self, day: date) -> bool:
        return self.created_on <= day and (self.ended_on is None or day < self.ended_on)


@dataclass(frozen=True)
class MemberInfo:
    member_id: str
    full_name: str


@dataclass(frozen=True)
class Holding:
    """A position a member holds in a unit, from a day to a last day (open when None)."""

    position_id: str
    member_id: str
    unit_id: str
    position: str
    from_: date
    last_day: date | None = None

    def covers(self, day: date) -> bool:
        return covers(self.from_, self.last_day, day)


@dataclass(frozen=True)
class MeetingInfo:
    meeting_id: str
    cell_id: str
    scheduled_on: date | None = None
    held_on: date | None = None
    cancelled: bool = False

    @property
    def day(self) -> date | None:
        """The day it took place, or else the day it is planned for."""
        return self.held_on or self.scheduled_on


@dataclass(frozen=True)
class Charge:
    """A recorded assignment as other commands see it: who is in charge of what, and when."""

    assignment_id: str
    overseer_id: str
    unit_id: str
    position_basis: str
    from_: date
    last_day: date | None = None  # the planned `to`, or the day it was ended on

    def active_on(self, day: date) -> bool:
        return covers(self.from_, self.last_day, day)

    def overlaps(self, from_: date, last_day: date | None) -> bool:
        return overlap((self.from_, self.last_day), (from_, last_day))


@dataclass(frozen=True)
class Appearance:
    """A guest listed on a meeting's (latest) roll call."""

    meeting_id: str
    cell_id: str
    held_on: date
    member_id: str
    role: str | None = None
