"""Request bodies and query strings; unknown fields are refused (marshmallow's RAISE)."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from chibo_contracts.oversight import PERIOD_PATTERN, RULE_ID_PATTERN
from chibo_contracts.registry import FullMatch
from chibo_oversight.domain import OUTCOMES, STATUSES
from chibo_oversight.schemas.fields import (
    MAX_TEXT,
    Text,
    Uuid,
    day,
    optional_text,
    ref,
    texts,
)

_PERIOD = FullMatch(PERIOD_PATTERN, error="Not a period: YYYY, YYYY-Qn or YYYY-MM.")
_RULE = FullMatch(RULE_ID_PATTERN, error="Not a rule id like CR-01.")
MAX_PAGE_SIZE = 500
# Far beyond any list, and low enough that (page - 1) * page_size stays a 64-bit SQL integer.
MAX_PAGE = 1_000_000_000


def _not_before(data: dict[str, Any], first: str, last: str, name: str) -> None:
    if data.get(first) and data.get(last) and data[last] < data[first]:
        raise ValidationError(f"must not be before '{name}'", field_name=last)


class AssignSchema(Schema):
    id = Uuid(load_default=None, metadata={"description": "client-chosen UUID"})
    overseer_id = ref("the superior committee member put in charge", required=True)
    unit_id = ref("the grassroots organisation or cell in their charge", required=True)
    position_basis = ref(
        "the position that is the basis of the quota, e.g. executive_committee_member",
        required=True,
    )
    position_unit_id = ref(
        "the committee in which the overseer holds it; the nearest above the unit if omitted",
        load_default=None, allow_none=True,
    )
    from_ = day("first day in charge", data_key="from", required=True)
    to = day("last day in charge, open-ended when null", load_default=None, allow_none=True)

    @validates_schema
    def check_days(self, data: dict[str, Any], **_: Any) -> None:
        _not_before(data, "from_", "to", "from")


class EndAssignmentSchema(Schema):
    on = day("last day in charge", required=True)


class VisitSchema(Schema):
    id = Uuid(load_default=None, metadata={"description": "client-chosen UUID"})
    overseer_id = ref("the superior committee member who attended", required=True)
    cell_id = ref("the cell visited", required=True)
    meeting_id = ref("the meeting attended, if any", load_default=None, allow_none=True)
    visited_on = day("the day of the visit (the meeting's day)", required=True)
    comments = optional_text("comments and orientations given", max_length=MAX_TEXT)
    issues = texts("issues found")
    follow_ups = texts("follow-ups agreed")


class WithdrawVisitSchema(Schema):
    reason = Text(required=True, max_length=MAX_TEXT, metadata={
        "description": "why the visit recorded by hand is taken back (e.g. recorded by mistake)"})


class OpenReviewSchema(Schema):
    id = Uuid(load_default=None, metadata={"description": "client-chosen UUID"})
    cell_id = ref("the cell reminded", required=True)
    period = fields.String(required=True, validate=_PERIOD,
                           metadata={"description": "YYYY, YYYY-Qn or YYYY-MM"})
    rule_ids = fields.List(fields.String(validate=_RULE), required=True,
                           validate=validate.Length(min=1),
                           metadata={"description": "the rules breached, e.g. CR-01"})
    reminded_on = day("the day the cell was reminded", required=True)
    note = optional_text("what the reminder said", max_length=MAX_TEXT)


class ExplanationSchema(Schema):
    text = Text(required=True, max_length=MAX_TEXT)
    received_on = day("the day the explanation arrived", required=True)


class CloseReviewSchema(Schema):
    outcome = fields.String(required=True, validate=validate.OneOf(OUTCOMES),
                            metadata={"description": ", ".join(OUTCOMES)})
    closed_on = day("the day the case was closed", required=True)
    note = optional_text("the reviewer's conclusion", max_length=MAX_TEXT)


class PageQuery(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(1, MAX_PAGE))
    page_size = fields.Integer(load_default=50, validate=validate.Range(1, MAX_PAGE_SIZE))


class AssignmentQuery(PageQuery):
    overseer_id = ref("only this overseer's assignments")
    unit_id = ref("only assignments to this unit")
    active_on = day("only assignments in force on this day")


class VisitQuery(PageQuery):
    overseer_id = ref("only this overseer's visits")
    cell_id = ref("only visits to this cell")
    unit_id = ref("only visits to cells below this unit (tree as of today)")
    meeting_id = ref("only visits at this meeting")
    from_ = day("first visit day", data_key="from")
    to = day("last visit day")

    @validates_schema
    def check_days(self, data: dict[str, Any], **_: Any) -> None:
        _not_before(data, "from_", "to", "from")


class ReviewQuery(PageQuery):
    unit_id = ref("only cases of cells below this unit (tree as of today)")
    cell_id = ref("only cases of this cell")
    status = fields.String(
        validate=validate.OneOf(STATUSES),
        metadata={"description": f"{', '.join(STATUSES)} (closed: ended otherwise than fixed)"},
    )
    period = fields.String(validate=_PERIOD)
