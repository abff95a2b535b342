"""What the API answers: a meeting with its whole record, a page of meetings, the rubrics."""

from __future__ import annotations

from marshmallow import Schema, fields

from chibo_contracts.meetings import DateOrDateTime


class RescheduleOut(Schema):
    scheduled_for = DateOrDateTime()
    previous_scheduled_on = fields.Date()
    reason = fields.String()


class CancellationOut(Schema):
    reason = fields.String()
    cancelled_at = fields.AwareDateTime()


class NoticeOut(Schema):
    id = fields.String(attribute="notice_id")
    sent_at = fields.AwareDateTime()
    to_members = fields.Boolean()
    to_overseer_ids = fields.List(fields.String())


class DocumentOut(Schema):
    id = fields.String(attribute="document_id")
    phase = fields.String()
    title = fields.String()
    posted_at = fields.AwareDateTime()
    uri = fields.String(allow_none=True)


class HeldOut(Schema):
    started_at = fields.AwareDateTime()
    ended_at = fields.AwareDateTime()
    held_on = fields.Date()
    duration_minutes = fields.Integer()
    place = fields.String()
    chair_id = fields.String()
    minute_taker_id = fields.String()


class EntryOut(Schema):
    member_id = fields.String()
    status = fields.String()
    reason = fields.String(allow_none=True)


class GuestOut(Schema):
    member_id = fields.String()
    role = fields.String()


class RollCallOut(Schema):
    entries = fields.List(fields.Nested(EntryOut))
    guests = fields.List(fields.Nested(GuestOut))
    required = fields.Integer()
    present = fields.Integer()
    absent_excused = fields.Integer()
    absent_unexcused = fields.Integer()
    exempted_present = fields.Integer()
    attendance_rate = fields.Float(allow_none=True)
    required_member_ids = fields.List(fields.String())
    attached_member_ids = fields.List(fields.String())
    exempted_member_ids = fields.List(fields.String())
    exempted_present_member_ids = fields.List(fields.String())
    voting_member_ids = fields.List(fields.String())
    voting_base = fields.Integer()
    corrections = fields.Function(lambda roll: getattr(roll, "correction", 0))


class TaskOut(Schema):
    id = fields.String(attribute="task_id")
    description = fields.String()
    owner_id = fields.String()
    due_on = fields.Date()


class ResolutionOut(Schema):
    text = fields.String()
    votes_for = fields.Integer()
    votes_against = fields.Integer()
    votes_abstain = fields.Integer()
    voting_base = fields.Integer()
    tasks = fields.List(fields.Nested(TaskOut))


class TaskReportOut(Schema):
    task_id = fields.String()
    resolution_meeting_id = fields.String()
    due_on = fields.Date()
    status = fields.String()
    note = fields.String(allow_none=True)


class AssessmentOut(Schema):
    rubric = fields.String()
    scores = fields.Dict(keys=fields.String(), values=fields.Float())
    total = fields.Float()
    max_total = fields.Float()
    grade = fields.String()
    assessed_on = fields.Date()


class ConfirmationOut(Schema):
    total = fields.Float()
    grade = fields.String()
    confirmed_on = fields.Date()


class MeetingSchema(Schema):
    """The meeting's whole record as of its version (also the ETag)."""

    id = fields.String()
    version = fields.Integer()
    cell_id = fields.String()
    kind = fields.String()
    status = fields.String(metadata={"description": "scheduled, held or cancelled"})
    scheduled_for = DateOrDateTime(attribute="plan.scheduled_for")
    scheduled_on = fields.Date()
    place = fields.String(attribute="plan.place", allow_none=True)
    topic = fields.String(attribute="plan.topic", allow_none=True)
    agenda = fields.List(fields.String(), attribute="plan.agenda")
    reschedules = fields.List(fields.Nested(RescheduleOut))
    cancellation = fields.Nested(CancellationOut, allow_none=True)
    notices = fields.List(fields.Nested(NoticeOut))
    documents = fields.List(fields.Nested(DocumentOut))
    held = fields.Nested(HeldOut, allow_none=True)
    roll_call = fields.Nested(RollCallOut, allow_none=True)
    resolution = fields.Nested(ResolutionOut, allow_none=True)
    task_reports = fields.List(fields.Nested(TaskReportOut))
    assessment = fields.Nested(AssessmentOut, allow_none=True)
    confirmation = fields.Nested(ConfirmationOut, allow_none=True)


class MeetingSummarySchema(Schema):
    id = fields.String(attribute="meeting_id")
    cell_id = fields.String()
    kind = fields.String()
    status = fields.String()
    scheduled_for = fields.String()
    scheduled_on = fields.Date()
    held_on = fields.Date(allow_none=True)
    topic = fields.String(allow_none=True)
    grade = fields.String(allow_none=True)
    grade_confirmed = fields.Boolean()
    version = fields.Integer()


class MeetingPageSchema(Schema):
    items = fields.List(fields.Nested(MeetingSummarySchema))
    page = fields.Integer()
    page_size = fields.Integer()
    total = fields.Integer()


class CriterionOut(Schema):
    key = fields.String()
    title = fields.String()
    max_points = fields.Float()


class BandOut(Schema):
    grade = fields.String()
    min_total = fields.Float()


class RubricOut(Schema):
    id = fields.String()
    title = fields.String()
    kinds = fields.Function(lambda rubric: sorted(rubric.kinds))
    max_total = fields.Float()
    criteria = fields.List(fields.Nested(CriterionOut))
    bands = fields.List(fields.Nested(BandOut))


class RubricListSchema(Schema):
    items = fields.List(fields.Nested(RubricOut))
