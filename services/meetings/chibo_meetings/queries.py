"""Reads of the service's SQL tables: a cell's roll on a day, a unit's lineage, the meeting list."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from chibo_eventsourcing.sql.engine import read_connection
from chibo_meetings.domain import CellInfo, CellRoll
from chibo_meetings.read_models import Tables
from chibo_web.scope import ALWAYS, DatedTree, Period

MAX_DEPTH = 64
CHUNK = 500


class SqlRoster:
    """The organisation tree and the member roll as `members.events` described them."""

    def __init__(self, engine: sa.Engine, tables: Tables) -> None:
        self.engine = engine
        self.t = tables

    def cell(self, cell_id: str) -> CellInfo | None:
        units, ends = self.t.units, self.t.unit_ends
        query = (
            sa.select(units.c.kind, units.c.created_on, ends.c.ended_on, ends.c.into_id)
            .select_from(units.outerjoin(ends, ends.c.unit_id == units.c.unit_id))
            .where(units.c.unit_id == cell_id)
        )
        with read_connection(self.engine) as conn:
            row = conn.execute(query).first()
        if row is None:
            return None
        return CellInfo(cell_id, row.kind, row.created_on, row.ended_on, row.into_id)

    def roll(self, cell_id: str, on: date) -> CellRoll:
        """Who must (required), may (exempted) and may not (attached elsewhere) be listed."""
        with read_connection(self.engine) as conn:
            cells = self._absorbed(conn, cell_id, on)
            candidates = sa.select(self.t.placements.c.member_id).where(
                self.t.placements.c.cell_id.in_(cells)
            )
            own = {m for m, c in self._placed(conn, on, candidates).items() if c in cells}
            attachments = self._attachments(conn, on, own, cells)
            elsewhere = {m: c for m, c in attachments if m in own and c not in cells}
            guests_in = {m for m, c in attachments if c in cells and m not in own}
            attached = {m for m, c in self._placed(conn, on, guests_in).items() if c is not None}
            members = (own - set(elsewhere)) | attached
            exempted = self._exempted(conn, on, members)
            full = {m for m, s in self._statuses(conn, on, members).items() if s == "full"}
            names = self._names(conn, members | set(elsewhere))
        return CellRoll(
            cell_id=cell_id,
            on=on,
            required=frozenset(members - exempted),
            exempted=frozenset(exempted),
            attached=frozenset(attached),
            voters=frozenset(full - attached),
            elsewhere=elsewhere,
            names=names,
        )

    def known_members(self, member_ids: Collection[str]) -> set[str]:
        """Those of the ids that members.events registered as members (whatever became of them)."""
        t = self.t.members
        known: set[str] = set()
        with read_connection(self.engine) as conn:
            for chunk in _chunks(member_ids):
                known.update(conn.execute(
                    sa.select(t.c.member_id).where(t.c.member_id.in_(chunk))
                ).scalars())
        return known

    def lineage(self, unit_id: str, on: date) -> set[str]:
        """The unit, the units merged into on the way, and every ancestor on `on`."""
        seen: set[str] = set()
        current: str | None = unit_id
        with read_connection(self.engine) as conn:
            while current is not None and current not in seen and len(seen) < MAX_DEPTH:
                seen.add(current)
                into = self._merged_into(conn, current, on)
                current = into if into is not None else self._parent(conn, current, on)
        return seen

    def tree_below(self, roots: Iterable[str]) -> DatedTree:
        """The tree's changes for the roots and every unit that was ever below them."""
        parents, ends = self.t.unit_parents, self.t.unit_ends
        with read_connection(self.engine) as conn:
            units = self._closure(
                conn, set(roots), (parents.c.unit_id, parents.c.parent_id),
                (ends.c.unit_id, ends.c.into_id),
            )
            return self._dated_tree(conn, units)

    def tree_above(self, unit_id: str) -> DatedTree:
        """The tree's changes for the unit and every unit that was ever above it."""
        parents, ends = self.t.unit_parents, self.t.unit_ends
        with read_connection(self.engine) as conn:
            units = self._closure(
                conn, {unit_id}, (parents.c.parent_id, parents.c.unit_id),
                (ends.c.into_id, ends.c.unit_id),
            )
            return self._dated_tree(conn, units)

    def _closure(self, conn: sa.Connection, start: set[str], *links: tuple[Any, Any]) -> set[str]:
        """`start` and everything reached by following (found, from) column pairs."""
        units, frontier = set(start), set(start)
        while frontier:
            found: set[str] = set()
            for chunk in _chunks(frontier):
                for found_column, from_column in links:
                    query = sa.select(found_column).where(
                        from_column.in_(chunk), found_column.is_not(None)
                    )
                    found.update(conn.execute(query).scalars())
            frontier = found - units
            units |= frontier
        return units

    def _dated_tree(self, conn: sa.Connection, units: set[str]) -> DatedTree:
        parents, ends = self.t.unit_parents, self.t.unit_ends
        parent_rows: list[tuple[str, date, str | None]] = []
        end_rows: list[tuple[str, date, str | None]] = []
        for chunk in _chunks(units):
            parent_rows += [(r.unit_id, r.effective_from, r.parent_id) for r in conn.execute(
                sa.select(parents).where(parents.c.unit_id.in_(chunk))
            )]
            end_rows += [(r.unit_id, r.ended_on, r.into_id) for r in conn.execute(
                sa.select(ends).where(ends.c.unit_id.in_(chunk))
            )]
        return DatedTree.from_rows(parent_rows, end_rows)

    def _absorbed(self, conn: sa.Connection, cell_id: str, on: date) -> set[str]:
        """The cell and every unit merged into it (directly or not) on or before `on`."""
        ends = self.t.unit_ends
        cells, frontier = {cell_id}, {cell_id}
        while frontier and len(cells) < MAX_DEPTH:
            found = set(conn.execute(
                sa.select(ends.c.unit_id).where(ends.c.into_id.in_(frontier), ends.c.ended_on <= on)
            ).scalars())
            frontier = found - cells
            cells |= frontier
        return cells

    def _placed(self, conn: sa.Connection, on: date, members: Any) -> dict[str, str | None]:
        """Each member's cell on `on` (None once they left); `members` is ids or a subquery."""
        t = self.t.placements
        rows = conn.execute(
            sa.select(t.c.member_id, t.c.cell_id)
            .where(t.c.member_id.in_(members), t.c.effective_from <= on)
            .order_by(t.c.member_id, t.c.effective_from)
        )
        return {row.member_id: row.cell_id for row in rows}

    def _attachments(
        self, conn: sa.Connection, on: date, own: set[str], cells: set[str]
    ) -> list[tuple[str, str]]:
        t = self.t.attachments
        rows = conn.execute(
            sa.select(t.c.member_id, t.c.cell_id).where(
                sa.or_(t.c.member_id.in_(own), t.c.cell_id.in_(cells)),
                *_covers(t.c.from_date, t.c.to_date, on),
            )
        )
        return [(row.member_id, row.cell_id) for row in rows]

    def _exempted(self, conn: sa.Connection, on: date, members: set[str]) -> set[str]:
        t, ends = self.t.exemptions, self.t.exemption_ends
        query = (
            sa.select(t.c.member_id)
            .select_from(t.outerjoin(ends, ends.c.exemption_id == t.c.exemption_id))
            .where(
                t.c.member_id.in_(members),
                *_covers(t.c.from_date, t.c.to_date, on),
                sa.or_(ends.c.last_day.is_(None), ends.c.last_day >= on),
            )
        )
        return set(conn.execute(query).scalars())

    def _statuses(self, conn: sa.Connection, on: date, members: set[str]) -> dict[str, str]:
        t = self.t.statuses
        rows = conn.execute(
            sa.select(t.c.member_id, t.c.status)
            .where(t.c.member_id.in_(members), t.c.effective_from <= on)
            .order_by(t.c.member_id, t.c.effective_from)
        )
        return {row.member_id: row.status for row in rows}

    def _names(self, conn: sa.Connection, members: Iterable[str]) -> dict[str, str]:
        t = self.t.members
        query = sa.select(t.c.member_id, t.c.full_name).where(t.c.member_id.in_(list(members)))
        rows = conn.execute(query)
        return {row.member_id: row.full_name for row in rows}

    def _merged_into(self, conn: sa.Connection, unit_id: str, on: date) -> str | None:
        ends = self.t.unit_ends
        into = conn.execute(
            sa.select(ends.c.into_id).where(ends.c.unit_id == unit_id, ends.c.ended_on <= on)
        ).scalar()
        return str(into) if into is not None else None

    def _parent(self, conn: sa.Connection, unit_id: str, on: date) -> str | None:
        t = self.t.unit_parents
        parent = conn.execute(
            sa.select(t.c.parent_id)
            .where(t.c.unit_id == unit_id, t.c.effective_from <= on)
            .order_by(t.c.effective_from.desc())
            .limit(1)
        ).scalar()
        return str(parent) if parent is not None else None


