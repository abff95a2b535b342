# mypy: disable-error-code="untyped-decorator"
# (flask-smorest's decorators carry no type hints)
"""`/org-units`: the effective-dated organisation tree."""

from __future__ import annotations

from typing import Any

from chibo_members import commands as c
from chibo_members.api import Answer, as_of, reach, require_reach, run, service, with_etag
from chibo_members.schemas import inputs, outputs
from chibo_web.routes import Blueprint

blp = Blueprint("org-units", __name__, url_prefix="/org-units", description="The organisation tree")


def _render(unit_id: str, on: Any, version: int) -> dict[str, Any]:
    return service().views.unit(unit_id, on, version)


@blp.route("", methods=["POST"])
@blp.arguments(inputs.CreateUnitSchema)
@blp.response(201, outputs.UnitSchema)
def create_unit(body: dict[str, Any]) -> Answer:
    """Create a unit (its id defaults to one derived from its code)."""
    unit_id = body.pop("id") or c.unit_id_for_code(body["code"])
    return run(c.CreateOrgUnit(unit_id, **body), _render, status=201, location="/org-units")


@blp.route("", methods=["GET"])
@blp.arguments(inputs.UnitQuerySchema, location="query")
@blp.response(200, outputs.UnitPageSchema)
def list_units(args: dict[str, Any]) -> dict[str, Any]:
    """Units existing on a day, by code; those in the token's part of the tree that day or
    today."""
    on = as_of(args)
    return service().views.units(
        on,
        code=args["code"],
        kind=args["kind"],
        limit=args["limit"],
        offset=args["offset"],
        within=reach(on),
    )


@blp.route("/<unit_id>", methods=["GET"])
@blp.arguments(inputs.AsOfSchema, location="query")
@blp.response(200, outputs.UnitSchema)
def get_unit(args: dict[str, Any], unit_id: str) -> Answer:
    """A unit as it stood on `as_of`, with its ancestors on that day and its whole history."""
    on = as_of(args)
    require_reach(unit_id, on)
    return with_etag(service().views.unit(unit_id, on))


@blp.route("/<unit_id>/tree", methods=["GET"])
@blp.arguments(inputs.AsOfSchema, location="query")
@blp.response(200, outputs.TreeSchema)
def get_tree(args: dict[str, Any], unit_id: str) -> dict[str, Any]:
    """The unit and every unit below it on `as_of` (cells with their member counts)."""
    on = as_of(args)
    require_reach(unit_id, on)
    return service().views.tree(unit_id, on)


@blp.route("/<unit_id>/rename", methods=["POST"])
@blp.arguments(inputs.RenameUnitSchema)
@blp.response(200, outputs.UnitSchema)
def rename_unit(body: dict[str, Any], unit_id: str) -> Answer:
    return run(c.RenameOrgUnit(unit_id, **body), _render, stream=unit_id)


@blp.route("/<unit_id>/move", methods=["POST"])
@blp.arguments(inputs.MoveUnitSchema)
@blp.response(200, outputs.UnitSchema)
def move_unit(body: dict[str, Any], unit_id: str) -> Answer:
    return run(c.MoveOrgUnit(unit_id, **body), _render, stream=unit_id)


@blp.route("/<unit_id>/merge", methods=["POST"])
@blp.arguments(inputs.MergeUnitSchema)
@blp.response(200, outputs.UnitSchema)
def merge_unit(body: dict[str, Any], unit_id: str) -> Answer:
    """Merge the unit into another of its kind; its children and members move there that day."""
    return run(c.MergeOrgUnit(unit_id, **body), _render, stream=unit_id)


@blp.route("/<unit_id>/dissolve", methods=["POST"])
@blp.arguments(inputs.DissolveUnitSchema)
@blp.response(200, outputs.UnitSchema)
def dissolve_unit(body: dict[str, Any], unit_id: str) -> Answer:
    return run(c.DissolveOrgUnit(unit_id, **body), _render, stream=unit_id)
