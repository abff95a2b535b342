"""The directory handlers consult: the local copy of the tree, roll, positions and meetings,
and the service's own lists, read through one connection."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date

import sqlalchemy as sa

from chibo_oversight.domain import (
    Appearance,
    Charge,
    Holding,
    MeetingInfo,
    MemberInfo,
    UnitInfo,
)
from chibo_oversight.read_models import Tables
from chibo_web.scope import DatedTree

MAX_DEPTH = 64
CHUNK = 500


class SqlDirectory:
    """The local copy of the tree, roll, positions and meetings, and the service's own lists,
    read through `conn` (inside a command's transaction, so checks see what it sees)."""

    def __init__(self, conn: sa.Connection, tables: Tables) -> None:
        self.conn = conn
        self.t = tables

    def member(self, member_id: str) -> MemberInfo | None:
        t = self.t.members
        row = self.conn.execute(sa.select(t).where(t.c.member_id == member_id)).first()
        return MemberInfo(row.member_id, row.full_name) if row else None

    def unit(self, unit_id: str) -> UnitInfo | None:
        units, ends = self.t.units, self.t.unit_ends
        row = self.conn.execute(
            sa.select(units, ends.c.ended_on)
            .select_from(units.outerjoin(ends, ends.c.unit_id == units.c.unit_id))
            .where(units.c.unit_id == unit_id)
        ).first()
        if row is None:
            return None
        return UnitInfo(row.unit_id, row.code, row.kind, row.created_on, row.ended_on)

    def lineage(self, unit_id: str, on: date) -> list[str]:
        """The unit, then its ancestors on `on`, nearest first (through units merged into)."""
        line: list[str] = []
        current: str | None = unit_id
        while current is not None and current not in line and len(line) < MAX_DEPTH:
            line.append(current)
            into = self._merged_into(current, on)
            current = into if into is not None else self._parent(current, on)
        return line

    def reach(self, unit_id: str, on: date) -> set[str]:
        """Ids and codes of the unit and its ancestors: what a token's scope may name."""
        line = self.lineage(unit_id, on)
        codes = self.conn.execute(
            sa.select(self.t.units.c.code).where(self.t.units.c.unit_id.in_(line))
        ).scalars()
        return set(line) | set(codes)

    def unit_ids(self, names: Iterable[str]) -> set[str]:
        """The ids of the units a token's scope names by id or by code."""
        names, t = set(names), self.t.units
        ids = set(names)
        for chunk in _chunks(names):
            ids.update(self.conn.execute(
                sa.select(t.c.unit_id).where(t.c.code.in_(chunk))).scalars())
        return ids

    def tree_below(self, roots: set[str]) -> DatedTree:
        """The tree's changes for the roots and every unit ever below them (or merged into
        one of them)."""
        parents, ends = self.t.unit_parents, self.t.unit_ends
        units, frontier = set(roots), set(roots)
        while frontier:
            found: set[str] = set()
            for chunk in _chunks(frontier):
                for below, above in ((parents.c.unit_id, parents.c.parent_id),
                                     (ends.c.unit_id, ends.c.into_id)):
                    found.update(self.conn.execute(
                        sa.select(below).where(above.in_(chunk))).scalars())
            frontier = found - units
            units |= frontier
        parent_rows: list[tuple[str, date, str | None]] = []
        end_rows: list[tuple[str, date, str | None]] = []
        for chunk in _chunks(units):
            parent_rows += [(r.unit_id, r.effective_from, r.parent_id) for r in self.conn.execute(
                sa.select(parents).where(parents.c.unit_id.in_(chunk)))]
            end_rows += [(r.unit_id, r.ended_on, r.into_id) for r in self.conn.execute(
                sa.select(ends).where(ends.c.unit_id.in_(chunk)))]
        return DatedTree.from_rows(parent_rows, end_rows)

    def holdings(self, member_id: str) -> list[Holding]:
        t, ends = self.t.positions, self.t.position_ends
        rows = self.conn.execute(
            sa.select(t, ends.c.last_day)
            .select_from(t.outerjoin(ends, ends.c.position_id == t.c.position_id))
            .where(t.c.member_id == member_id)
        )
        return [
            Holding(r.position_id, r.member_id, r.unit_id, r.position, r.from_date,
                    _earliest(r.to_date, r.last_day))
            for r in rows
        ]

    def meeting(self, meeting_id: str) -> MeetingInfo | None:
        t = self.t.meetings
        row = self.conn.execute(sa.select(t).where(t.c.meeting_id == meeting_id)).first()
        if row is None:
            return None
        return MeetingInfo(row.meeting_id, row.cell_id, row.scheduled_on, row.held_on,
                           bool(row.cancelled))

    def charges(self, overseer_id: str) -> list[Charge]:
        t = self.t.assignments
        rows = self.conn.execute(sa.select(t).where(t.c.overseer_id == overseer_id))
        return [
            Charge(r.assignment_id, r.overseer_id, r.unit_id, r.position_basis, r.from_date,
                   _earliest(r.to_date, r.ended_on))
            for r in rows
        ]

    def visit_at(self, overseer_id: str, meeting_id: str) -> str | None:
        t = self.t.visits
        found = self.conn.execute(
            sa.select(t.c.visit_id).where(t.c.overseer_id == overseer_id,
                                          t.c.meeting_id == meeting_id)
        ).scalar()
        return str(found) if found is not None else None

    def derived_at(self, cell_id: str, meeting_id: str) -> dict[str, str]:
        t = self.t.visits
        rows = self.conn.execute(
            sa.select(t.c.overseer_id, t.c.visit_id)
            .where(t.c.cell_id == cell_id, t.c.meeting_id == meeting_id, t.c.derived)
        )
        return {r.overseer_id: r.visit_id for r in rows}

    def open_review(self, cell_id: str, period: str) -> str | None:
        t = self.t.reviews
        found = self.conn.execute(
            sa.select(t.c.review_id).where(
                t.c.cell_id == cell_id, t.c.period == period, t.c.closed_on.is_(None)
            ).order_by(t.c.review_id).limit(1)
        ).scalar()
        return str(found) if found is not None else None

    def appearances(self, member_id: str, from_: date, last_day: date | None) -> list[Appearance]:
        t = self.t.guests
        query = sa.select(t).where(t.c.member_id == member_id, t.c.held_on >= from_)
        if last_day is not None:
            query = query.where(t.c.held_on <= last_day)
        rows = self.conn.execute(query.order_by(t.c.held_on, t.c.meeting_id))
        return [Appearance(r.meeting_id, r.cell_id, r.held_on, r.member_id, r.role) for r in rows]

    def _merged_into(self, unit_id: str, on: date) -> str | None:
        ends = self.t.unit_ends
        into = self.conn.execute(
            sa.select(ends.c.into_id).where(ends.c.unit_id == unit_id, ends.c.ended_on <= on)
        ).scalar()
        return str(into) if into is not None else None

    def _parent(self, unit_id: str, on: date) -> str | None:
        t = self.t.unit_parents
        parent = self.conn.execute(
            sa.select(t.c.parent_id)
            .where(t.c.unit_id == unit_id, t.c.effective_from <= on)
            .order_by(t.c.effective_from.desc())
            .limit(1)
        ).scalar()
        return str(parent) if parent is not None else None


def _chunks(ids: Iterable[str]) -> Iterator[list[str]]:
    ordered = sorted(ids)
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start:start + CHUNK]


def _earliest(*days: date | None) -> date | None:
    known = [d for d in days if d is not None]
    return min(known) if known else None
