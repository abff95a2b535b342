"""Who may do what: the permission matrix (roles per endpoint) and the part of the tree a token
reaches.

A token scoped to units reaches the meetings of the cells below them: a change is judged on
today's tree (the committee responsible now decides), a read on the tree of the meeting's day
or on today's (the committee responsible for a cell now may read its history).
For a caller without the whole tree, a meeting outside its reach and one that does not exist
answer alike (403, same detail), so a scope cannot probe for other cells' meetings.
"""

from __future__ import annotations

from datetime import date

from chibo_meetings.domain import OutOfScopeError
from chibo_meetings.queries import MeetingFilter, Reach, SqlRoster
from chibo_web.auth import Caller
from chibo_web.permissions import EVERYONE, Permissions, roles
from chibo_web.scope import ALWAYS

READ = EVERYONE
CELL_WRITERS = roles("secretary", "admin", "service")
GRADE_CONFIRMERS = roles("committee_staff", "admin", "service")
_CELL_CHANGES = (
    "reschedule",
    "cancel",
    "notices",
    "documents",
    "held",
    "resolution",
    "task-reports",
    "assessment",
)
PERMISSIONS: Permissions = {
    ("GET", "/meetings"): READ,
    ("POST", "/meetings"): CELL_WRITERS,
    ("GET", "/meetings/<meeting_id>"): READ,
    **{("POST", f"/meetings/<meeting_id>/{change}"): CELL_WRITERS for change in _CELL_CHANGES},
    ("PUT", "/meetings/<meeting_id>/roll-call"): CELL_WRITERS,
    ("POST", "/meetings/<meeting_id>/assessment/confirm"): GRADE_CONFIRMERS,
    ("GET", "/rubrics"): READ,
    ("GET", "/rubrics/<rubric_id>"): READ,
}


def out_of_reach(named: str) -> OutOfScopeError:
    """The one answer for "outside your part of the tree" and "no such thing" (`named`: what
    the request named, e.g. "meeting <id>", never what was found)."""
    return OutOfScopeError(f"{named} is not in the part of the tree your token covers")


def require_reach(
    caller: Caller, roster: SqlRoster, cell_id: str, *days: date, named: str
) -> None:
    """Raise unless the cell lay in the caller's part of the tree on one of `days`."""
    if caller.whole_tree:
        return
    if all(roster.lineage(cell_id, day).isdisjoint(caller.scope) for day in days):
        raise out_of_reach(named)


def within_reach(
    caller: Caller, roster: SqlRoster, where: MeetingFilter, today: date
) -> MeetingFilter:
    """The list filter narrowed to meetings of cells in the scope today, or on the meeting day."""
    if caller.whole_tree:
        return where
    if where.cell_id is not None:
        tree, cells = roster.tree_above(where.cell_id), {where.cell_id}
    else:
        tree = roster.tree_below(caller.scope)
        cells = set(tree.parents)
    scope = caller.scope
    reach: Reach = {
        cell: ALWAYS if tree.reaches(scope, cell, today) else tree.periods(scope, cell)
        for cell in cells
    }
    return MeetingFilter(
        where.cell_id, where.from_, where.to, where.kind, {c: p for c, p in reach.items() if p}
    )
