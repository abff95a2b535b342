"""Public events of the meetings service (topic `meetings.events`): meetings, roll calls, grades.

Every event names its meeting and cell, so a consumer (reporting) needs nothing but this topic:
the roll-call events carry every entry and the figures of the required base (DOMAIN.md §5).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from marshmallow import ValidationError, fields, validate

from chibo_contracts.registry import ContractSchema

SOURCE = "meetings"

MEETING_KINDS = ("regular", "thematic", "combined")
ATTENDANCE_STATUSES = ("present", "absent_excused", "absent_unexcused")
DOCUMENT_PHASES = ("before", "after")
TASK_STATUSES = ("done", "in_progress", "overdue", "dropped")
GRADES = ("good", "fair", "average", "weak")


class DateOrDateTime(fields.Field[dt.date]):
    """An ISO date (`2025-03-03`) or an ISO date-time with offset (`2025-03-03T19:30:00+07:00`)."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else value.isoformat()

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, str) and len(value) == 10:
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        elif isinstance(value, str):
            try:
                moment = dt.datetime.fromisoformat(value)
            except ValueError:
                pass
            else:
                if moment.utcoffset() is not None:
                    return moment
        raise ValidationError("Not a date (YYYY-MM-DD) or a date-time with offset.")


def _id(description: str) -> fields.String:
    return fields.String(
        required=True, validate=validate.Length(1, 64), metadata={"description": description}
    )


def _ids(description: str) -> fields.List[str]:
    return fields.List(
        fields.String(validate=validate.Length(1, 64)),
        required=True,
        metadata={"description": description},
    )


def _date(description: str, *, required: bool = True) -> fields.Date:
    return fields.Date(
        required=required, allow_none=not required, metadata={"description": description}
    )


def _moment(description: str) -> fields.AwareDateTime:
    return fields.AwareDateTime(required=True, metadata={"description": description})


def _text(description: str, *, required: bool = True) -> fields.String:
    if required:
        return fields.String(required=True, metadata={"description": description})
    return fields.String(allow_none=True, load_default=None, metadata={"description": description})


def _count(description: str) -> fields.Integer:
    return fields.Integer(
        required=True, validate=validate.Range(min=0), metadata={"description": description}
    )


def _kind() -> fields.String:
    return fields.String(
        required=True,
        validate=validate.OneOf(MEETING_KINDS),
        metadata={"description": "regular, thematic or combined (regular + thematic session)"},
    )


class MeetingScheduled(ContractSchema):
    meeting_id = _id("the meeting")
    cell_id = _id("the cell that meets")
    kind = _kind()
    scheduled_for = DateOrDateTime(
        required=True, metadata={"description": "planned date, or date-time with offset"}
    )
    scheduled_on = _date("the planned day (the date part of scheduled_for)")
    place = _text("planned place", required=False)
    topic = _text("the concrete issue of a thematic meeting", required=False)
    agenda = fields.List(
        fields.String(), load_default=list, metadata={"description": "agenda items, in order"}
    )


class MeetingRescheduled(ContractSchema):
    meeting_id = _id("the meeting")
    cell_id = _id("the cell that meets")
    kind = _kind()
    scheduled_for = DateOrDateTime(
        required=True, metadata={"description": "the new planned date or date-time"}
    )
    scheduled_on = _date("the new planned day")
    previous_scheduled_on = _date("the planned day before this change")
    reason = _text("why the meeting was postponed or moved")


class MeetingCancelled(ContractSchema):
    meeting_id = _id("the meeting")
    cell_id = _id("the cell that meets")
    kind = _kind()
    scheduled_on = _date("the planned day of the meeting that will not take place")
    reason = _text("why the meeting was cancelled")
    cancelled_at = _moment("when the cancellation was recorded")


class MeetingNoticeSent(ContractSchema):
    meeting_id = _id("the meeting")
    cell_id = _id("the cell that meets")
    notice_id = _id("this notice")
    scheduled_on = _date("the planned day of the meeting when the notice was sent")
    sent_at = _moment("when the notice went out")
    to_members = fields.Boolean(
        required=True, metadata={"description": "whether the cell's members were notified"}
    )
    to_overseer_ids = _ids("the superior committee members (overseers) notified")


class MeetingDocumentPosted(ContractSchema):
    meeting_id = _id("the meeting")
    cell_id = _id("the cell that meets")
    document_id = _id("this document")
    phase = fields.String(
        required=True,
        validate=validate.OneOf(DOCUMENT_PHASES),
        metadata={"description": "before (preparation) or after (minutes, final resolution)"},
    )
    title = _text("the document's title")
    posted_at = _moment("when the document was made available")
    uri = _text("where the document can be read", required=False)


class MeetingHeld(ContractSchema):
    meeting_id = _id("the meeting")
    cell_id = _id("the cell that met")
    kind = _kind()
    topic = _text("the thematic issue, when there is one", required=False)
    scheduled_on = _date("the planned day")
    held_on = _date("the day the meeting started, in its own offset")
    started_at = _moment("when the meeting started")
    ended_at = _moment("when the meeting ended (after started_at)")
    duration_minutes = _count("whole minutes from start to end")
    place = _text("where the meeting took place")
    chair_id = _id("the member who chaired")
    minute_taker_id = _id("the member who took the minutes")


class AttendanceEntry(ContractSchema):
    member_id = _id("a member on the cell's roll that day")
    status = fields.String(
        required=True,
        validate=validate.OneOf(ATTENDANCE_STATUSES),
        metadata={"description": "present, absent_excused or absent_unexcused"},
    )
    reason = _text("the reason given for an absence", required=False)


