"""What a client asks the meetings service to do: one imperative dataclass per write."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from chibo_meetings.domain.events import AttendanceEntry, Guest


@dataclass(frozen=True)
class ScheduleMeeting:
    meeting_id: str
    cell_id: str
    kind: str
    scheduled_for: date | datetime
    place: str | None = None
    topic: str | None = None
    agenda: tuple[str, ...] = ()


@dataclass(frozen=True)
class RescheduleMeeting:
    meeting_id: str
    scheduled_for: date | datetime
    reason: str


@dataclass(frozen=True)
class CancelMeeting:
    meeting_id: str
    reason: str


@dataclass(frozen=True)
class SendNotice:
    meeting_id: str
    sent_at: datetime
    to_members: bool = True
    to_overseer_ids: tuple[str, ...] = ()
    notice_id: str | None = None


@dataclass(frozen=True)
class PostDocument:
    meeting_id: str
    phase: str
    title: str
    posted_at: datetime
    uri: str | None = None
    document_id: str | None = None


@dataclass(frozen=True)
class RecordMeetingHeld:
    meeting_id: str
    started_at: datetime
    ended_at: datetime
    place: str
    chair_id: str
    minute_taker_id: str


@dataclass(frozen=True)
class RecordRollCall:
    meeting_id: str
    entries: tuple[AttendanceEntry, ...]
    guests: tuple[Guest, ...] = ()
    reason: str | None = None


@dataclass(frozen=True)
class TaskSpec:
    description: str
    owner_id: str
    due_on: date
    id: str | None = None


@dataclass(frozen=True)
class AdoptResolution:
    meeting_id: str
    text: str
    votes_for: int
    votes_against: int
    votes_abstain: int
    tasks: tuple[TaskSpec, ...] = ()


@dataclass(frozen=True)
class ReportTaskProgress:
    meeting_id: str
    task_id: str
    status: str
    note: str | None = None


@dataclass(frozen=True)
class AssessMeeting:
    meeting_id: str
    scores: Mapping[str, float]
    total: float
    grade: str
    rubric: str | None = None
    assessed_on: date | None = None


@dataclass(frozen=True)
class ConfirmGrade:
    meeting_id: str
    total: float
    grade: str
    confirmed_on: date | None = None


Command = (
    ScheduleMeeting | RescheduleMeeting | CancelMeeting | SendNotice | PostDocument
    | RecordMeetingHeld | RecordRollCall | AdoptResolution | ReportTaskProgress | AssessMeeting
    | ConfirmGrade
)
