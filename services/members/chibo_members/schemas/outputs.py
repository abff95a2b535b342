"""What responses carry (documented in the OpenAPI description)."""

from __future__ import annotations

from marshmallow import Schema, fields


class UnitBriefSchema(Schema):
    unit_id = fields.String()
    code = fields.String()
    name = fields.String()
    kind = fields.String()


class NamePeriodSchema(Schema):
    name = fields.String()
    from_ = fields.Date(attribute="from", data_key="from")
    to = fields.Date(allow_none=True)


class ParentPeriodSchema(Schema):
    parent_id = fields.String(allow_none=True)
    from_ = fields.Date(attribute="from", data_key="from")
    to = fields.Date(allow_none=True)


class UnitSchema(UnitBriefSchema):
    id = fields.String()
    parent_id = fields.String(allow_none=True)
    status = fields.String(metadata={"description": "not_yet_created, active, merged or dissolved"})
    as_of = fields.Date()
    effective_from = fields.Date()
    ended_on = fields.Date(allow_none=True)
    merged_into_id = fields.String(allow_none=True)
    dissolution_reason = fields.String(allow_none=True)
    ancestors = fields.List(
        fields.Nested(UnitBriefSchema), metadata={"description": "parent first, root last"}
    )
    names = fields.List(fields.Nested(NamePeriodSchema))
    parents = fields.List(fields.Nested(ParentPeriodSchema))
    version = fields.Integer()


class TreeNodeSchema(UnitBriefSchema):
    id = fields.String()
    parent_id = fields.String(allow_none=True)
    member_count = fields.Integer(metadata={"description": "cells only: members on the day"})
    children = fields.List(fields.Nested(lambda: TreeNodeSchema))


class TreeSchema(TreeNodeSchema):
    as_of = fields.Date()


class CellPeriodSchema(Schema):
    cell_id = fields.String()
    from_ = fields.Date(attribute="from", data_key="from")
    to = fields.Date(allow_none=True)


class ExemptionSchema(Schema):
    exemption_id = fields.String()
    from_ = fields.Date(attribute="from", data_key="from")
    to = fields.Date(allow_none=True)
    reason = fields.String()
    decision_ref = fields.String()


class AttachmentSchema(Schema):
    attachment_id = fields.String()
    cell_id = fields.String()
    from_ = fields.Date(attribute="from", data_key="from")
    to = fields.Date(allow_none=True)


class HoldingSchema(Schema):
    position_id = fields.String()
    unit_id = fields.String()
    position = fields.String()
    from_ = fields.Date(attribute="from", data_key="from")
    to = fields.Date(allow_none=True)
    held = fields.Boolean(metadata={"description": "held on the day asked about"})


class MemberItemSchema(Schema):
    id = fields.String()
    member_id = fields.String()
    code = fields.String(allow_none=True)
    full_name = fields.String()
    birth_date = fields.Date(allow_none=True)
    gender = fields.String(allow_none=True)
    cell_id = fields.String(allow_none=True)
    admitted_on = fields.Date()
    status = fields.String()


class MemberSchema(MemberItemSchema):
    as_of = fields.Date()
    active = fields.Boolean()
    full_from = fields.Date(allow_none=True)
    cell = fields.Nested(UnitBriefSchema, allow_none=True)
    ancestors = fields.List(
        fields.Nested(UnitBriefSchema),
        metadata={"description": "of the cell: parent first, root last"},
    )
    exempted = fields.Boolean()
    attached_to = fields.String(allow_none=True)
    left_on = fields.Date(allow_none=True)
    leave_reason = fields.String(allow_none=True)
    cells = fields.List(fields.Nested(CellPeriodSchema))
    exemptions = fields.List(fields.Nested(ExemptionSchema))
    attachments = fields.List(fields.Nested(AttachmentSchema))
    positions = fields.List(fields.Nested(HoldingSchema))
    version = fields.Integer()


class _Page(Schema):
    as_of = fields.Date()
    limit = fields.Integer()
    offset = fields.Integer()
    next_offset = fields.Integer(allow_none=True)


class MemberPageSchema(_Page):
    items = fields.List(fields.Nested(MemberItemSchema))


class UnitPageSchema(_Page):
    items = fields.List(fields.Nested(UnitSchema))


class RejectedRowSchema(Schema):
    row = fields.Integer(
        metadata={"description": "as the spreadsheet shows it: the header is row 1"}
    )
    field = fields.String()
    reason = fields.String()


class ImportJobSchema(Schema):
    id = fields.String()
    kind = fields.String()
    filename = fields.String(allow_none=True)
    actor = fields.String(metadata={"description": "who started the import (the token's sub)"})
    status = fields.String(
        metadata={"description": "queued, running, completed, failed or interrupted"}
    )
    rows_read = fields.Integer()
    accepted = fields.Integer()
    unchanged = fields.Integer(
        metadata={"description": "rows already imported with the same content"}
    )
    rejected = fields.Integer()
    position = fields.Integer(allow_none=True)
    error = fields.String(allow_none=True)
    created_at = fields.String()
    updated_at = fields.String()
    finished_at = fields.String(allow_none=True)
    rejected_rows = fields.List(fields.Nested(RejectedRowSchema))
    rejected_rows_next_offset = fields.Integer(allow_none=True)