def _chunks(ids: Iterable[str]) -> Iterable[list[str]]:
    ordered = sorted(ids)
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start : start + CHUNK]


def _covers(start: Any, end: Any, on: date) -> tuple[Any, ...]:
    return (start <= on, sa.or_(end.is_(None), end >= on))


class SqlTaskIndex:
    """Which meeting set a task: written with the meeting's events, read for progress reports."""

    def __init__(self, engine: sa.Engine, tables: Tables) -> None:
        self.engine = engine
        self.table = tables.tasks

    def meeting_of(self, task_id: str) -> str | None:
        with read_connection(self.engine) as conn:
            found = conn.execute(
                sa.select(self.table.c.meeting_id).where(self.table.c.task_id == task_id)
            ).scalar()
        return str(found) if found is not None else None


Reach = Mapping[str, tuple[Period, ...]]  # cell → the periods it lay in a token's scope


@dataclass(frozen=True)
class MeetingFilter:
    cell_id: str | None = None
    from_: date | None = None
    to: date | None = None
    kind: str | None = None
    reach: Reach | None = None  # None: the whole tree


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    page: int
    page_size: int
    total: int


def list_meetings(
    engine: sa.Engine, tables: Tables, where: MeetingFilter, page: int, page_size: int
) -> Page:
    """Meetings by the day they took (or take) place, oldest first."""
    t = tables.meetings
    conditions = []
    if where.cell_id is not None:
        conditions.append(t.c.cell_id == where.cell_id)
    if where.from_ is not None:
        conditions.append(t.c.meeting_on >= where.from_)
    if where.to is not None:
        conditions.append(t.c.meeting_on <= where.to)
    if where.kind is not None:
        conditions.append(t.c.kind == where.kind)
    if where.reach is not None:
        conditions.append(_within(t, where.reach))
    query = sa.select(t).where(*conditions)
    with read_connection(engine) as conn:
        total = conn.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar_one()
        rows = conn.execute(
            query.order_by(t.c.meeting_on, t.c.meeting_id)
            .limit(page_size)
            .offset((page - 1) * page_size)
        ).mappings()
        items = [dict(row) for row in rows]
    return Page(items, page, page_size, int(total))


def _within(t: sa.Table, reach: Reach) -> sa.ColumnElement[bool]:
    """Meetings of a cell held (or planned) on a day the cell lay in the scope."""
    always = sorted(cell for cell, periods in reach.items() if periods == ALWAYS)
    clauses: list[sa.ColumnElement[bool]] = [t.c.cell_id.in_(always)] if always else []
    for cell, periods in sorted(reach.items()):
        if periods == ALWAYS:
            continue
        for start, end in periods:
            bounds = [t.c.cell_id == cell]
            if start is not None:
                bounds.append(t.c.meeting_on >= start)
            if end is not None:
                bounds.append(t.c.meeting_on < end)
            clauses.append(sa.and_(*bounds))
    return sa.or_(*clauses) if clauses else sa.false()
