"""Loads facts from the read models into the plain data the rules read (a few indexed queries)."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

import sqlalchemy as sa

from chibo_eventsourcing.sql.keys import one_of
from chibo_reporting.facts import Absence, Assignment, MeetingFact, MemberYear, Review, Visit
from chibo_reporting.read_models import ReadModel
from chibo_reporting.read_models.tables import counted_absences
from chibo_reporting.read_models.tree import Span, Tree, Unit
from chibo_reporting.rulebooks import Rulebook, RulebookIndex, parameters

# Above this many cells a range scan filtered in memory beats `cell_id IN (…)` chunks.
SCAN_ABOVE = 2000


def _evidence(raw: str | None) -> dict[str, tuple[str, ...]]:
    return {role: tuple(ids) for role, ids in json.loads(raw or "{}").items()}


class Loader:
    """Reads one consistent view of the read models through `conn`."""

    def __init__(self, conn: sa.Connection, model: ReadModel) -> None:
        self.conn = conn
        self.model = model
        # Read at most once per snapshot (a roll-up asks for them several times).
        self._stamps: dict[str, str] | None = None
        self._all_cell_stamps: dict[str, str] | None = None

    def stamps(self) -> dict[str, str]:
        """The shared stamps: "tree", "rulebooks", "assignments" (see the projection writer)."""
        if self._stamps is None:
            table = self.model.stamps
            self._stamps = {r.name: r.stamp for r in self.conn.execute(sa.select(table))}
        return self._stamps

    def cell_stamps(self, cells: list[str] | None) -> dict[str, str]:
        """The stamps of `cells` (None: of every cell)."""
        if self._all_cell_stamps is not None:
            return self._all_cell_stamps
        found = {r.cell_id: r.stamp for r in self._in_cells(self.model.cell_stamps, cells)}
        if cells is None:
            self._all_cell_stamps = found
        return found

    def positions(self) -> dict[str, int]:
        table = self.model.positions
        return {r.source: int(r.position) for r in self.conn.execute(sa.select(table))}

    def tree(self) -> Tree:
        units_table, spans_table = self.model.units, self.model.unit_spans
        units = [
            Unit(r.unit_id, r.kind, r.code, r.created_on, r.ended_on, r.end_kind, r.into_id)
            for r in self.conn.execute(sa.select(units_table))
        ]
        spans = [
            (r.unit_id, Span(r.valid_from, r.valid_to, r.parent_id, r.name))
            for r in self.conn.execute(sa.select(spans_table))
        ]
        return Tree(units, spans)

    def rulebooks(self) -> list[Rulebook]:
        return [
            Rulebook(r.rulebook_id, r.unit_id, r.version, r.effective_from, r.name,
                     parameters(json.loads(r.parameters)), r.event_id)
            for r in self.conn.execute(sa.select(self.model.rulebooks))
        ]

    def rulebook_index(self) -> RulebookIndex:
        return RulebookIndex(self.rulebooks())

    def _rows(self, query: Any, column: sa.ColumnElement[Any],
              values: Iterable[str] | None) -> list[Any]:
        """`query`'s rows; with `values`, those whose `column` is one of them."""
        if values is None:
            return list(self.conn.execute(query))
        return self._where_in(query, column, values)

    def _where_in(self, query: Any, column: sa.ColumnElement[Any],
                  values: Iterable[str]) -> list[Any]:
        """`query` for rows whose `column` is one of `values`."""
        return [row for condition in one_of(self.conn, column, values)
                for row in self.conn.execute(query.where(condition))]

    def _in_cells(self, table: sa.Table, cells: list[str] | None, *where: Any,
                  columns: Sequence[sa.Column[Any]] | None = None) -> list[Any]:
        """`table`'s rows (or `columns` of them, `cell_id` among them) of `cells` (None: all)."""
        query = (sa.select(*columns) if columns else sa.select(table)).where(*where)
        if cells is not None and len(cells) <= SCAN_ABOVE:
            return self._where_in(query, table.c.cell_id, cells)
        wanted = None if cells is None else set(cells)
        return [r for r in self.conn.execute(query) if wanted is None or r.cell_id in wanted]

    def meetings(self, cells: list[str] | None, first: date, last: date, *,
                 with_evidence: bool = True) -> list[MeetingFact]:
        """Meetings held (not cancelled) in [first, last] by the given cells."""
        table = self.model.meetings
        rows = self._in_cells(table, cells, table.c.held_on.between(first, last),
                              table.c.status != "cancelled",
                              columns=None if with_evidence else _without(table, "evidence"))
        facts = (meeting_fact(r, with_evidence=with_evidence) for r in rows)
        return sorted(facts, key=lambda m: (m.held_on, m.meeting_id))

    def earlier(self, cells: list[str] | None, before: date) -> list[MeetingFact]:
        """Per cell, its last meeting before `before` that set tasks, and its last graded one."""
        table = self.model.meetings
        found: dict[str, MeetingFact] = {}
        for condition in (table.c.tasks_total > 0,
                          sa.or_(table.c.self_total.is_not(None),
                                 table.c.confirmed_total.is_not(None))):
            latest = (sa.select(table.c.cell_id, sa.func.max(table.c.held_on).label("last"))
                      .where(table.c.held_on < before, table.c.status != "cancelled", condition)
                      .group_by(table.c.cell_id).subquery())
            query = (sa.select(table)
                     .join(latest, sa.and_(table.c.cell_id == latest.c.cell_id,
                                           table.c.held_on == latest.c.last))
                     .where(table.c.status != "cancelled", condition))
            wanted = None if cells is None else set(cells)
            for row in self.conn.execute(query):
                if wanted is None or row.cell_id in wanted:
                    found[row.meeting_id] = meeting_fact(row)
        return sorted(found.values(), key=lambda m: (m.held_on, m.meeting_id))

    def assignments(self, tree: Tree, units: Iterable[str] | None = None) -> list[Assignment]:
        """Every assignment (or those on `units`), with the kind of the committee its overseer
        sits on."""
        table = self.model.assignments
        rows = self._rows(sa.select(table), table.c.unit_id, units)
        found = [assignment(r) for r in rows if r.unit_id and r.from_date]
        return [replace(a, position_level=tree.kind(a.position_level) if a.position_level
                        else None) for a in found]

    def visits(self, cells: list[str] | None, first: date, last: date) -> list[Visit]:
        table = self.model.visits
        rows = self._in_cells(table, cells, table.c.visited_on.between(first, last))
        return [Visit(r.visit_id, r.overseer_id, r.cell_id, r.visited_on,
                      bool(r.counts_toward_quota), r.meeting_id, r.position_basis, r.event_id)
                for r in rows]

    def reviews(self, cells: list[str] | None, period: str) -> list[Review]:
        table = self.model.reviews
        rows = self._in_cells(table, cells, table.c.period == period)
        return [
            Review(r.review_id, r.cell_id, r.period, tuple(json.loads(r.rule_ids or "[]")),
                   r.reminded_on, r.explained_on, r.closed_on, r.outcome,
                   tuple(i for ids in _evidence(r.evidence).values() for i in ids))
            for r in rows
        ]

    def member_years(self, year: int, members: Iterable[str] | None = None) -> list[MemberYear]:
        """The member-years with a counted absence (runs and unexcused, not every entry)."""
        table = self.model.member_years
        columns = (table.c.member_id, table.c.year, table.c.excused_runs, table.c.unexcused)
        query = sa.select(*columns).where(table.c.year == year, table.c.absences > 0)
        rows = self._rows(query, table.c.member_id, members)
        return [member_year(r) for r in rows]

    def absent_members(self, cells: list[str], first: date, last: date) -> set[str]:
        """Members who missed a counted meeting of one of the cells in [first, last]."""
        table = self.model.attendance
        query = sa.select(table.c.member_id).distinct().where(
            table.c.held_on.between(first, last), counted_absences(table))
        return {r.member_id for r in self._where_in(query, table.c.cell_id, cells)}

    def attendance_of(self, member_id: str, first: date, last: date) -> list[dict[str, Any]]:
        table = self.model.attendance
        query = (sa.select(table)
                 .where(table.c.member_id == member_id, table.c.held_on.between(first, last))
                 .order_by(table.c.held_on, table.c.meeting_id))
        return [dict(r._mapping) for r in self.conn.execute(query)]

    def member(self, member_id: str) -> dict[str, Any] | None:
        table = self.model.members
        row = self.conn.execute(sa.select(table).where(table.c.member_id == member_id)).first()
        return dict(row._mapping) if row else None

    def membership(self, member_id: str) -> list[dict[str, Any]]:
        table = self.model.membership_spans
        query = sa.select(table).where(table.c.member_id == member_id).order_by(table.c.seq)
        return [dict(r._mapping) for r in self.conn.execute(query)]


