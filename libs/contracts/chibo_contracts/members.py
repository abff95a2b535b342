"""Public events of the members service (topic `members.events`): the tree and the member roll."""

from __future__ import annotations

from marshmallow import fields, validate

from chibo_contracts.registry import ContractSchema

SOURCE = "members"

UNIT_KINDS = (
    "provincial_committee",
    "district_committee",
    "commune_committee",
    "grassroots_committee",
    "cell",
    "party_group",
    "other_committee",
)
MEMBER_STATUSES = ("probationary", "full")
POSITIONS = (
    "secretary",
    "deputy_secretary",
    "cell_committee_member",
    "standing_committee_member",
    "executive_committee_member",
    "deputy_head",
    "head",
)
LEAVE_REASONS = ("transferred_out", "deceased", "struck_off", "resigned")


def _id(description: str) -> fields.String:
    return fields.String(
        required=True, validate=validate.Length(1, 64), metadata={"description": description}
    )


def _date(description: str, *, required: bool = True) -> fields.Date:
    return fields.Date(
        required=required, allow_none=not required, metadata={"description": description}
    )


class OrgUnitCreated(ContractSchema):
    unit_id = _id("the new unit's id")
    code = fields.String(required=True, metadata={"description": "human code, unique"})
    name = fields.String(required=True, metadata={"description": "NFC-normalised name"})
    kind = fields.String(
        required=True,
        validate=validate.OneOf(UNIT_KINDS),
        metadata={"description": "level of the unit"},
    )
    parent_id = fields.String(
        required=True, allow_none=True, metadata={"description": "parent unit, null for a root"}
    )
    effective_from = _date("the day the unit exists from")


class OrgUnitRenamed(ContractSchema):
    unit_id = _id("the unit")
    name = fields.String(required=True, metadata={"description": "the new NFC-normalised name"})
    effective_from = _date("the day the new name applies from")


class OrgUnitMoved(ContractSchema):
    unit_id = _id("the unit")
    parent_id = _id("the new parent")
    previous_parent_id = fields.String(
        allow_none=True, load_default=None, metadata={"description": "the parent before the move"}
    )
    effective_from = _date("the day the unit sits under the new parent")


class OrgUnitMerged(ContractSchema):
    unit_id = _id("the unit merged away")
    into_id = _id("the unit that takes over its members and children")
    effective_from = _date("the day of the merger")


class OrgUnitDissolved(ContractSchema):
    unit_id = _id("the unit")
    reason = fields.String(required=True, metadata={"description": "why it was dissolved"})
    effective_from = _date("the day it stops existing")


class MemberRegistered(ContractSchema):
    member_id = _id("the new member's id")
    full_name = fields.String(required=True, metadata={"description": "NFC-normalised full name"})
    birth_date = _date("date of birth", required=False)
    gender = fields.String(
        allow_none=True, load_default=None, metadata={"description": "as recorded"}
    )
    cell_id = _id("the member's cell")
    status = fields.String(
        required=True,
        validate=validate.OneOf(MEMBER_STATUSES),
        metadata={"description": "probationary or full"},
    )
    admitted_on = _date("the day of admission; also the day the member joins the cell")
    code = fields.String(
        allow_none=True,
        load_default=None,
        metadata={"description": "human code (e.g. the Party card number), unique when given"},
    )


class MemberTransferred(ContractSchema):
    member_id = _id("the member")
    cell_id = _id("the new cell")
    previous_cell_id = fields.String(
        allow_none=True, load_default=None, metadata={"description": "the cell left"}
    )
    effective_from = _date("the first day in the new cell")


class MemberConfirmedFull(ContractSchema):
    member_id = _id("the member")
    effective_from = _date("the day full membership starts")


class MemberExempted(ContractSchema):
    member_id = _id("the member")
    exemption_id = _id("this exemption")
    from_ = fields.Date(
        required=True, data_key="from", metadata={"description": "first exempted day"}
    )
    to = _date("last exempted day, open-ended when null", required=False)
    reason = fields.String(required=True, metadata={"description": "age, illness, …"})
    decision_ref = fields.String(
        required=True, metadata={"description": "the cell's decision reference"}
    )


class MemberExemptionEnded(ContractSchema):
    member_id = _id("the member")
    exemption_id = _id("the exemption ended")
    on = _date("last exempted day")


class MemberTemporarilyAttached(ContractSchema):
    member_id = _id("the member")
    attachment_id = _id("this attachment")
    cell_id = _id("the host cell the member attends meanwhile")
    from_ = fields.Date(
        required=True, data_key="from", metadata={"description": "first day attached"}
    )
    to = _date("last day attached, open-ended when null", required=False)


class PositionAssigned(ContractSchema):
    member_id = _id("the member")
    position_id = _id("this position holding")
    unit_id = _id("the unit the position is in")
    position = fields.String(
        required=True, metadata={"description": "secretary, standing_committee_member, …"}
    )
    from_ = fields.Date(required=True, data_key="from", metadata={"description": "first day held"})
    to = _date("last day held, open-ended when null", required=False)


class PositionEnded(ContractSchema):
    member_id = _id("the member")
    position_id = _id("the holding ended")
    on = _date("last day held")


class MemberLeft(ContractSchema):
    member_id = _id("the member")
    reason = fields.String(
        required=True,
        validate=validate.OneOf(LEAVE_REASONS),
        metadata={"description": "why the member left"},
    )
    effective_from = _date("the first day no longer a member of the cell")


EVENTS: dict[str, type[ContractSchema]] = {
    schema.__name__: schema
    for schema in (
        OrgUnitCreated,
        OrgUnitRenamed,
        OrgUnitMoved,
        OrgUnitMerged,
        OrgUnitDissolved,
        MemberRegistered,
        MemberTransferred,
        MemberConfirmedFull,
        MemberExempted,
        MemberExemptionEnded,
        MemberTemporarilyAttached,
        PositionAssigned,
        PositionEnded,
        MemberLeft,
    )
}
