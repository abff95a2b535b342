"""Who may do what: write roles, and the part of the tree a token is scoped to.

A scoped token (`scope`: unit ids or codes) reaches those units and everything below them.
A change is judged on today's tree (the committee responsible now decides); a read on the tree
of the day it is about or on today's. Lists are narrowed to what the scope reaches, never
refused; a filter naming something outside the scope lists nothing. For a caller without the
whole tree, a resource outside its reach and one that does not exist answer alike (403, same
detail, naming only what the request named). Whole-tree tokens (`*`) reach everything.
Committee staff manage assignments and review cases and withdraw visits; an overseer may also
record visits, but only their own, and lists their own records wherever they are.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

from chibo_oversight import commands as c
from chibo_oversight.domain import AccessError
from chibo_oversight.queries import Sight
from chibo_web.auth import ROLES, Caller
from chibo_web.scope import ALWAYS, DatedTree, Period

STAFF = frozenset({"admin", "committee_staff", "service"})
VISITORS = STAFF | {"overseer"}
EXPLAINERS = STAFF | {"secretary"}  # the cell's secretary may file the cell's explanation
READERS = frozenset(ROLES)

# Which roles may call which route (method, Flask url rule); scope is checked per request.
PERMISSIONS: dict[tuple[str, str], frozenset[str]] = {
    ("GET", "/assignments"): READERS,
    ("POST", "/assignments"): STAFF,
    ("GET", "/assignments/<assignment_id>"): READERS,
    ("POST", "/assignments/<assignment_id>/end"): STAFF,
    ("GET", "/visits"): READERS,
    ("POST", "/visits"): VISITORS,
    ("GET", "/visits/<visit_id>"): READERS,
    ("POST", "/visits/<visit_id>/withdraw"): STAFF,
    ("GET", "/reviews"): READERS,
    ("POST", "/reviews"): STAFF,
    ("GET", "/reviews/<review_id>"): READERS,
    ("POST", "/reviews/<review_id>/explanation"): EXPLAINERS,
    ("POST", "/reviews/<review_id>/close"): STAFF,
}

Reach = Callable[[str, date], set[str]]


def require_role(caller: Caller, command: c.Command) -> None:
    """The roles of PERMISSIONS again, per command; an overseer records their own visits."""
    allowed = {c.RecordVisit: VISITORS, c.RecordExplanation: EXPLAINERS}.get(
        type(command), STAFF)
    if not caller.has_any(sorted(allowed)):
        raise AccessError(f"this change needs one of the roles {', '.join(sorted(allowed))}")
    if caller.has_any(sorted(STAFF)):
        return
    if isinstance(command, c.RecordVisit) and command.overseer_id != caller.sub:
        raise AccessError("an overseer token records its own visits only")


def out_of_reach(named: str) -> AccessError:
    """The one answer for "outside your part of the tree" and "no such thing" (`named`: what
    the request named, e.g. "assignment <id>", never what was found)."""
    return AccessError(f"{named} is not in the part of the tree your token covers")


def require_reach(
    caller: Caller, reach: Reach, unit_id: str, days: Iterable[date], named: str
) -> None:
    """403 unless a unit of the caller's scope is the unit or above it on one of `days`."""
    if caller.whole_tree:
        return
    if not any(reach(unit_id, day).intersection(caller.scope) for day in days):
        raise out_of_reach(named)


def sight_of(caller: Caller, tree: DatedTree, roots: set[str], today: date) -> Sight:
    """What a scoped token may list: each unit of `tree` (the scope's units, by id, and all
    ever below them) with the periods it lay in the scope (always, if it does today), and the
    caller's own records as an overseer."""
    reach: dict[str, tuple[Period, ...]] = {}
    for unit in set(tree.parents) | roots:
        periods = ALWAYS if tree.reaches(roots, unit, today) else tree.periods(roots, unit)
        if periods:
            reach[unit] = periods
    return Sight(reach, own=caller.sub)