def _without(table: sa.Table, *names: str) -> list[sa.Column[Any]]:
    return [column for column in table.c if column.name not in names]


def meeting_fact(row: Any, *, with_evidence: bool = True) -> MeetingFact:
    # By key through the row's mapping: a third of the cost of attribute access, which counts
    # when a roll-up loads a province's year (120,000 meetings).
    r = row._mapping
    raw = r["overseer_notices"]
    notices = json.loads(raw) if raw and raw != "{}" else {}
    return MeetingFact(
        meeting_id=r["meeting_id"], cell_id=r["cell_id"], kind=r["kind"] or "regular",
        held_on=r["held_on"], scheduled_on=r["scheduled_on"],
        status=r["status"] or "scheduled", duration_minutes=r["duration_minutes"],
        parts=r["parts"] or 1, reschedule_reason=r["reschedule_reason"],
        before_doc_on=r["before_doc_on"], after_doc_on=r["after_doc_on"],
        members_notified_on=r["members_notified_on"],
        overseers_notified={k: date.fromisoformat(v) for k, v in notices.items()},
        roll_call=bool(r["roll_call"]), required=r["required"] or 0,
        present=r["present"] or 0, absent_excused=r["absent_excused"] or 0,
        absent_unexcused=r["absent_unexcused"] or 0,
        exempted_present=r["exempted_present"] or 0,
        exempted_miscounted=r["exempted_miscounted"] or 0,
        resolution=bool(r["resolution"]), votes_for=r["votes_for"] or 0,
        voting_base=r["voting_base"] or 0, tasks_total=r["tasks_total"] or 0,
        tasks_done=r["tasks_done"] or 0, tasks_dropped=r["tasks_dropped"] or 0,
        self_score=r["self_score"], assessed_on=r["assessed_on"],
        confirmed_score=r["confirmed_score"], confirmed_on=r["confirmed_on"],
        recorded_grade=r["confirmed_grade"] or r["self_grade"],
        evidence=_evidence(r["evidence"]) if with_evidence else {},
    )


