"""What requests carry: bodies and query strings, validated before anything runs."""

from __future__ import annotations

import uuid
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from chibo_members.domain.member_events import LEAVE_REASONS, MEMBER_STATUSES, POSITIONS
from chibo_members.domain.names import normalise_name
from chibo_members.domain.units import UNIT_KINDS

MAX_PAGE = 500
MAX_OFFSET = 10**12  # far past any list, and a 64-bit SQL integer (a larger one was a 500)


class Text(fields.String):
    """A string stored NFC-normalised with white space collapsed; never empty."""

    def __init__(self, max_length: int = 300, **kwargs: Any) -> None:
        super().__init__(validate=validate.Length(1, max_length), **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        return normalise_name(super()._deserialize(value, attr, data, **kwargs))


class Uuid(fields.String):
    """An id the client chooses: a UUID, kept in its canonical text form."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        try:
            return str(uuid.UUID(super()._deserialize(value, attr, data, **kwargs)))
        except ValueError:
            raise ValidationError("Not a valid UUID.") from None


def _ref(description: str, **kwargs: Any) -> fields.String:
    return fields.String(
        validate=validate.Length(1, 64), metadata={"description": description}, **kwargs
    )


def _day(description: str, **kwargs: Any) -> fields.Date:
    return fields.Date(metadata={"description": description}, **kwargs)


class CreateUnitSchema(Schema):
    id = Uuid(
        load_default=None, metadata={"description": "defaults to an id derived from the code"}
    )
    code = Text(64, required=True, metadata={"description": "human code, unique"})
    name = Text(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(UNIT_KINDS))
    parent_id = _ref("the parent unit; null for a root", load_default=None, allow_none=True)
    effective_from = _day("the day the unit exists from", required=True)


class RenameUnitSchema(Schema):
    name = Text(required=True)
    effective_from = _day("the day the new name applies from", required=True)


class MoveUnitSchema(Schema):
    parent_id = _ref("the new parent", required=True)
    effective_from = _day("the day the unit sits under the new parent", required=True)


class MergeUnitSchema(Schema):
    into_id = _ref("the unit that takes over the members and children", required=True)
    effective_from = _day(
        "the day of the merger (the first day the unit no longer exists)", required=True
    )


class DissolveUnitSchema(Schema):
    reason = Text(500, required=True)
    effective_from = _day("the first day the unit no longer exists", required=True)


class RegisterMemberSchema(Schema):
    id = Uuid(
        load_default=None,
        metadata={"description": "defaults to an id derived from the code, else random"},
    )
    code = Text(
        64,
        load_default=None,
        allow_none=True,
        metadata={"description": "e.g. the Party card number; unique"},
    )
    full_name = Text(required=True)
    birth_date = _day("date of birth", load_default=None, allow_none=True)
    gender = Text(40, load_default=None, allow_none=True)
    cell_id = _ref("the member's cell", required=True)
    status = fields.String(required=True, validate=validate.OneOf(MEMBER_STATUSES))
    admitted_on = _day("the day of admission (and of joining the cell)", required=True)


class TransferSchema(Schema):
    cell_id = _ref("the new cell", required=True)
    effective_from = _day("the first day in the new cell", required=True)


class ConfirmFullSchema(Schema):
    effective_from = _day("the day full membership starts", required=True)


class ExemptSchema(Schema):
    id = Uuid(load_default=None)
    from_ = _day("first exempted day", required=True, data_key="from")
    to = _day("last exempted day; open-ended when null", load_default=None, allow_none=True)
    reason = Text(500, required=True)
    decision_ref = Text(200, required=True)


class EndExemptionSchema(Schema):
    on = _day("last exempted day", required=True)
    exemption_id = _ref(
        "which exemption (default: the one in force on that day)", load_default=None
    )


class AttachSchema(Schema):
    id = Uuid(load_default=None)
    cell_id = _ref("the host cell", required=True)
    from_ = _day("first day attached", required=True, data_key="from")
    to = _day("last day attached; open-ended when null", load_default=None, allow_none=True)


class AssignPositionSchema(Schema):
    id = Uuid(load_default=None)
    unit_id = _ref("the unit the position is in", required=True)
    position = fields.String(required=True, validate=validate.OneOf(POSITIONS))
    from_ = _day("first day held", required=True, data_key="from")
    to = _day("last day held; open-ended when null", load_default=None, allow_none=True)


class EndPositionSchema(Schema):
    on = _day("last day held", required=True)


class LeaveSchema(Schema):
    reason = fields.String(required=True, validate=validate.OneOf(LEAVE_REASONS))
    effective_from = _day("the first day no longer a member", required=True)


class AsOfSchema(Schema):
    as_of = _day("the day the answer describes (default: today in Vietnam)", load_default=None)


class PageSchema(AsOfSchema):
    limit = fields.Integer(load_default=100, validate=validate.Range(1, MAX_PAGE))
    offset = fields.Integer(load_default=0, validate=validate.Range(0, MAX_OFFSET))


class MemberQuerySchema(PageSchema):
    cell_id = _ref("members of this cell on the day", load_default=None)
    unit_id = _ref("members of every cell below this unit on the day", load_default=None)
    q = fields.String(
        load_default=None,
        validate=validate.Length(1, 200),
        metadata={"description": "part of the name; accents and case are ignored"},
    )


class UnitQuerySchema(PageSchema):
    code = Text(64, load_default=None)
    kind = fields.String(load_default=None, validate=validate.OneOf(UNIT_KINDS))


class ImportQuerySchema(Schema):
    kind = fields.String(load_default=None, validate=validate.OneOf(("units", "members")))


class ImportJobQuerySchema(Schema):
    rejected_offset = fields.Integer(load_default=0, validate=validate.Range(0, MAX_OFFSET))
    rejected_limit = fields.Integer(load_default=100, validate=validate.Range(1, MAX_PAGE))
