"""The meeting's private events: what happened, in the domain's own types."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class MeetingScheduled:
    meeting_id: str
    cell_id: str
    kind: str
    scheduled_for: date | datetime
    scheduled_on: date
    place: str | None
    topic: str | None
    agenda: tuple[str, ...] = ()


@dataclass(frozen=True)
class MeetingRescheduled:
    meeting_id: str
    cell_id: str
    kind: str
    scheduled_for: date | datetime
    scheduled_on: date
    previous_scheduled_on: date
    reason: str


@dataclass(frozen=True)
class MeetingCancelled:
    meeting_id: str
    cell_id: str
    kind: str
    scheduled_on: date
    reason: str
    cancelled_at: datetime


@dataclass(frozen=True)
class MeetingNoticeSent:
    meeting_id: str
    cell_id: str
    notice_id: str
    scheduled_on: date
    sent_at: datetime
    to_members: bool
    to_overseer_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class MeetingDocumentPosted:
    meeting_id: str
    cell_id: str
    document_id: str
    phase: str
    title: str
    posted_at: datetime
    uri: str | None = None


@dataclass(frozen=True)
class MeetingHeld:
    meeting_id: str
    cell_id: str
    kind: str
    topic: str | None
    scheduled_on: date
    held_on: date
    started_at: datetime
    ended_at: datetime
    duration_minutes: int
    place: str
    chair_id: str
    minute_taker_id: str


@dataclass(frozen=True)
class AttendanceEntry:
    member_id: str
    status: str
    reason: str | None = None


@dataclass(frozen=True)
class Guest:
    member_id: str
    role: str


@dataclass(frozen=True)
class AttendanceRecorded:
    """The roll call: every entry plus the figures of the required base, computed once."""

    meeting_id: str
    cell_id: str
    kind: str
    held_on: date
    entries: tuple[AttendanceEntry, ...]
    guests: tuple[Guest, ...]
    required: int
    present: int
    absent_excused: int
    absent_unexcused: int
    exempted_present: int
    attendance_rate: float | None
    required_member_ids: tuple[str, ...]
    attached_member_ids: tuple[str, ...]
    exempted_member_ids: tuple[str, ...]
    exempted_present_member_ids: tuple[str, ...]
    voting_member_ids: tuple[str, ...]
    voting_base: int


@dataclass(frozen=True)
class AttendanceCorrected(AttendanceRecorded):
    """A later roll call that replaces the previous one as a whole."""

    reason: str | None = None
    correction: int = 1


@dataclass(frozen=True)
class ResolutionTask:
    task_id: str
    description: str
    owner_id: str
    due_on: date


@dataclass(frozen=True)
class ResolutionAdopted:
    meeting_id: str
    cell_id: str
    kind: str
    held_on: date
    text: str
    votes_for: int
    votes_against: int
    votes_abstain: int
    voting_base: int
    tasks: tuple[ResolutionTask, ...] = ()

    @property
    def votes_cast(self) -> int:
        return self.votes_for + self.votes_against + self.votes_abstain


@dataclass(frozen=True)
class TaskProgressReported:
    meeting_id: str
    cell_id: str
    held_on: date
    task_id: str
    resolution_meeting_id: str
    due_on: date
    status: str
    note: str | None = None


@dataclass(frozen=True)
class MeetingSelfAssessed:
    meeting_id: str
    cell_id: str
    kind: str
    held_on: date
    rubric: str
    total: float
    max_total: float
    grade: str
    assessed_on: date
    scores: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class MeetingGradeConfirmed:
    meeting_id: str
    cell_id: str
    kind: str
    held_on: date
    rubric: str
    total: float
    grade: str
    self_total: float
    self_grade: str
    confirmed_on: date


MeetingEvent = (
    MeetingScheduled | MeetingRescheduled | MeetingCancelled | MeetingNoticeSent
    | MeetingDocumentPosted | MeetingHeld | AttendanceRecorded | AttendanceCorrected
    | ResolutionAdopted | TaskProgressReported | MeetingSelfAssessed | MeetingGradeConfirmed
)
EVENT_CLASSES: tuple[type, ...] = (
    MeetingScheduled, MeetingRescheduled, MeetingCancelled, MeetingNoticeSent,
    MeetingDocumentPosted, MeetingHeld, AttendanceRecorded, AttendanceCorrected,
    ResolutionAdopted, TaskProgressReported, MeetingSelfAssessed, MeetingGradeConfirmed,
)