class Guest(ContractSchema):
    member_id = _id("a person attending who is not on the cell's roll (e.g. an overseer)")
    role = _text("why they attended: overseer, invited, …")


class AttendanceRecorded(ContractSchema):
    meeting_id = _id("the meeting")
    cell_id = _id("the cell that met")
    kind = _kind()
    held_on = _date("the meeting day; the roll is the cell's roll on this day")
    entries = fields.List(
        fields.Nested(AttendanceEntry),
        required=True,
        metadata={"description": "every required member, and exempted members who came"},
    )
    guests = fields.List(
        fields.Nested(Guest), required=True, metadata={"description": "guests, listed apart"}
    )
    required = _count("size of the required base (DOMAIN.md §5)")
    present = _count("required members present, and exempted members who came (DOMAIN.md "
                     "§5; until 2026-11-25 the service left the exempted out)")
    absent_excused = _count("required members absent with a reason")
    absent_unexcused = _count("required members absent without a reason")
    exempted_present = _count("exempted members who came (counted in present, outside the "
                              "base)")
    attendance_rate = fields.Float(
        required=True,
        allow_none=True,
        metadata={"description": "present ÷ required (above 1 when exempted members come "
                                 "beside every required one), null when nobody was required"},
    )
    required_member_ids = _ids("the required base: members of the cell that day, minus "
                               "exempted, attached elsewhere and suspended, plus members "
                               "temporarily attached to this cell")
    attached_member_ids = _ids("members of other cells attached to this cell that day "
                               "(inside the required base)")
    exempted_member_ids = _ids("exempted members of the cell that day (outside the base)")
    exempted_present_member_ids = _ids("exempted members who attended")
    voting_member_ids = _ids("members present who may vote (full members of the cell)")
    voting_base = _count("number of voting members present")


class AttendanceCorrected(AttendanceRecorded):
    reason = _text("why the roll call was corrected", required=False)
    correction = fields.Integer(
        required=True,
        validate=validate.Range(min=1),
        metadata={"description": "1 for the first correction, 2 for the next, …"},
    )


class ResolutionTask(ContractSchema):
    task_id = _id("the task")
    description = _text("what has to be done")
    owner_id = _id("who is responsible")
    due_on = _date("the day it is due")


class ResolutionAdopted(ContractSchema):
    meeting_id = _id("the meeting")
    cell_id = _id("the cell that met")
    kind = _kind()
    held_on = _date("the day the resolution was adopted")
    text = _text("the resolution or conclusion")
    votes_for = _count("votes in favour")
    votes_against = _count("votes against")
    votes_abstain = _count("abstentions")
    voting_base = _count("voting members present on the roll call (the tally cannot exceed it)")
    tasks = fields.List(
        fields.Nested(ResolutionTask), required=True, metadata={"description": "the tasks set"}
    )


class TaskProgressReported(ContractSchema):
    meeting_id = _id("the meeting at which progress was reported")
    cell_id = _id("the cell")
    held_on = _date("the day of the reporting meeting")
    task_id = _id("the task of an earlier resolution of the same cell")
    resolution_meeting_id = _id("the meeting that adopted the task")
    due_on = _date("the task's due day")
    status = fields.String(
        required=True,
        validate=validate.OneOf(TASK_STATUSES),
        metadata={"description": "done, in_progress, overdue or dropped"},
    )
    note = _text("remarks", required=False)


def _points(description: str) -> fields.Float:
    return fields.Float(
        required=True, validate=validate.Range(min=0), metadata={"description": description}
    )


class MeetingSelfAssessed(ContractSchema):
    meeting_id = _id("the meeting")
    cell_id = _id("the cell")
    kind = _kind()
    held_on = _date("the meeting day")
    rubric = _id("the rubric used (its criteria and bands are the meetings service's data)")
    scores = fields.Dict(
        keys=fields.String(),
        values=fields.Float(),
        required=True,
        metadata={"description": "points per criterion, each within its maximum"},
    )
    total = _points("sum of the scores")
    max_total = _points("the rubric's maximum")
    grade = fields.String(
        required=True,
        validate=validate.OneOf(GRADES),
        metadata={"description": "the band of the total on the rubric"},
    )
    assessed_on = _date("the day of the self-assessment")


class MeetingGradeConfirmed(ContractSchema):
    meeting_id = _id("the meeting")
    cell_id = _id("the cell")
    kind = _kind()
    held_on = _date("the meeting day")
    rubric = _id("the rubric of the self-assessment")
    total = _points("the total the superior committee confirmed")
    grade = fields.String(
        required=True,
        validate=validate.OneOf(GRADES),
        metadata={"description": "the confirmed grade (the band of the confirmed total)"},
    )
    self_total = _points("the cell's own total")
    self_grade = fields.String(
        required=True,
        validate=validate.OneOf(GRADES),
        metadata={"description": "the cell's own grade"},
    )
    confirmed_on = _date("the day the superior committee confirmed")


EVENTS: dict[str, type[ContractSchema]] = {
    schema.__name__: schema
    for schema in (
        MeetingScheduled, MeetingRescheduled, MeetingCancelled, MeetingNoticeSent,
        MeetingDocumentPosted, MeetingHeld, AttendanceRecorded, AttendanceCorrected,
        ResolutionAdopted, TaskProgressReported, MeetingSelfAssessed, MeetingGradeConfirmed,
    )
}
