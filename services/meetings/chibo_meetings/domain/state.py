"""What a meeting looks like after its events: the state the Meeting aggregate decides on."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from typing import Any

from chibo_eventsourcing.aggregate import Aggregate
from chibo_meetings.domain.errors import MeetingStateError
from chibo_meetings.domain.events import (
    AttendanceCorrected,
    AttendanceRecorded,
    MeetingCancelled,
    MeetingDocumentPosted,
    MeetingGradeConfirmed,
    MeetingHeld,
    MeetingNoticeSent,
    MeetingRescheduled,
    MeetingScheduled,
    MeetingSelfAssessed,
    ResolutionAdopted,
    ResolutionTask,
    TaskProgressReported,
)

# Cells keep Vietnam's calendar (one offset all year): a meeting's day is its day there,
# whatever offset a client wrote its times in.
VIETNAM = timezone(timedelta(hours=7), "ICT")


def day_of(moment: date | datetime) -> date:
    """The calendar day of a date, or of a date-time in Vietnam."""
    return moment.astimezone(VIETNAM).date() if isinstance(moment, datetime) else moment


class MeetingState(Aggregate):
    """Folds the meeting's events; each event replaces or extends one part of the state."""

    def __init__(self, meeting_id: str) -> None:
        super().__init__(meeting_id)
        self.origin: MeetingScheduled | None = None  # as first planned: a retried create matches it
        self.plan: MeetingScheduled | None = None
        self.reschedules: list[MeetingRescheduled] = []
        self.cancellation: MeetingCancelled | None = None
        self.notices: list[MeetingNoticeSent] = []
        self.documents: list[MeetingDocumentPosted] = []
        self.held: MeetingHeld | None = None
        self.roll_call: AttendanceRecorded | None = None
        self.resolution: ResolutionAdopted | None = None
        self.task_reports: list[TaskProgressReported] = []
        self.assessment: MeetingSelfAssessed | None = None
        self.confirmation: MeetingGradeConfirmed | None = None

    @property
    def status(self) -> str:
        if self.cancellation is not None:
            return "cancelled"
        return "held" if self.held is not None else "scheduled"

    @property
    def scheduled(self) -> MeetingScheduled:
        """The current plan (with the latest date); raises if the meeting was never scheduled."""
        if self.plan is None:
            raise MeetingStateError(f"meeting {self.id} has not been scheduled")
        return self.plan

    @property
    def cell_id(self) -> str:
        return self.scheduled.cell_id

    @property
    def kind(self) -> str:
        return self.scheduled.kind

    @property
    def scheduled_on(self) -> date:
        return self.scheduled.scheduled_on

    @property
    def meeting_on(self) -> date:
        """The day the meeting took place, or is planned for."""
        return self.held.held_on if self.held else self.scheduled_on

    @property
    def corrections(self) -> int:
        return self.roll_call.correction if isinstance(self.roll_call, AttendanceCorrected) else 0

    def task(self, task_id: str) -> ResolutionTask | None:
        tasks = self.resolution.tasks if self.resolution else ()
        return next((t for t in tasks if t.task_id == task_id), None)

    def when(self, event: Any) -> None:
        _APPLY[type(event)](self, event)

    def _scheduled(self, event: MeetingScheduled) -> None:
        self.origin = self.plan = event

    def _rescheduled(self, event: MeetingRescheduled) -> None:
        self.reschedules.append(event)
        self.plan = replace(
            self.scheduled, scheduled_for=event.scheduled_for, scheduled_on=event.scheduled_on
        )

    def _cancelled(self, event: MeetingCancelled) -> None:
        self.cancellation = event

    def _noticed(self, event: MeetingNoticeSent) -> None:
        self.notices.append(event)

    def _documented(self, event: MeetingDocumentPosted) -> None:
        self.documents.append(event)

    def _held(self, event: MeetingHeld) -> None:
        self.held = event

    def _roll_called(self, event: AttendanceRecorded) -> None:
        self.roll_call = event

    def _resolved(self, event: ResolutionAdopted) -> None:
        self.resolution = event

    def _task_reported(self, event: TaskProgressReported) -> None:
        self.task_reports.append(event)

    def _assessed(self, event: MeetingSelfAssessed) -> None:
        self.assessment = event

    def _confirmed(self, event: MeetingGradeConfirmed) -> None:
        self.confirmation = event


_APPLY: dict[type, Callable[[MeetingState, Any], None]] = {
    MeetingScheduled: MeetingState._scheduled,
    MeetingRescheduled: MeetingState._rescheduled,
    MeetingCancelled: MeetingState._cancelled,
    MeetingNoticeSent: MeetingState._noticed,
    MeetingDocumentPosted: MeetingState._documented,
    MeetingHeld: MeetingState._held,
    AttendanceRecorded: MeetingState._roll_called,
    AttendanceCorrected: MeetingState._roll_called,
    ResolutionAdopted: MeetingState._resolved,
    TaskProgressReported: MeetingState._task_reported,
    MeetingSelfAssessed: MeetingState._assessed,
    MeetingGradeConfirmed: MeetingState._confirmed,
}
