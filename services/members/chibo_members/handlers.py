"""One handler per command: load what it needs through the unit of work, decide, commit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chibo_eventsourcing.repository import Written
from chibo_members import commands as c
from chibo_members.domain.errors import ConflictError, NotFoundError, UnknownReferenceError
from chibo_members.domain.member_events import (
    MemberExempted,
    MemberRegistered,
    MemberTemporarilyAttached,
    PositionAssigned,
)
from chibo_members.domain.members import Member
from chibo_members.domain.units import OrgUnit, OrgUnitCreated
from chibo_members.unit_of_work import UnitOfWork


def create_org_unit(cmd: c.CreateOrgUnit, uow: UnitOfWork) -> Written:
    """Create a unit; repeating the very same creation answers the unit as it is."""
    creation = OrgUnitCreated(
        cmd.unit_id, cmd.code, cmd.name, cmd.kind, cmd.parent_id, cmd.effective_from
    )
    existing = uow.find_unit(cmd.unit_id)
    if existing is not None:
        return _unchanged_or_conflict(uow, existing, existing.origin == creation, cmd.code)
    _require_free_code(uow.unit_id_for_code(cmd.code), cmd.code)
    parent = _unit(uow, cmd.parent_id, "parent_id") if cmd.parent_id else None
    return uow.commit(OrgUnit.create(creation, parent))


def rename_org_unit(cmd: c.RenameOrgUnit, uow: UnitOfWork) -> Written:
    unit = _target_unit(uow, cmd.unit_id)
    unit.rename(cmd.name, cmd.effective_from)
    return uow.commit(unit)


def move_org_unit(cmd: c.MoveOrgUnit, uow: UnitOfWork) -> Written:
    unit = _target_unit(uow, cmd.unit_id)
    unit.move(_unit(uow, cmd.parent_id, "parent_id"), cmd.effective_from, uow.find_unit)
    return uow.commit(unit)


def merge_org_unit(cmd: c.MergeOrgUnit, uow: UnitOfWork) -> Written:
    """Merge a unit away: its children and members move to the unit it merges into, same day."""
    unit, on = _target_unit(uow, cmd.unit_id), cmd.effective_from
    into = _unit(uow, cmd.into_id, "into_id")
    unit.merge(into, on, uow.find_unit)
    children = [_unit(uow, i, "unit_id") for i in uow.children(unit.id, on)]
    members = [_member(uow, i) for i in uow.cell_members(unit.id, on)]
    for moved in children:
        moved.move(into, on, uow.find_unit)
    for member in members:
        member.transfer(into, on)
    return uow.commit(unit, *children, *members)


def dissolve_org_unit(cmd: c.DissolveOrgUnit, uow: UnitOfWork) -> Written:
    unit = _target_unit(uow, cmd.unit_id)
    unit.dissolve(cmd.reason, cmd.effective_from)
    return uow.commit(unit)


def register_member(cmd: c.RegisterMember, uow: UnitOfWork) -> Written:
    """Register a member; repeating the very same registration answers the member as it is."""
    registration = MemberRegistered(
        cmd.member_id,
        cmd.full_name,
        cmd.birth_date,
        cmd.gender,
        cmd.cell_id,
        cmd.status,
        cmd.admitted_on,
        cmd.code,
    )
    existing = uow.find_member(cmd.member_id)
    if existing is not None:
        return _unchanged_or_conflict(uow, existing, existing.origin == registration, cmd.code)
    if cmd.code:
        _require_free_code(uow.member_id_for_code(cmd.code), cmd.code)
    return uow.commit(Member.register(registration, _unit(uow, cmd.cell_id, "cell_id")))


def transfer_member(cmd: c.TransferMember, uow: UnitOfWork) -> Written:
    member = _target_member(uow, cmd.member_id)
    member.transfer(_unit(uow, cmd.cell_id, "cell_id"), cmd.effective_from)
    return uow.commit(member)


def confirm_full_membership(cmd: c.ConfirmFullMembership, uow: UnitOfWork) -> Written:
    member = _target_member(uow, cmd.member_id)
    member.confirm_full(cmd.effective_from)
    return uow.commit(member)


def exempt_member(cmd: c.ExemptMember, uow: UnitOfWork) -> Written:
    member = _target_member(uow, cmd.member_id)
    member.exempt(
        MemberExempted(member.id, cmd.exemption_id, cmd.from_, cmd.to, cmd.reason, cmd.decision_ref)
    )
    return uow.commit(member)


def end_exemption(cmd: c.EndExemption, uow: UnitOfWork) -> Written:
    member = _target_member(uow, cmd.member_id)
    member.end_exemption(cmd.on, cmd.exemption_id)
    return uow.commit(member)


def attach_member(cmd: c.AttachMember, uow: UnitOfWork) -> Written:
    member = _target_member(uow, cmd.member_id)
    attachment = MemberTemporarilyAttached(
        member.id, cmd.attachment_id, cmd.cell_id, cmd.from_, cmd.to
    )
    member.attach(attachment, _unit(uow, cmd.cell_id, "cell_id"))
    return uow.commit(member)


def assign_position(cmd: c.AssignPosition, uow: UnitOfWork) -> Written:
    member = _target_member(uow, cmd.member_id)
    assignment = PositionAssigned(
        member.id, cmd.position_id, cmd.unit_id, cmd.position, cmd.from_, cmd.to
    )
    member.assign(assignment, _unit(uow, cmd.unit_id, "unit_id"))
    return uow.commit(member)


def end_position(cmd: c.EndPosition, uow: UnitOfWork) -> Written:
    member = _target_member(uow, cmd.member_id)
    member.end_position(cmd.position_id, cmd.on)
    return uow.commit(member)


def record_leaving(cmd: c.RecordLeaving, uow: UnitOfWork) -> Written:
    member = _target_member(uow, cmd.member_id)
    member.leave(cmd.reason, cmd.effective_from)
    return uow.commit(member)


def _target_unit(uow: UnitOfWork, unit_id: str) -> OrgUnit:
    unit = uow.find_unit(unit_id)
    if unit is None:
        raise NotFoundError(f"no unit {unit_id}")
    return unit


def _target_member(uow: UnitOfWork, member_id: str) -> Member:
    member = uow.find_member(member_id)
    if member is None:
        raise NotFoundError(f"no member {member_id}")
    return member


def _unit(uow: UnitOfWork, unit_id: str, field: str) -> OrgUnit:
    unit = uow.find_unit(unit_id)
    if unit is None:
        raise UnknownReferenceError(f"no unit {unit_id}", field=field)
    return unit


def _member(uow: UnitOfWork, member_id: str) -> Member:
    member = uow.find_member(member_id)
    assert member is not None, f"the query tables name member {member_id} the store lacks"
    return member


def _require_free_code(owner: str | None, code: str) -> None:
    if owner is not None:
        raise ConflictError(f"code {code!r} is already used by {owner}", field="code")


def _unchanged_or_conflict(uow: UnitOfWork, existing: Any, same: bool, code: str | None) -> Written:
    if same:
        return uow.unchanged(existing)
    if code and existing.origin.code == code:  # the id derives from the code the caller reused
        _require_free_code(existing.id, code)
    raise ConflictError(f"{existing.id} already exists with other data", field="id")


HANDLERS: dict[type[Any], Callable[[Any, UnitOfWork], Written]] = {
    c.CreateOrgUnit: create_org_unit,
    c.RenameOrgUnit: rename_org_unit,
    c.MoveOrgUnit: move_org_unit,
    c.MergeOrgUnit: merge_org_unit,
    c.DissolveOrgUnit: dissolve_org_unit,
    c.RegisterMember: register_member,
    c.TransferMember: transfer_member,
    c.ConfirmFullMembership: confirm_full_membership,
    c.ExemptMember: exempt_member,
    c.EndExemption: end_exemption,
    c.AttachMember: attach_member,
    c.AssignPosition: assign_position,
    c.EndPosition: end_position,
    c.RecordLeaving: record_leaving,
}
