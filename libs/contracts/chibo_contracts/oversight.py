"""Public events of the oversight service (topic `oversight.events`): assignments, visits, cases."""

from __future__ import annotations

from marshmallow import fields, validate

from chibo_contracts.registry import ContractSchema, FullMatch

SOURCE = "oversight"

REVIEW_OUTCOMES = ("fixed", "not_fixed", "withdrawn")
PERIOD_PATTERN = r"^[0-9]{4}(-Q[1-4]|-(0[1-9]|1[0-2]))?$"
RULE_ID_PATTERN = r"^CR-[0-9]{2}$"


def _id(description: str) -> fields.String:
    return fields.String(
        required=True, validate=validate.Length(1, 64), metadata={"description": description}
    )


def _optional_id(description: str) -> fields.String:
    return fields.String(
        allow_none=True,
        load_default=None,
        validate=validate.Length(1, 64),
        metadata={"description": description},
    )


def _date(description: str, *, required: bool = True) -> fields.Date:
    return fields.Date(
        required=required, allow_none=not required, metadata={"description": description}
    )


def _text(description: str, *, required: bool = True) -> fields.String:
    if required:
        return fields.String(required=True, metadata={"description": description})
    return fields.String(allow_none=True, load_default=None, metadata={"description": description})


def _texts(description: str) -> fields.List[str]:
    return fields.List(fields.String(), required=True, metadata={"description": description})


class OverseerAssigned(ContractSchema):
    assignment_id = _id("the assignment")
    overseer_id = _id("the superior committee member put in charge (a member id)")
    unit_id = _id("the unit in their charge: a grassroots organisation or a cell")
    position_basis = _id(
        "the position that is the basis of the visit quota, e.g. executive_committee_member"
    )
    position_unit_id = _id("the committee, above the unit, in which the overseer holds it")
    position_id = _optional_id("the members service's position holding that was checked")
    from_ = fields.Date(
        required=True, data_key="from", metadata={"description": "first day in charge"}
    )
    to = _date("last day in charge as planned, open-ended when null", required=False)


class AssignmentEnded(ContractSchema):
    assignment_id = _id("the assignment")
    overseer_id = _id("the overseer")
    unit_id = _id("the unit no longer in their charge")
    on = _date("last day in charge")


class VisitMade(ContractSchema):
    visit_id = _id("the visit")
    overseer_id = _id("the superior committee member who attended")
    cell_id = _id("the cell whose meeting was attended")
    meeting_id = _optional_id("the meeting attended, when known")
    visited_on = _date("the day of the visit (the meeting day when there is a meeting)")
    comments = _text("comments and orientations given", required=False)
    issues = _texts("issues found")
    follow_ups = _texts("follow-ups agreed")
    derived = fields.Boolean(
        required=True,
        metadata={"description": "true when derived from a roll call listing the overseer"},
    )
    counts_toward_quota = fields.Boolean(
        required=True,
        metadata={
            "description": "true when the overseer was in charge of the cell (or a unit above "
            "it) on that day; false for a visit by someone without an assignment"
        },
    )
    assignment_id = _optional_id("the assignment the visit counts for, when it counts")
    position_basis = _optional_id("that assignment's position basis, when it counts")
    guest_role = _text("the role the roll call gave the guest, when derived", required=False)


class VisitWithdrawn(ContractSchema):
    visit_id = _id("the visit taken back")
    overseer_id = _id("its overseer")
    cell_id = _id("its cell")
    meeting_id = _optional_id("its meeting, when known")
    visited_on = _date("its day")
    reason = _text(
        "why: the meeting's corrected roll call no longer lists the overseer as a guest (a "
        "derived visit), or the reason given for a visit recorded by hand"
    )


class ReviewOpened(ContractSchema):
    review_id = _id("the remind-and-review case (CR-27)")
    cell_id = _id("the cell reminded")
    period = fields.String(
        required=True,
        validate=FullMatch(PERIOD_PATTERN),
        metadata={"description": "the period reviewed: YYYY, YYYY-Qn or YYYY-MM"},
    )
    rule_ids = fields.List(
        fields.String(validate=FullMatch(RULE_ID_PATTERN)),
        required=True,
        metadata={"description": "the rules breached, e.g. CR-01, CR-12"},
    )
    reminded_on = _date("the day the cell was reminded (status `reminded`)")
    note = _text("what the reminder said", required=False)


class ExplanationRecorded(ContractSchema):
    review_id = _id("the case")
    cell_id = _id("the cell that explained")
    text = _text("the cell's explanation")
    received_on = _date("the day the explanation arrived (status `explained`)")


class ReviewClosed(ContractSchema):
    review_id = _id("the case")
    cell_id = _id("the cell")
    outcome = fields.String(
        required=True,
        validate=validate.OneOf(REVIEW_OUTCOMES),
        metadata={
            "description": "fixed (the breach was remedied), not_fixed, or withdrawn "
            "(the reminder was unfounded)"
        },
    )
    closed_on = _date("the day the case was closed (status `fixed`, or `closed` when the "
                      "outcome is another)")
    note = _text("the reviewer's conclusion", required=False)


EVENTS: dict[str, type[ContractSchema]] = {
    schema.__name__: schema
    for schema in (
        OverseerAssigned,
        AssignmentEnded,
        VisitMade,
        VisitWithdrawn,
        ReviewOpened,
        ExplanationRecorded,
        ReviewClosed,
    )
}
