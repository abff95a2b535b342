"""Questions the query tables answer: codes, children, who is in a cell, subtrees, member lists."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from chibo_members.domain.names import fold
from chibo_members.read_models.tables import ReadTables, in_force

MAX_DEPTH = 32  # deeper than any real tree; stops a recursive query should a cycle slip in


def ids_for_codes(
    conn: sa.Connection, table: sa.Table, key: str, codes: Sequence[str]
) -> dict[str, str]:
    """{code: id} for the codes in use in `table` (org_units or members)."""
    found: dict[str, str] = {}
    for start in range(0, len(codes), 500):
        query = sa.select(table.c.code, table.c[key]).where(
            table.c.code.in_(codes[start : start + 500])
        )
        found.update({row[0]: row[1] for row in conn.execute(query)})
    return found


def children(conn: sa.Connection, tables: ReadTables, unit_id: str, on: date) -> list[str]:
    parents = tables.unit_parents
    query = sa.select(parents.c.unit_id).where(
        parents.c.parent_id == unit_id, in_force(parents, on)
    )
    return list(conn.execute(query.order_by(parents.c.unit_id)).scalars())


def cell_members(conn: sa.Connection, tables: ReadTables, cell_id: str, on: date) -> list[str]:
    cells = tables.member_cells
    query = sa.select(cells.c.member_id).where(cells.c.cell_id == cell_id, in_force(cells, on))
    return list(conn.execute(query.order_by(cells.c.member_id)).scalars())


def _subtree(
    tables: ReadTables, roots: str | sa.Select[Any], on: date, name: str = "subtree"
) -> sa.CTE:
    """The units below `roots` (one id, or a query of ids) on `on`, the roots included."""
    parents = tables.unit_parents
    top_units = (
        parents.c.unit_id == roots if isinstance(roots, str) else parents.c.unit_id.in_(roots)
    )
    top = (
        sa.select(parents.c.unit_id, parents.c.parent_id, sa.literal(0).label("depth"))
        .where(top_units, in_force(parents, on))
        .cte(name, recursive=True)
    )
    child = parents.alias(f"{name}_child")
    return top.union_all(
        sa.select(child.c.unit_id, child.c.parent_id, top.c.depth + 1)
        .join_from(child, top, child.c.parent_id == top.c.unit_id)
        .where(in_force(child, on), top.c.depth < MAX_DEPTH)
    )


@dataclass(frozen=True)
class TreeNode:
    unit_id: str
    parent_id: str | None
    depth: int
    code: str
    kind: str
    name: str


def subtree(conn: sa.Connection, tables: ReadTables, root_id: str, on: date) -> list[TreeNode]:
    """The unit and every unit below it that exist on `on`, parents before children."""
    tree = _subtree(tables, root_id, on)
    units, names = tables.org_units, tables.unit_names
    query = (
        sa.select(
            tree.c.unit_id, tree.c.parent_id, tree.c.depth, units.c.code, units.c.kind, names.c.name
        )
        .join_from(tree, units, units.c.unit_id == tree.c.unit_id)
        .join(names, sa.and_(names.c.unit_id == tree.c.unit_id, in_force(names, on)))
        .order_by(tree.c.depth)
    )
    return [TreeNode(*row) for row in conn.execute(query)]


def member_counts(
    conn: sa.Connection, tables: ReadTables, cell_ids: Sequence[str], on: date
) -> dict[str, int]:
    cells = tables.member_cells
    counts: dict[str, int] = {}
    for start in range(0, len(cell_ids), 500):
        query = (
            sa.select(cells.c.cell_id, sa.func.count())
            .where(cells.c.cell_id.in_(cell_ids[start : start + 500]), in_force(cells, on))
            .group_by(cells.c.cell_id)
        )
        counts.update({row[0]: row[1] for row in conn.execute(query)})
    return counts


@dataclass(frozen=True)
class Reach:
    """A token's scope (unit ids or codes) and the days on which a unit below it counts."""

    scope: Sequence[str]
    days: Sequence[date]


def in_reach(tables: ReadTables, reach: Reach) -> sa.CompoundSelect[Any]:
    """Ids of the units below the scope's units on any of the reach's days."""
    units = tables.org_units
    roots = sa.select(units.c.unit_id).where(
        sa.or_(units.c.unit_id.in_(reach.scope), units.c.code.in_(reach.scope))
    )
    below = [_subtree(tables, roots, day, name=f"reach_{n}") for n, day in enumerate(reach.days)]
    return sa.union(*(sa.select(tree.c.unit_id) for tree in below))


@dataclass(frozen=True)
class MemberFilter:
    on: date
    cell_id: str | None = None
    unit_id: str | None = None
    q: str | None = None
    limit: int = 100
    offset: int = 0
    within: Reach | None = None  # a token's reach; None for the whole tree


def member_page(
    conn: sa.Connection, tables: ReadTables, wanted: MemberFilter
) -> list[dict[str, Any]]:
    """Members in a cell (or below a unit, or anywhere) on a date, in Vietnamese order; one
    row more than `limit` tells the caller that another page follows."""
    members, cells = tables.members, tables.member_cells
    query = (
        sa.select(*members.c, cells.c.cell_id)
        .join_from(cells, members, members.c.member_id == cells.c.member_id)
        .where(in_force(cells, wanted.on))
    )
    if wanted.cell_id is not None:
        query = query.where(cells.c.cell_id == wanted.cell_id)
    if wanted.unit_id is not None:
        below = _subtree(tables, wanted.unit_id, wanted.on)
        query = query.where(cells.c.cell_id.in_(sa.select(below.c.unit_id)))
    if wanted.within is not None:
        query = query.where(cells.c.cell_id.in_(in_reach(tables, wanted.within)))
    if wanted.q:
        query = query.where(members.c.search_name.contains(fold(wanted.q), autoescape=True))
    query = query.order_by(members.c.sort_key, members.c.member_id)
    rows = conn.execute(query.limit(wanted.limit + 1).offset(wanted.offset)).mappings()
    return [dict(row) for row in rows]


def unit_page(
    conn: sa.Connection,
    tables: ReadTables,
    on: date,
    *,
    code: str | None = None,
    kind: str | None = None,
    limit: int = 100,
    offset: int = 0,
    within: Reach | None = None,
) -> list[str]:
    """Ids of the units existing on `on` (optionally with a code or kind, or in the reach of a
    token's scope), ordered by code."""
    units, parents = tables.org_units, tables.unit_parents
    query = (
        sa.select(units.c.unit_id)
        .join_from(units, parents, parents.c.unit_id == units.c.unit_id)
        .where(in_force(parents, on))
    )
    if code is not None:
        query = query.where(units.c.code == code)
    if kind is not None:
        query = query.where(units.c.kind == kind)
    if within is not None:
        query = query.where(units.c.unit_id.in_(in_reach(tables, within)))
    query = query.order_by(units.c.code).limit(limit + 1).offset(offset)
    return list(conn.execute(query).scalars())
