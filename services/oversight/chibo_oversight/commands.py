"""What a client asks the oversight service to do: one imperative dataclass per write."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from chibo_oversight.domain import Appearance


@dataclass(frozen=True)
class AssignOverseer:
    assignment_id: str
    overseer_id: str
    unit_id: str
    position_basis: str
    from_: date
    to: date | None = None
    position_unit_id: str | None = None


@dataclass(frozen=True)
class EndAssignment:
    assignment_id: str
    on: date


@dataclass(frozen=True)
class RecordVisit:
    visit_id: str | None
    overseer_id: str
    cell_id: str
    visited_on: date
    meeting_id: str | None = None
    comments: str | None = None
    issues: tuple[str, ...] = ()
    follow_ups: tuple[str, ...] = ()


@dataclass(frozen=True)
class OpenReview:
    review_id: str
    cell_id: str
    period: str
    rule_ids: tuple[str, ...]
    reminded_on: date
    note: str | None = None


@dataclass(frozen=True)
class RecordExplanation:
    review_id: str
    text: str
    received_on: date


@dataclass(frozen=True)
class CloseReview:
    review_id: str
    outcome: str
    closed_on: date
    note: str | None = None


@dataclass(frozen=True)
class WithdrawVisit:
    visit_id: str
    reason: str


@dataclass(frozen=True)
class FollowRollCall:
    """The policy's command: a meeting's latest roll call (meetings.AttendanceRecorded or
    AttendanceCorrected). Guests who were in charge of the cell that day have visited it; a
    visit derived from an earlier roll call whose overseer it no longer lists is withdrawn."""

    meeting_id: str
    cell_id: str
    appearances: tuple[Appearance, ...]


Command = (
    AssignOverseer | EndAssignment | RecordVisit | WithdrawVisit | OpenReview
    | RecordExplanation | CloseReview | FollowRollCall
)
