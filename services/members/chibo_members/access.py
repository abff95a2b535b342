"""Who may change what: write roles, and the part of the tree a token is scoped to.

A scoped token (`scope`: unit ids or codes) reaches those units and everything below them, as
the tree stood on the date a request is about. Whole-tree tokens (`*`) reach everything.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from chibo_members import commands as c
from chibo_members.domain.errors import AccessError
from chibo_members.domain.members import Member
from chibo_members.domain.units import FindUnit, OrgUnit, lineage
from chibo_web.auth import Caller

TREE_WRITERS = frozenset({"admin", "committee_staff", "service"})
ROLL_WRITERS = TREE_WRITERS | {"secretary"}
_TREE_COMMANDS = (
    c.CreateOrgUnit,
    c.RenameOrgUnit,
    c.MoveOrgUnit,
    c.MergeOrgUnit,
    c.DissolveOrgUnit,
)


def reaches(caller: Caller, line: list[OrgUnit]) -> bool:
    """Whether a unit (given with its ancestors) lies in the caller's part of the tree."""
    return caller.whole_tree or any(u.id in caller.scope or u.code in caller.scope for u in line)


def require_reach(caller: Caller, find: FindUnit, unit_id: str | None, on: date) -> None:
    if caller.whole_tree:
        return
    if unit_id is None:
        raise AccessError("only a whole-tree token may create or read root units")
    line = lineage(find, unit_id, on)
    if line and not reaches(caller, line):  # unknown units are left for the handler to report
        raise AccessError(f"unit {line[0].code} is outside the part of the tree your token covers")


def authorise(
    caller: Caller, command: c.Command, find: FindUnit, find_member: Callable[[str], Member | None]
) -> None:
    """Raise AccessError unless the caller may run `command`."""
    writers = TREE_WRITERS if isinstance(command, _TREE_COMMANDS) else ROLL_WRITERS
    if not caller.has_any(sorted(writers)):
        raise AccessError(f"this change needs one of the roles {', '.join(sorted(writers))}")
    on = c.effective_date(command)
    for unit_id in _places(command, find_member, on):
        require_reach(caller, find, unit_id, on)


def _places(
    command: c.Command, find_member: Callable[[str], Member | None], on: date
) -> list[str | None]:
    match command:
        case c.CreateOrgUnit():
            return [command.parent_id]
        case c.MoveOrgUnit():
            return [command.unit_id, command.parent_id]
        case c.MergeOrgUnit():
            return [command.unit_id, command.into_id]
        case c.RenameOrgUnit() | c.DissolveOrgUnit():
            return [command.unit_id]
        case c.RegisterMember():
            return [command.cell_id]
    member = find_member(command.member_id)
    return [member.cell_on(on) or member.cells.latest()] if member else []
