"""One handler per command: load the meeting, let it decide, hand it back for saving."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from chibo_eventsourcing.store import Clock, ConcurrencyError
from chibo_meetings import commands as c
from chibo_meetings.domain import (
    CellInfo,
    CellRoll,
    InvalidMeetingError,
    Meeting,
    MeetingNotFoundError,
)
from chibo_meetings.domain.events import ResolutionTask
from chibo_meetings.domain.state import day_of


class Roster(Protocol):
    """The service's copy of the tree and the roll (from members.events)."""

    def cell(self, cell_id: str) -> CellInfo | None: ...

    def roll(self, cell_id: str, on: date) -> CellRoll: ...

    def known_members(self, member_ids: Collection[str]) -> set[str]: ...


class TaskIndex(Protocol):
    def meeting_of(self, task_id: str) -> str | None: ...


class Meetings(Protocol):
    def find(self, aggregate_id: str, up_to_version: int | None = None) -> Meeting | None: ...


@dataclass(frozen=True)
class Context:
    """What handlers may use; `expected_version` is the client's If-Match, checked on load."""

    meetings: Meetings
    roster: Roster
    tasks: TaskIndex
    clock: Clock
    expected_version: int | None = None

    def load(self, meeting_id: str) -> Meeting:
        meeting = self.meetings.find(meeting_id)
        if meeting is None:
            raise MeetingNotFoundError(meeting_id)
        if self.expected_version is not None and self.expected_version != meeting.version:
            raise ConcurrencyError(meeting_id, self.expected_version, meeting.version)
        return meeting

    def today(self) -> date:
        return day_of(self.clock())


def new_id() -> str:
    return str(uuid.uuid4())


def schedule_meeting(command: c.ScheduleMeeting, context: Context) -> Meeting:
    """Plan a meeting of a cell that exists on the planned day (a retried plan changes nothing)."""
    meeting = context.meetings.find(command.meeting_id) or Meeting(command.meeting_id)
    meeting.schedule(
        context.roster.cell(command.cell_id), command.cell_id, command.kind,
        command.scheduled_for, place=command.place, topic=command.topic, agenda=command.agenda,
    )
    return meeting


def reschedule_meeting(command: c.RescheduleMeeting, context: Context) -> Meeting:
    meeting = context.load(command.meeting_id)
    cell = context.roster.cell(meeting.cell_id)
    meeting.reschedule(cell, command.scheduled_for, command.reason)
    return meeting


def cancel_meeting(command: c.CancelMeeting, context: Context) -> Meeting:
    meeting = context.load(command.meeting_id)
    meeting.cancel(command.reason, context.clock())
    return meeting


def send_notice(command: c.SendNotice, context: Context) -> Meeting:
    meeting = context.load(command.meeting_id)
    meeting.send_notice(
        command.notice_id or new_id(), command.sent_at, command.to_members,
        command.to_overseer_ids,
    )
    return meeting


def post_document(command: c.PostDocument, context: Context) -> Meeting:
    meeting = context.load(command.meeting_id)
    meeting.post_document(
        command.document_id or new_id(), command.phase, command.title, command.posted_at,
        command.uri,
    )
    return meeting


def record_meeting_held(command: c.RecordMeetingHeld, context: Context) -> Meeting:
    meeting = context.load(command.meeting_id)
    meeting.hold(
        context.roster.cell(meeting.cell_id), command.started_at, command.ended_at,
        place=command.place, chair_id=command.chair_id, minute_taker_id=command.minute_taker_id,
    )
    return meeting


def record_roll_call(command: c.RecordRollCall, context: Context) -> Meeting:
    """Record (or correct) the roll call against the cell's roll on the meeting day."""
    meeting = context.load(command.meeting_id)
    meeting.call_roll(context.roster.roll, command.entries, command.guests, command.reason)
    return meeting


