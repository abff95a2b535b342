"""Who may do what: the permission matrix (roles per endpoint) and the part of the tree a token
reaches (its scope units, by id or code, and everything below them).

A report is about history, so a unit is in reach when it lies in the token's scope on today's
tree or on the tree of the day the report is about. Outside the reach and unknown answer alike.
"""

from __future__ import annotations

from datetime import date

from chibo_reporting.read_models.tree import Tree
from chibo_web.auth import Caller
from chibo_web.permissions import EVERYONE, Permissions, roles

PUBLISHERS = roles("committee_staff", "admin", "service")
AUDITORS = roles("auditor", "admin", "service")
PERMISSIONS: Permissions = {
    ("POST", "/rulebooks"): PUBLISHERS,
    ("GET", "/rulebooks"): EVERYONE,
    ("GET", "/reports/cells/<cell_id>"): EVERYONE,
    ("GET", "/reports/units/<unit_id>"): EVERYONE,
    ("GET", "/reports/overseers"): EVERYONE,
    ("GET", "/reports/reminders"): EVERYONE,
    ("GET", "/reports/members/<member_id>"): EVERYONE,
    ("GET", "/audit/streams/<path:stream_id>"): AUDITORS,
    ("GET", "/audit/verify"): AUDITORS,
}


def reaches(caller: Caller, tree: Tree, unit_id: str, days: tuple[date, ...]) -> bool:
    """Whether the unit lies in the caller's scope on any of `days`."""
    if caller.whole_tree:
        return True
    scope = set(caller.scope)
    for day in days:
        for unit in tree.ancestry(unit_id, day):
            known = tree.units.get(unit)
            if unit in scope or (known is not None and known.code in scope):
                return True
    return False
