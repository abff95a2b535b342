"""Who may do what: the permission matrix (roles per endpoint) and the part of the tree a token
reaches.

A scoped token (`scope`: unit ids or codes) reaches those units and everything below them: a
change on today's tree; a read on the tree of the day it is about or on today's (the committee
responsible for a unit now may read its history). Whole-tree tokens (`*`) reach everything.
For a caller without the whole tree, a unit or member outside its reach and one that does not
exist answer alike (403, same detail), so a scope cannot probe for others.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from chibo_members import commands as c
from chibo_members.domain.errors import AccessError
from chibo_members.domain.members import Member
from chibo_members.domain.units import FindUnit, OrgUnit, lineage
from chibo_web.auth import Caller
from chibo_web.permissions import EVERYONE, Permissions, roles

READ = EVERYONE
STAFF = roles("committee_staff", "admin", "service")
_MEMBER_CHANGES = (
    "transfer",
    "confirm-full",
    "exemptions",
    "exemptions/end",
    "attachments",
    "positions",
    "positions/<position_id>/end",
    "leave",
)
PERMISSIONS: Permissions = {
    ("POST", "/org-units"): STAFF,
    ("GET", "/org-units"): READ,
    ("GET", "/org-units/<unit_id>"): READ,
    ("GET", "/org-units/<unit_id>/tree"): READ,
    **{("POST", f"/org-units/<unit_id>/{change}"): STAFF for change in ("rename", "move", "merge")},
    ("POST", "/org-units/<unit_id>/dissolve"): STAFF,
    ("POST", "/members"): STAFF,
    ("GET", "/members"): READ,
    ("GET", "/members/<member_id>"): READ,
    **{("POST", f"/members/<member_id>/{change}"): STAFF for change in _MEMBER_CHANGES},
    ("POST", "/imports"): STAFF,
    ("GET", "/imports/<job_id>"): STAFF | roles("auditor"),
}


def out_of_reach(what: str, ident: str | None) -> AccessError:
    """The one answer for "outside your part of the tree" and "no such thing"."""
    return AccessError(f"{what} {ident} is not in the part of the tree your token covers")


def reaches(caller: Caller, line: list[OrgUnit]) -> bool:
    """Whether a unit (given with its ancestors) lies in the caller's part of the tree."""
    return caller.whole_tree or any(u.id in caller.scope or u.code in caller.scope for u in line)


def require_reach(caller: Caller, find: FindUnit, unit_id: str, *days: date) -> None:
    """Raise unless the unit lies in the caller's part of the tree on one of `days`."""
    if caller.whole_tree:
        return
    lines = [lineage(find, unit_id, day) for day in days]
    if not any(line and reaches(caller, line) for line in lines):
        raise out_of_reach("unit", unit_id)


def authorise(
    caller: Caller,
    command: c.Command,
    find: FindUnit,
    find_member: Callable[[str], Member | None],
    today: date,
) -> None:
    """Raise AccessError unless every unit and member the command touches is in reach today
    (roles are the permission matrix's business, checked before the request gets here)."""
    if caller.whole_tree:
        return
    for what, ident in _places(command):
        if what == "member":
            member = find_member(ident)
            cell = (member.cells.at(today) or member.cells.latest()) if member else None
            if cell is None or not _reaches_today(caller, find, cell, today):
                raise out_of_reach("member", ident)
        elif not _reaches_today(caller, find, ident, today):
            raise out_of_reach("unit", ident)


def _reaches_today(caller: Caller, find: FindUnit, unit_id: str, today: date) -> bool:
    # A unit recorded ahead of its creation day is judged on the tree of that day.
    unit = find(unit_id)
    on = max(today, unit.created_on) if unit else today
    return reaches(caller, lineage(find, unit_id, on)) if unit else False


def _places(command: c.Command) -> list[tuple[str, str]]:
    match command:
        case c.CreateOrgUnit(parent_id=None):
            raise AccessError("only a whole-tree token may create a root unit")
        case c.CreateOrgUnit():
            return [("unit", command.parent_id or "")]
        case c.MoveOrgUnit():
            return [("unit", command.unit_id), ("unit", command.parent_id)]
        case c.MergeOrgUnit():
            return [("unit", command.unit_id), ("unit", command.into_id)]
        case c.RenameOrgUnit() | c.DissolveOrgUnit():
            return [("unit", command.unit_id)]
        case c.RegisterMember():
            return [("unit", command.cell_id)]
        case c.TransferMember() | c.AttachMember():
            return [("member", command.member_id), ("unit", command.cell_id)]
        case c.AssignPosition():
            return [("member", command.member_id), ("unit", command.unit_id)]
    return [("member", command.member_id)]
