"""What the API answers: an assignment, a visit or a review case, and pages of them."""

from __future__ import annotations

from marshmallow import Schema, fields


class AssignmentOut(Schema):
    id = fields.String(attribute="assignment_id")
    overseer_id = fields.String()
    unit_id = fields.String()
    position_basis = fields.String()
    position_unit_id = fields.String()
    position_id = fields.String(allow_none=True)
    from_ = fields.Date(attribute="from_date", data_key="from")
    to = fields.Date(attribute="to_date", allow_none=True)
    ended_on = fields.Date(allow_none=True, metadata={"description": "last day, once ended"})
    version = fields.Integer()


class VisitOut(Schema):
    id = fields.String(attribute="visit_id")
    overseer_id = fields.String()
    cell_id = fields.String()
    meeting_id = fields.String(allow_none=True)
    visited_on = fields.Date()
    comments = fields.String(allow_none=True)
    issues = fields.List(fields.String())
    follow_ups = fields.List(fields.String())
    derived = fields.Boolean()
    counts_toward_quota = fields.Boolean()
    assignment_id = fields.String(allow_none=True)
    position_basis = fields.String(allow_none=True)
    guest_role = fields.String(allow_none=True)
    withdrawn = fields.Boolean(dump_default=False, metadata={
        "description": "taken back: its roll call no longer lists the overseer, or by hand; it "
                       "no longer counts and is off the list (GET /visits/{id} still shows it)"})
    withdrawal_reason = fields.String(allow_none=True, dump_default=None)
    version = fields.Integer()


class ReviewOut(Schema):
    id = fields.String(attribute="review_id")
    cell_id = fields.String()
    period = fields.String()
    rule_ids = fields.List(fields.String())
    reminded_on = fields.Date()
    note = fields.String(allow_none=True)
    status = fields.String(metadata={
        "description": "reminded, explained, fixed, or closed when the case ended otherwise "
                       "(see outcome)"})
    explanation = fields.String(allow_none=True)
    received_on = fields.Date(allow_none=True)
    outcome = fields.String(allow_none=True)
    closed_on = fields.Date(allow_none=True)
    closing_note = fields.String(allow_none=True)
    version = fields.Integer()


class _Page(Schema):
    page = fields.Integer()
    page_size = fields.Integer()
    total = fields.Integer()


class AssignmentPage(_Page):
    items = fields.List(fields.Nested(AssignmentOut))


class VisitPage(_Page):
    items = fields.List(fields.Nested(VisitOut))


class ReviewPage(_Page):
    items = fields.List(fields.Nested(ReviewOut))
