"""Public events of the reporting service (topic `reporting.events`): published rulebooks."""

from __future__ import annotations

from marshmallow import fields, validate

from chibo_contracts.registry import ContractSchema

SOURCE = "reporting"


class RulebookPublished(ContractSchema):
    rulebook_id = fields.String(
        required=True,
        validate=validate.Length(1, 64),
        metadata={"description": "this published version's id (client-supplied or generated)"},
    )
    unit_id = fields.String(
        required=True,
        validate=validate.Length(1, 64),
        metadata={"description": "the unit the rulebook applies to, with every unit below it"},
    )
    version = fields.Integer(
        required=True,
        validate=validate.Range(min=1),
        metadata={"description": "1 for the unit's first rulebook, 2 for the next, …"},
    )
    effective_from = fields.Date(
        required=True, metadata={"description": "the first day the rulebook is in force"}
    )
    parameters = fields.Dict(
        keys=fields.String(),
        required=True,
        metadata={
            "description": "the complete parameter set (the published values merged over the "
            "national defaults), keyed by parameter name"
        },
    )
    name = fields.String(
        allow_none=True, load_default=None, metadata={"description": "a human name"}
    )


EVENTS: dict[str, type[ContractSchema]] = {"RulebookPublished": RulebookPublished}
