"""The paged lists of assignments, visits and review cases, with their filters."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from chibo_oversight.read_models import Id, Tables
from chibo_web.scope import ALWAYS, Period


def units_below(tables: Tables, unit_id: str, on: date) -> sa.Select[Any]:
    """The unit and every unit below it on `on` (a unit merged into another counts as below
    it, so the cells it held follow it), as a subquery of ids."""
    p, ends = tables.unit_parents, tables.unit_ends
    latest = (
        sa.select(p.c.unit_id, sa.func.max(p.c.effective_from).label("since"))
        .where(p.c.effective_from <= on)
        .group_by(p.c.unit_id)
        .subquery()
    )
    edges = sa.union_all(
        sa.select(p.c.parent_id.label("parent_id"), p.c.unit_id.label("unit_id")).join(
            latest, sa.and_(p.c.unit_id == latest.c.unit_id, p.c.effective_from == latest.c.since)
        ),
        sa.select(ends.c.into_id, ends.c.unit_id).where(
            ends.c.into_id.is_not(None), ends.c.ended_on <= on
        ),
    ).subquery()
    below = sa.select(sa.cast(sa.literal(unit_id), Id).label("unit_id")).cte(
        "below", recursive=True
    )
    below = below.union(
        sa.select(edges.c.unit_id).join(below, edges.c.parent_id == below.c.unit_id)
    )
    return sa.select(below.c.unit_id)


@dataclass(frozen=True)
class Sight:
    """What a scoped token may list: rows of the units in `reach` dated within a period the
    unit lay in the scope, and the records whose overseer is `own` (the caller's own)."""

    reach: Mapping[str, tuple[Period, ...]]
    own: str | None = None


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    page: int
    page_size: int
    total: int


def page_of(
    conn: sa.Connection, query: sa.Select[Any], order: list[Any], page: int, page_size: int
) -> Page:
    total = conn.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar_one()
    rows = conn.execute(
        query.order_by(*order).limit(page_size).offset((page - 1) * page_size)
    ).mappings()
    return Page([dict(row) for row in rows], page, page_size, int(total))


@dataclass(frozen=True)
class AssignmentFilter:
    overseer_id: str | None = None
    unit_id: str | None = None
    active_on: date | None = None
    sight: Sight | None = None  # None: the whole tree


@dataclass(frozen=True)
class VisitFilter:
    overseer_id: str | None = None
    cell_id: str | None = None
    unit_id: str | None = None
    meeting_id: str | None = None
    from_: date | None = None
    to: date | None = None
    sight: Sight | None = None  # None: the whole tree


@dataclass(frozen=True)
class ReviewFilter:
    unit_id: str | None = None
    cell_id: str | None = None
    status: str | None = None
    period: str | None = None
    sight: Sight | None = None  # None: the whole tree


def list_assignments(
    conn: sa.Connection, tables: Tables, where: AssignmentFilter, page: int, page_size: int
) -> Page:
    """Assignments by first day, oldest first."""
    t = tables.assignments
    conditions = _equal(t, overseer_id=where.overseer_id, unit_id=where.unit_id)
    if where.active_on is not None:
        day = where.active_on
        conditions += [t.c.from_date <= day, sa.or_(t.c.to_date.is_(None), t.c.to_date >= day),
                       sa.or_(t.c.ended_on.is_(None), t.c.ended_on >= day)]
    if where.sight is not None:
        conditions.append(_within(where.sight, t.c.unit_id, t.c.from_date, t.c.overseer_id))
    query = sa.select(t).where(*conditions)
    return page_of(conn, query, [t.c.from_date, t.c.assignment_id], page, page_size)


def list_visits(
    conn: sa.Connection, tables: Tables, where: VisitFilter, page: int, page_size: int, *,
    today: date,
) -> Page:
    """Visits by day, oldest first; `unit_id` takes the cells below the unit as of today."""
    t = tables.visits
    conditions = _equal(t, overseer_id=where.overseer_id, cell_id=where.cell_id,
                        meeting_id=where.meeting_id)
    if where.unit_id is not None:
        conditions.append(t.c.cell_id.in_(units_below(tables, where.unit_id, today)))
    if where.from_ is not None:
        conditions.append(t.c.visited_on >= where.from_)
    if where.to is not None:
        conditions.append(t.c.visited_on <= where.to)
    if where.sight is not None:
        conditions.append(_within(where.sight, t.c.cell_id, t.c.visited_on, t.c.overseer_id))
    query = sa.select(t).where(*conditions)
    return page_of(conn, query, [t.c.visited_on, t.c.visit_id], page, page_size)


def list_reviews(
    conn: sa.Connection, tables: Tables, where: ReviewFilter, page: int, page_size: int, *,
    today: date,
) -> Page:
    """Review cases of every cell below the unit (tree as of today), oldest reminder first."""
    t = tables.reviews
    conditions = _equal(t, cell_id=where.cell_id, status=where.status, period=where.period)
    if where.unit_id is not None:
        conditions.append(t.c.cell_id.in_(units_below(tables, where.unit_id, today)))
    if where.sight is not None:
        conditions.append(_within(where.sight, t.c.cell_id, t.c.reminded_on))
    query = sa.select(t).where(*conditions)
    return page_of(conn, query, [t.c.reminded_on, t.c.review_id], page, page_size)


def _equal(table: sa.Table, **values: str | None) -> list[Any]:
    return [table.c[name] == value for name, value in values.items() if value is not None]


def _within(
    sight: Sight, unit: Any, day: Any, overseer: Any = None
) -> sa.ColumnElement[bool]:
    """Rows of a unit in the sight, dated in a period it lay in the scope; or the caller's own."""
    always = sorted(u for u, periods in sight.reach.items() if periods == ALWAYS)
    clauses: list[sa.ColumnElement[bool]] = [unit.in_(always)] if always else []
    for unit_id, periods in sorted(sight.reach.items()):
        if periods == ALWAYS:
            continue
        for start, end in periods:
            bounds = [unit == unit_id]
            if start is not None:
                bounds.append(day >= start)
            if end is not None:
                bounds.append(day < end)
            clauses.append(sa.and_(*bounds))
    if overseer is not None and sight.own is not None:
        clauses.append(overseer == sight.own)
    return sa.or_(*clauses) if clauses else sa.false()