def adopt_resolution(command: c.AdoptResolution, context: Context) -> Meeting:
    meeting = context.load(command.meeting_id)
    tasks = tuple(
        ResolutionTask(t.id or new_id(), t.description, t.owner_id, t.due_on) for t in command.tasks
    )
    _require_unused(context, meeting.id, (t.task_id for t in tasks))
    meeting.adopt_resolution(
        command.text, command.votes_for, command.votes_against, command.votes_abstain, tasks
    )
    return meeting


def report_task_progress(command: c.ReportTaskProgress, context: Context) -> Meeting:
    """Report at this meeting on a task set by an earlier meeting of the same cell."""
    meeting = context.load(command.meeting_id)
    earlier_id = context.tasks.meeting_of(command.task_id)
    earlier = context.meetings.find(earlier_id) if earlier_id else None
    meeting.report_task(earlier, command.task_id, command.status, command.note)
    return meeting


def assess_meeting(command: c.AssessMeeting, context: Context) -> Meeting:
    meeting = context.load(command.meeting_id)
    on = command.assessed_on or context.today()
    meeting.self_assess(command.rubric, command.scores, command.total, command.grade, on)
    return meeting


def confirm_grade(command: c.ConfirmGrade, context: Context) -> Meeting:
    meeting = context.load(command.meeting_id)
    meeting.confirm_grade(command.total, command.grade, command.confirmed_on or context.today())
    return meeting


def _require_unused(context: Context, meeting_id: str, task_ids: Iterable[str]) -> None:
    taken = sorted(t for t in task_ids if context.tasks.meeting_of(t) not in (None, meeting_id))
    if taken:
        raise InvalidMeetingError.on("tasks", f"task ids already used: {', '.join(taken)}")


def named_members(command: c.Command) -> dict[str, list[str]]:
    """The members a command names, by field: each must be one members.events brought (the
    roll call's entries are checked against the cell's roll instead)."""
    match command:
        case c.SendNotice():
            return {"to_overseer_ids": list(command.to_overseer_ids)}
        case c.RecordMeetingHeld():
            return {"chair_id": [command.chair_id], "minute_taker_id": [command.minute_taker_id]}
        case c.RecordRollCall():
            return {"guests": [g.member_id for g in command.guests]}
        case c.AdoptResolution():
            return {"tasks": [t.owner_id for t in command.tasks]}
    return {}


def _require_known_members(context: Context, fields: dict[str, list[str]]) -> None:
    """Raise, naming each field, unless members.events has told of every member id in it."""
    if not fields:
        return
    known = context.roster.known_members({m for ids in fields.values() for m in ids})
    errors: dict[str, list[str]] = {}
    for field, ids in fields.items():
        unknown = sorted(set(ids) - known)
        if unknown:
            errors[field] = [f"unknown members (not, or not yet, received from members.events): "
                             f"{', '.join(unknown)}"]
    if errors:
        detail = "; ".join(f"{field}: {messages[0]}" for field, messages in errors.items())
        raise InvalidMeetingError(detail, errors)


def references(command: c.Command) -> tuple[set[str], set[str]]:
    """The cells and the members a command names, which members.events must have brought."""
    members = {m for ids in named_members(command).values() for m in ids}
    match command:
        case c.ScheduleMeeting():
            return {command.cell_id}, members
        case c.RecordRollCall():
            return set(), members | {e.member_id for e in command.entries}
    return set(), members


HANDLERS: dict[type, Callable[[Any, Context], Meeting]] = {
    c.ScheduleMeeting: schedule_meeting,
    c.RescheduleMeeting: reschedule_meeting,
    c.CancelMeeting: cancel_meeting,
    c.SendNotice: send_notice,
    c.PostDocument: post_document,
    c.RecordMeetingHeld: record_meeting_held,
    c.RecordRollCall: record_roll_call,
    c.AdoptResolution: adopt_resolution,
    c.ReportTaskProgress: report_task_progress,
    c.AssessMeeting: assess_meeting,
    c.ConfirmGrade: confirm_grade,
}


def handle(command: c.Command, context: Context) -> Meeting:
    """Check the members it names, then run the command's handler; the caller saves the
    meeting it returns."""
    _require_known_members(context, named_members(command))
    return HANDLERS[type(command)](command, context)
