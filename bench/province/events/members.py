"""members.events of a plan: the tree, the registrations, then every change in date order."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from bench.province.events.base import Event
from bench.province.plan import Plan


def member_events(plan: Plan) -> Iterator[Event]:
    """The tree, the registrations, then every later change in date order."""
    for unit in sorted(plan.units, key=lambda u: _depth(plan, u.id)):
        yield Event("members", unit.id, "OrgUnitCreated", {
            "unit_id": unit.id, "code": unit.code, "name": unit.name, "kind": unit.kind,
            "parent_id": unit.parent_id, "effective_from": unit.created_on})
    cells = {m.id: m.cell_id for m in plan.members}
    parents = {u.id: u.parent_id for u in plan.units}
    for member in plan.members:
        yield Event("members", member.id, "MemberRegistered", {
            "member_id": member.id, "full_name": member.full_name,
            "birth_date": member.birth_date, "gender": member.gender, "cell_id": member.cell_id,
            "status": member.status, "admitted_on": member.admitted_on, "code": member.code})
    changes: list[tuple[date, int, Event]] = []
    for change in plan.unit_changes:
        changes.append((change.on, 0, _unit_change(change, parents)))
    for member_change in plan.member_changes:
        event = _member_change(member_change, cells)
        changes.append((member_change.on, 1 + int(member_change.late), event))
    changes.sort(key=lambda c: (c[0], c[1]))
    yield from (event for _, _, event in changes)


def _depth(plan: Plan, unit_id: str) -> int:
    depth, unit = 0, plan.unit(unit_id)
    while unit.parent_id is not None:
        depth, unit = depth + 1, plan.unit(unit.parent_id)
    return depth


def _unit_change(change: Any, parents: dict[str, str | None]) -> Event:
    unit = change.unit_id
    if change.action == "move":
        previous, parents[unit] = parents.get(unit), change.parent_id
        return Event("members", unit, "OrgUnitMoved", {
            "unit_id": unit, "parent_id": change.parent_id, "previous_parent_id": previous,
            "effective_from": change.on})
    if change.action == "rename":
        return Event("members", unit, "OrgUnitRenamed", {"unit_id": unit, "name": change.name,
                                                         "effective_from": change.on})
    if change.action == "merge":
        return Event("members", unit, "OrgUnitMerged", {"unit_id": unit,
                                                        "into_id": change.into_id,
                                                        "effective_from": change.on})
    return Event("members", unit, "OrgUnitDissolved", {"unit_id": unit, "reason": change.reason,
                                                       "effective_from": change.on})


def _member_change(change: Any, cells: dict[str, str]) -> Event:
    member, on = change.member_id, change.on
    match change.action:
        case "transfer":
            previous, cells[member] = cells.get(member), change.cell_id
            return Event("members", member, "MemberTransferred", {
                "member_id": member, "cell_id": change.cell_id, "previous_cell_id": previous,
                "effective_from": on})
        case "confirm_full":
            return Event("members", member, "MemberConfirmedFull",
                         {"member_id": member, "effective_from": on})
        case "exempt":
            return Event("members", member, "MemberExempted", {
                "member_id": member, "exemption_id": change.item_id, "from_": change.from_,
                "to": change.to, "reason": change.reason, "decision_ref": change.ref})
        case "end_exemption":
            return Event("members", member, "MemberExemptionEnded",
                         {"member_id": member, "exemption_id": change.item_id, "on": on})
        case "attach":
            return Event("members", member, "MemberTemporarilyAttached", {
                "member_id": member, "attachment_id": change.item_id,
                "cell_id": change.cell_id, "from_": change.from_, "to": change.to})
        case "position":
            return Event("members", member, "PositionAssigned", {
                "member_id": member, "position_id": change.item_id, "unit_id": change.unit_id,
                "position": change.position, "from_": change.from_, "to": change.to})
        case "end_position":
            return Event("members", member, "PositionEnded",
                         {"member_id": member, "position_id": change.item_id, "on": on})
        case "leave":
            return Event("members", member, "MemberLeft", {
                "member_id": member, "reason": change.reason, "effective_from": on})
    raise ValueError(change.action)