def assignment(row: Any) -> Assignment:
    ends = [d for d in (row.to_date, row.ended_on) if d is not None]
    return Assignment(row.assignment_id, row.overseer_id, row.unit_id, row.position_basis or "",
                      row.from_date, min(ends) if ends else None,
                      tuple(i for ids in _evidence(row.evidence).values() for i in ids),
                      position_level=row.position_unit_id)


def member_year(row: Any) -> MemberYear:
    r = row._mapping  # as in `meeting_fact`: a province's year has 100,000 of them
    runs = tuple(tuple([_absence(a) for a in run]) for run in json.loads(r["excused_runs"]))
    return MemberYear(r["member_id"], r["year"], runs,
                      tuple([_absence(a) for a in json.loads(r["unexcused"])]))


def _absence(raw: list[str]) -> Absence:
    return Absence(date.fromisoformat(raw[0]), raw[1], raw[2], raw[3])


def by_cell(member_years: Iterable[MemberYear]) -> dict[str, list[MemberYear]]:
    """Each member-year under every cell one of its counted absences was in."""
    grouped: defaultdict[str, list[MemberYear]] = defaultdict(list)
    for year in member_years:
        cells = {a.cell_id for run in year.excused_runs for a in run}
        cells |= {a.cell_id for a in year.unexcused}
        for cell in cells:
            grouped[cell].append(year)
    return grouped
