# mypy: disable-error-code="untyped-decorator"
# (flask-smorest's decorators carry no type hints)
"""`/members`: the member roll."""

from __future__ import annotations

import uuid
from typing import Any

from chibo_members import access
from chibo_members import commands as c
from chibo_members.api import Answer, as_of, caller, reach, require_reach, run, service, with_etag
from chibo_members.domain.errors import AccessError, NotFoundError
from chibo_members.read_models.queries import MemberFilter
from chibo_members.schemas import inputs, outputs
from chibo_web.routes import Blueprint

blp = Blueprint("members", __name__, url_prefix="/members", description="The member roll")


def _render(member_id: str, on: Any, version: int) -> dict[str, Any]:
    return service().views.member(member_id, on, version)


def _new_id(body: dict[str, Any]) -> str:
    """The client's id for the new thing, or a fresh one."""
    chosen: str | None = body.pop("id", None)
    return chosen or str(uuid.uuid4())


@blp.route("", methods=["POST"])
@blp.arguments(inputs.RegisterMemberSchema)
@blp.response(201, outputs.MemberSchema)
def register_member(body: dict[str, Any]) -> Answer:
    """Register a member (the id defaults to one derived from the code, if any)."""
    if body["id"] is None and body["code"]:
        body["id"] = c.member_id_for_code(body["code"])
    member_id = _new_id(body)
    return run(c.RegisterMember(member_id, **body), _render, status=201, location="/members")


@blp.route("", methods=["GET"])
@blp.arguments(inputs.MemberQuerySchema, location="query")
@blp.response(200, outputs.MemberPageSchema)
def list_members(args: dict[str, Any]) -> dict[str, Any]:
    """Members of a cell (or below a unit) on `as_of`, in Vietnamese order; `q` ignores accents.
    Only members of cells in the token's part of the tree (that day or today) are listed."""
    on = as_of(args)
    wanted = MemberFilter(
        on,
        args["cell_id"],
        args["unit_id"],
        args["q"],
        args["limit"],
        args["offset"],
        within=reach(on),
    )
    return service().views.members(wanted)


@blp.route("/<member_id>", methods=["GET"])
@blp.arguments(inputs.AsOfSchema, location="query")
@blp.response(200, outputs.MemberSchema)
def get_member(args: dict[str, Any], member_id: str) -> Answer:
    """A member on `as_of`: cell and its ancestors on that day, status, positions, history."""
    try:
        body = service().views.member(member_id, as_of(args))
        require_reach(body["cell_id"] or body["cells"][-1]["cell_id"], body["as_of"])
    except (NotFoundError, AccessError):
        if caller().whole_tree:
            raise
        raise access.out_of_reach("member", member_id) from None
    return with_etag(body)


@blp.route("/<member_id>/transfer", methods=["POST"])
@blp.arguments(inputs.TransferSchema)
@blp.response(200, outputs.MemberSchema)
def transfer(body: dict[str, Any], member_id: str) -> Answer:
    return run(c.TransferMember(member_id, **body), _render, stream=member_id)


@blp.route("/<member_id>/confirm-full", methods=["POST"])
@blp.arguments(inputs.ConfirmFullSchema)
@blp.response(200, outputs.MemberSchema)
def confirm_full(body: dict[str, Any], member_id: str) -> Answer:
    return run(c.ConfirmFullMembership(member_id, **body), _render, stream=member_id)


@blp.route("/<member_id>/exemptions", methods=["POST"])
@blp.arguments(inputs.ExemptSchema)
@blp.response(200, outputs.MemberSchema)
def exempt(body: dict[str, Any], member_id: str) -> Answer:
    """Exempt the member from activities (the cell's decision, with dates)."""
    return run(c.ExemptMember(member_id, _new_id(body), **body), _render, stream=member_id)


@blp.route("/<member_id>/exemptions/end", methods=["POST"])
@blp.arguments(inputs.EndExemptionSchema)
@blp.response(200, outputs.MemberSchema)
def end_exemption(body: dict[str, Any], member_id: str) -> Answer:
    return run(c.EndExemption(member_id, **body), _render, stream=member_id)


@blp.route("/<member_id>/attachments", methods=["POST"])
@blp.arguments(inputs.AttachSchema)
@blp.response(200, outputs.MemberSchema)
def attach(body: dict[str, Any], member_id: str) -> Answer:
    """Attach the member to another cell for a while."""
    return run(c.AttachMember(member_id, _new_id(body), **body), _render, stream=member_id)


@blp.route("/<member_id>/positions", methods=["POST"])
@blp.arguments(inputs.AssignPositionSchema)
@blp.response(200, outputs.MemberSchema)
def assign_position(body: dict[str, Any], member_id: str) -> Answer:
    return run(c.AssignPosition(member_id, _new_id(body), **body), _render, stream=member_id)


@blp.route("/<member_id>/positions/<position_id>/end", methods=["POST"])
@blp.arguments(inputs.EndPositionSchema)
@blp.response(200, outputs.MemberSchema)
def end_position(body: dict[str, Any], member_id: str, position_id: str) -> Answer:
    return run(c.EndPosition(member_id, position_id, **body), _render, stream=member_id)


@blp.route("/<member_id>/leave", methods=["POST"])
@blp.arguments(inputs.LeaveSchema)
@blp.response(200, outputs.MemberSchema)
def leave(body: dict[str, Any], member_id: str) -> Answer:
    return run(c.RecordLeaving(member_id, **body), _render, stream=member_id)
