"""Request bodies and query strings; unknown fields are refused (marshmallow's RAISE)."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from chibo_contracts.meetings import (
    ATTENDANCE_STATUSES,
    DOCUMENT_PHASES,
    GRADES,
    MEETING_KINDS,
    TASK_STATUSES,
)
from chibo_meetings.commands import TaskSpec
from chibo_meetings.domain.events import AttendanceEntry, Guest
from chibo_meetings.schemas.fields import (
    MAX_TEXT,
    Boolean,
    Number,
    Text,
    count,
    day,
    day_or_moment,
    member_id,
    moment,
    uuid_id,
)

MAX_PAGE_NUMBER = 1_000_000
KNOWN_MEMBER = "a member known from members.events"


def _one_of(choices: tuple[str, ...], **kwargs: Any) -> fields.String:
    return fields.String(validate=validate.OneOf(choices), **kwargs)


def _optional_text(**kwargs: Any) -> Text:
    return Text(allow_none=True, load_default=None, **kwargs)


class ScheduleMeetingSchema(Schema):
    id = uuid_id(load_default=None, metadata={"description": "client-chosen UUID"})
    cell_id = member_id(required=True)
    kind = _one_of(MEETING_KINDS, required=True)
    scheduled_for = day_or_moment(required=True)
    place = _optional_text()
    topic = _optional_text(metadata={"description": "required for a thematic meeting"})
    agenda = fields.List(Text(), load_default=list, metadata={"description": "a list of texts"})


class RescheduleSchema(Schema):
    scheduled_for = day_or_moment(required=True)
    reason = Text(required=True)


class CancelSchema(Schema):
    reason = Text(required=True)


class NoticeSchema(Schema):
    id = uuid_id(load_default=None)
    sent_at = moment(required=True)
    to_members = Boolean(load_default=True)
    to_overseer_ids = fields.List(member_id(), load_default=list, metadata={
        "description": f"the overseers notified, each {KNOWN_MEMBER} (of any unit)"
    })


class DocumentSchema(Schema):
    id = uuid_id(load_default=None)
    phase = _one_of(DOCUMENT_PHASES, required=True)
    title = Text(required=True)
    posted_at = moment(required=True)
    uri = _optional_text(max_length=2000)


class HeldSchema(Schema):
    started_at = moment("when it started", required=True)
    ended_at = moment("when it ended", required=True)
    place = Text(required=True)
    chair_id = member_id(required=True, metadata={"description": KNOWN_MEMBER})
    minute_taker_id = member_id(required=True, metadata={"description": KNOWN_MEMBER})


class EntrySchema(Schema):
    member_id = member_id(required=True)
    status = _one_of(ATTENDANCE_STATUSES, required=True)
    reason = _optional_text()

    @post_load
    def entry(self, data: dict[str, Any], **_: Any) -> AttendanceEntry:
        return AttendanceEntry(**data)


class GuestSchema(Schema):
    member_id = member_id(required=True, metadata={"description": KNOWN_MEMBER})
    role = Text(required=True, max_length=100)

    @post_load
    def guest(self, data: dict[str, Any], **_: Any) -> Guest:
        return Guest(**data)


class RollCallSchema(Schema):
    entries = fields.List(fields.Nested(EntrySchema), required=True)
    guests = fields.List(fields.Nested(GuestSchema), load_default=list)
    reason = _optional_text(metadata={"description": "why a recorded roll call is corrected"})


class TaskSchema(Schema):
    id = uuid_id(load_default=None)
    description = Text(required=True, max_length=MAX_TEXT)
    owner_id = member_id(required=True, metadata={"description": KNOWN_MEMBER})
    due_on = day(required=True)

    @post_load
    def task(self, data: dict[str, Any], **_: Any) -> TaskSpec:
        return TaskSpec(**data)


class ResolutionSchema(Schema):
    text = Text(required=True, max_length=MAX_TEXT)
    votes_for = count(required=True)
    votes_against = count(required=True)
    votes_abstain = count(required=True)
    tasks = fields.List(fields.Nested(TaskSchema), load_default=list)


class TaskReportSchema(Schema):
    task_id = member_id(required=True, metadata={"description": "a task of an earlier resolution"})
    status = _one_of(TASK_STATUSES, required=True)
    note = _optional_text(max_length=MAX_TEXT)


class AssessmentSchema(Schema):
    rubric = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(1, 64),
        metadata={"description": "a rubric id from GET /rubrics; the kind's default if omitted"},
    )
    scores = fields.Dict(
        keys=fields.String(validate=validate.Length(1, 64)), values=Number(), required=True
    )
    total = Number(required=True)
    grade = _one_of(GRADES, required=True)
    assessed_on = day(load_default=None, allow_none=True)


class ConfirmSchema(Schema):
    total = Number(required=True)
    grade = _one_of(GRADES, required=True)
    confirmed_on = day(load_default=None, allow_none=True)


class MeetingQuerySchema(Schema):
    cell_id = member_id()
    from_ = fields.Date(data_key="from", metadata={"description": "first meeting day"})
    to = fields.Date(metadata={"description": "last meeting day"})
    kind = _one_of(MEETING_KINDS)
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE_NUMBER))
    page_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))

    @validates_schema
    def check_period(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("from_") and data.get("to") and data["from_"] > data["to"]:
            raise ValidationError("must not be before 'from'", field_name="to")
