"""The Meeting aggregate: a cell meeting from planning to the confirmed grade (DOMAIN.md §4).

Each command checks the life cycle (nothing after a cancellation, nothing before it is held that
needs the meeting held) and its invariants, then triggers one event.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict
from datetime import date, datetime, timedelta
from typing import Any

from chibo_meetings.domain.errors import (
    IdInUseError,
    InvalidMeetingError,
    MeetingExistsError,
    MeetingStateError,
)
from chibo_meetings.domain.events import (
    AttendanceCorrected,
    AttendanceEntry,
    AttendanceRecorded,
    Guest,
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
from chibo_meetings.domain.resolution import check_tally, check_tasks
from chibo_meetings.domain.roll import (
    CellInfo,
    CellRoll,
    check_roll_call,
    repeats,
    require_cell_on,
)
from chibo_meetings.domain.rubrics import RUBRICS, rubric_for
from chibo_meetings.domain.state import MeetingState, day_of

KINDS = ("regular", "thematic", "combined")
TOPIC_REQUIRED = frozenset({"thematic"})
MAX_DURATION = timedelta(hours=24)


class Meeting(MeetingState):
    """A cell meeting; methods check invariants, then trigger the event that records the change."""

    def schedule(
        self,
        cell: CellInfo | None,
        cell_id: str,
        kind: str,
        scheduled_for: date | datetime,
        *,
        place: str | None = None,
        topic: str | None = None,
        agenda: Sequence[str] = (),
    ) -> None:
        """Plan a meeting of `cell_id`; `cell` is what is known of it (None when unknown).
        Planning it again as it was first planned is a retry and changes nothing."""
        planned = MeetingScheduled(
            self.id, cell_id, kind, scheduled_for, day_of(scheduled_for), place, topic,
            tuple(agenda),
        )
        if self.origin is not None:
            if planned != self.origin:
                raise MeetingExistsError(self.id)
            return
        if kind not in KINDS:
            raise InvalidMeetingError.on("kind", f"must be one of {', '.join(KINDS)}")
        if kind in TOPIC_REQUIRED and not (topic and topic.strip()):
            raise InvalidMeetingError.on("topic", f"a {kind} meeting needs a topic")
        require_cell_on(cell, cell_id, planned.scheduled_on)
        self.trigger(planned)

    def reschedule(
        self, cell: CellInfo | None, scheduled_for: date | datetime, reason: str
    ) -> None:
        self._require_planned("rescheduled")
        require_cell_on(cell, self.cell_id, day_of(scheduled_for))
        self.trigger(MeetingRescheduled(
            self.id, self.cell_id, self.kind, scheduled_for, day_of(scheduled_for),
            self.scheduled_on, reason,
        ))

    def cancel(self, reason: str, at: datetime) -> None:
        self._require_planned("cancelled")
        self.trigger(MeetingCancelled(
            self.id, self.cell_id, self.kind, self.scheduled_on, reason, at
        ))

    def send_notice(
        self, notice_id: str, sent_at: datetime, to_members: bool, to_overseer_ids: Sequence[str]
    ) -> None:
        """Record a notice; the same `notice_id` again is a retry, which changes nothing."""
        earlier = next((n for n in self.notices if n.notice_id == notice_id), None)
        if earlier is not None:
            recorded = (earlier.sent_at, earlier.to_members, earlier.to_overseer_ids)
            asked = (sent_at, to_members, tuple(to_overseer_ids))
            _require_same(f"notice {notice_id}", recorded, asked)
            return
        self._require_open()
        if not to_members and not to_overseer_ids:
            raise InvalidMeetingError.on("to_members", "a notice must go to someone")
        self.trigger(MeetingNoticeSent(
            self.id, self.cell_id, notice_id, self.scheduled_on, sent_at, to_members,
            tuple(to_overseer_ids),
        ))

    def post_document(
        self, document_id: str, phase: str, title: str, posted_at: datetime, uri: str | None
    ) -> None:
        """Record a document; the same `document_id` again is a retry, which changes nothing."""
        earlier = next((d for d in self.documents if d.document_id == document_id), None)
        if earlier is not None:
            recorded = (earlier.phase, earlier.title, earlier.posted_at, earlier.uri)
            _require_same(f"document {document_id}", recorded, (phase, title, posted_at, uri))
            return
        self._require_open()
        if phase == "after":
            held = self._require_held("documents can be posted 'after' it")
            if posted_at < held.started_at:
                raise InvalidMeetingError.on(
                    "posted_at", "an 'after' document cannot be posted before the meeting started"
                )
        self.trigger(MeetingDocumentPosted(
            self.id, self.cell_id, document_id, phase, title, posted_at, uri
        ))

    def hold(
        self,
        cell: CellInfo | None,
        started_at: datetime,
        ended_at: datetime,
        *,
        place: str,
        chair_id: str,
        minute_taker_id: str,
    ) -> None:
        """Record the meeting as held, on a day its cell exists (as a reschedule must)."""
        self._require_planned("recorded as held again")
        if ended_at <= started_at:
            raise InvalidMeetingError.on("ended_at", "the meeting must end after it starts")
        if ended_at - started_at > MAX_DURATION:
            raise InvalidMeetingError.on("ended_at", "a meeting lasts at most 24 hours")
        require_cell_on(cell, self.cell_id, day_of(started_at))
        plan = self.scheduled
        minutes = int((ended_at - started_at).total_seconds() // 60)
        self.trigger(MeetingHeld(
            self.id, plan.cell_id, plan.kind, plan.topic, plan.scheduled_on, day_of(started_at),
            started_at, ended_at, minutes, place, chair_id, minute_taker_id,
        ))

    def call_roll(
        self,
        roll_of: Callable[[str, date], CellRoll],
        entries: Sequence[AttendanceEntry],
        guests: Sequence[Guest],
        reason: str | None = None,
    ) -> None:
        """Record the roll call against `roll_of(cell, meeting day)`; when one exists, correct it
        (a correction replaces it whole; repeating the current one changes nothing)."""
        held = self._require_held("the roll can be called")
        if self.roll_call is not None and repeats(self.roll_call, entries, guests):
            return
        roll = roll_of(self.cell_id, held.held_on)
        figures = check_roll_call(roll, entries, guests)
        if self.resolution is not None and self.resolution.votes_cast > figures.voting_base:
            raise InvalidMeetingError.on("entries", (
                f"the resolution's {self.resolution.votes_cast} votes would exceed the "
                f"{figures.voting_base} voting members present"
            ))
        recorded: dict[str, Any] = dict(
            meeting_id=self.id, cell_id=self.cell_id, kind=self.kind, held_on=held.held_on,
            entries=tuple(entries), guests=tuple(guests), **asdict(figures),
        )
        if self.roll_call is None:
            self.trigger(AttendanceRecorded(**recorded))
        else:
            correction = self.corrections + 1
            self.trigger(AttendanceCorrected(**recorded, reason=reason, correction=correction))

    def adopt_resolution(
        self,
        text: str,
        votes_for: int,
        votes_against: int,
        votes_abstain: int,
        tasks: Sequence[ResolutionTask] = (),
    ) -> None:
        held = self._require_held("a resolution can be adopted")
        if self.roll_call is None:
            raise MeetingStateError("call the roll first: the voting base comes from the roll call")
        if self.resolution is not None:
            raise MeetingStateError(f"meeting {self.id} has already adopted its resolution")
        base = self.roll_call.voting_base
        check_tally((votes_for, votes_against, votes_abstain), base)
        check_tasks(tasks, held.held_on)
        self.trigger(ResolutionAdopted(
            self.id, self.cell_id, self.kind, held.held_on, text, votes_for, votes_against,
            votes_abstain, base, tuple(tasks),
        ))

    def report_task(
        self, earlier: MeetingState | None, task_id: str, status: str, note: str | None = None
    ) -> None:
        """Report, at this meeting, on a task that the `earlier` meeting of the cell set."""
        held = self._require_held("progress can be reported at it")
        task = earlier.task(task_id) if earlier is not None else None
        if earlier is None or task is None or earlier.cell_id != self.cell_id:
            raise InvalidMeetingError.on(
                "task_id", f"{task_id} is not a task of a resolution of cell {self.cell_id}"
            )
        if earlier.held is None or earlier.held.started_at >= held.started_at:
            raise InvalidMeetingError.on(
                "task_id", f"{task_id} was set at meeting {earlier.id}, not at an earlier one"
            )
        self.trigger(TaskProgressReported(
            self.id, self.cell_id, held.held_on, task_id, earlier.id, task.due_on, status, note
        ))

    def self_assess(
        self,
        rubric_id: str | None,
        scores: Mapping[str, float],
        total: float,
        grade: str,
        on: date,
    ) -> None:
        """Score the meeting on a rubric (the kind's default when `rubric_id` is None)."""
        held = self._require_held("it can be assessed")
        if self.confirmation is not None:
            raise MeetingStateError("the grade is already confirmed by the superior committee")
        rubric = rubric_for(rubric_id, self.kind)
        if on < held.held_on:
            raise InvalidMeetingError.on("assessed_on", "a meeting is assessed after it is held")
        rubric.check_scores(scores, total, grade)
        self.trigger(MeetingSelfAssessed(
            self.id, self.cell_id, self.kind, held.held_on, rubric.id, total, rubric.max_total,
            grade, on, dict(scores),
        ))

    def confirm_grade(self, total: float, grade: str, on: date) -> None:
        self._require_open()
        assessment = self.assessment
        if assessment is None:
            raise MeetingStateError("the cell has not assessed this meeting yet")
        if self.confirmation is not None:
            raise MeetingStateError("the grade is already confirmed")
        if on < assessment.assessed_on:
            raise InvalidMeetingError.on(
                "confirmed_on", "a grade is confirmed on or after the day of the self-assessment"
            )
        RUBRICS[assessment.rubric].check_total(total, grade)
        self.trigger(MeetingGradeConfirmed(
            self.id, self.cell_id, self.kind, assessment.held_on, assessment.rubric, total, grade,
            assessment.total, assessment.grade, on,
        ))

    def _require_open(self) -> None:
        if self.plan is None:
            raise MeetingStateError(f"meeting {self.id} has not been scheduled")
        if self.cancellation is not None:
            raise MeetingStateError(
                f"meeting {self.id} was cancelled: nothing can be recorded after a cancellation"
            )

    def _require_planned(self, action: str) -> None:
        self._require_open()
        if self.held is not None:
            raise MeetingStateError(f"meeting {self.id} was already held; it cannot be {action}")

    def _require_held(self, action: str) -> MeetingHeld:
        self._require_open()
        if self.held is None:
            raise MeetingStateError(f"meeting {self.id} has not been held yet; only then {action}")
        return self.held


def _require_same(named: str, recorded: tuple[Any, ...], asked: tuple[Any, ...]) -> None:
    """A client-chosen id names one record: asking for it again is a retry, unless it differs."""
    if asked != recorded:
        raise IdInUseError(f"{named} is already recorded on this meeting with other content")

