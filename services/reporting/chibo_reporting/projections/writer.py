"""Writes one folded batch: multi-row upserts, then the rows that follow from them.

Runs inside the consumer runner's transaction (with the offsets). Reads here only load the rows
the batch touched, by key, in chunks.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa

from chibo_contracts.canonical import canonical_json
from chibo_eventsourcing.sql.upsert import upsert
from chibo_reporting.projections import derived
from chibo_reporting.projections.batch import Batch, Patch, Row
from chibo_reporting.projections.meetings import finish
from chibo_reporting.read_models import ReadModel

JSON_COLUMNS = frozenset({"evidence", "overseer_notices", "rule_ids", "excused_runs", "unexcused"})
PATCHED = {"units": "unit_id", "members": "member_id", "exemptions": "exemption_id",
           "assignments": "assignment_id", "reviews": "review_id"}
NEWEST_ORDER = {"status": ("status_held_on", "status_position")}
CHUNK = 500


def _encode(row: Row) -> Row:
    return {k: canonical_json(v).decode("utf-8") if k in JSON_COLUMNS and v is not None else v
            for k, v in row.items()}


def _decode(row: Any) -> Row:
    values: Row = row._asdict()
    for key in JSON_COLUMNS.intersection(values):
        if values[key] is not None:
            values[key] = json.loads(values[key])
    return values


def select_in(conn: sa.Connection, table: sa.Table, column: str, values: Iterable[Any],
              *where: sa.ColumnElement[bool], columns: Sequence[str] = ()) -> list[Row]:
    """Rows (or just `columns` of them) whose `column` is one of `values`, JSON decoded."""
    wanted, found = sorted(set(values)), list[Row]()
    chosen: list[Any] = [table.c[c] for c in columns] or [table]
    for start in range(0, len(wanted), CHUNK):
        query = sa.select(*chosen).where(table.c[column].in_(wanted[start:start + CHUNK]), *where)
        found.extend(_decode(row) for row in conn.execute(query))
    return found


def delete_in(conn: sa.Connection, table: sa.Table, column: str, values: Iterable[Any],
              *where: sa.ColumnElement[bool]) -> None:
    wanted = sorted(set(values))
    for start in range(0, len(wanted), CHUNK):
        conn.execute(sa.delete(table).where(table.c[column].in_(wanted[start:start + CHUNK]),
                                            *where))


def _keys(table: sa.Table) -> list[str]:
    return [c.name for c in table.primary_key.columns]


def _store(conn: sa.Connection, table: sa.Table, rows: Sequence[Row]) -> None:
    upsert(conn, table, [_encode(r) for r in rows], _keys(table))


def _merge(conn: sa.Connection, table: sa.Table, patches: dict[str, Patch],
           extra: dict[str, Row] | None = None) -> list[Row]:
    """Stored rows with their patches (and `extra` computed columns) applied."""
    key = _keys(table)[0]
    extra = extra or {}
    stored = {r[key]: r for r in select_in(conn, table, key, {*patches, *extra})}
    blank = dict.fromkeys((c.name for c in table.columns), None)
    merged = []
    for key_value in sorted({*patches, *extra}):
        row = blank | stored.get(key_value, {}) | {key: key_value}
        row = patches.get(key_value, Patch()).merge(row, NEWEST_ORDER)
        merged.append(row | extra.get(key_value, {}))
    return merged


def write(batch: Batch, conn: sa.Connection, model: ReadModel) -> None:
    _positions(batch, conn, model)
    for name, rows in batch.rows.items():
        _store(conn, getattr(model, name), list(rows.values()))
    for name in PATCHED:
        if name in batch.patches:
            _store(conn, getattr(model, name), _merge(conn, getattr(model, name),
                                                      batch.patches[name]))
    if "tasks" in batch.patches:
        # A task cites its events in its own columns (adopted_event_id, status_event_id).
        tasks = _merge(conn, model.tasks, batch.patches["tasks"])
        _store(conn, model.tasks, [{k: v for k, v in t.items() if k != "evidence"} for t in tasks])
    _unit_spans(batch.touched_units, conn, model)
    _membership_spans(batch.touched_members, conn, model)
    attended = _attendance(batch, conn, model)
    _meetings(batch, attended, conn, model)
    _member_years(attended.member_years, conn, model)


def _positions(batch: Batch, conn: sa.Connection, model: ReadModel) -> None:
    stored = {r["source"]: r["position"]
              for r in select_in(conn, model.positions, "source", batch.positions)}
    rows = [{"source": s, "position": max(p, stored.get(s, 0))} for s, p in batch.positions.items()]
    _store(conn, model.positions, rows)


def _unit_spans(units: set[str], conn: sa.Connection, model: ReadModel) -> None:
    if not units:
        return
    stored = {r["unit_id"]: r for r in select_in(conn, model.units, "unit_id", units)}
    names, parents = _grouped(conn, model.unit_names, units), _grouped(conn, model.unit_parents,
                                                                         units)
    spans = [span for unit in sorted(units)
             for span in derived.unit_spans(unit, stored.get(unit), names[unit], parents[unit])]
    delete_in(conn, model.unit_spans, "unit_id", units)
    _store(conn, model.unit_spans, spans)


def _grouped(conn: sa.Connection, table: sa.Table, members: set[str],
             column: str = "unit_id") -> defaultdict[str, list[Row]]:
    grouped: defaultdict[str, list[Row]] = defaultdict(list)
    for row in select_in(conn, table, column, members):
        grouped[row[column]].append(row)
    return grouped


def _membership_spans(members: set[str], conn: sa.Connection, model: ReadModel) -> None:
    if not members:
        return
    cells = _grouped(conn, model.member_cells, members, "member_id")
    exemptions = _grouped(conn, model.exemptions, members, "member_id")
    attachments = _grouped(conn, model.attachments, members, "member_id")
    spans = [span for member in sorted(members)
             for span in derived.membership_spans(member, cells[member], exemptions[member],
                                                  attachments[member])]
    delete_in(conn, model.membership_spans, "member_id", members)
    _store(conn, model.membership_spans, spans)


class _Attended:
    """What the attendance step changed: meetings to refigure, member-years to recompute."""

    def __init__(self) -> None:
        self.meetings: set[str] = set()
        self.member_years: dict[str, set[int]] = defaultdict(set)

    def touch(self, row: Row) -> None:
        self.meetings.add(row["meeting_id"])
        self.member_years[row["member_id"]].add(row["held_on"].year)


def _attendance(batch: Batch, conn: sa.Connection, model: ReadModel) -> _Attended:
    attended = _Attended()
    table = model.attendance
    roll_members = {e["member_id"] for data, _ in batch.roll_calls.values()
                    for e in data["entries"]}
    exemptions = _grouped(conn, model.exemptions, roll_members | batch.exemption_changes,
                          "member_id")
    if batch.roll_calls:
        for old in select_in(conn, table, "meeting_id", batch.roll_calls):
            attended.touch(old)  # a member dropped by a correction needs recomputing too
        delete_in(conn, table, "meeting_id", batch.roll_calls)
        rows = [row for data, event_id in batch.roll_calls.values()
                for row in derived.attendance_rows(data, event_id, exemptions)]
        for row in rows:
            attended.touch(row)
        _store(conn, table, rows)
    changed = []
    for row in select_in(conn, table, "member_id", batch.exemption_changes):
        again = derived.reflag(row, exemptions[row["member_id"]])
        if again != row:
            changed.append(again)
            attended.touch(again)
    _store(conn, table, changed)
    return attended


def _meetings(batch: Batch, attended: _Attended, conn: sa.Connection, model: ReadModel) -> None:
    extra: dict[str, Row] = defaultdict(dict)
    exemption_evidence: dict[str, list[str]] = {}
    rows_by_meeting = _grouped(conn, model.attendance, attended.meetings, "meeting_id")
    for meeting in attended.meetings:
        figures = derived.meeting_figures(rows_by_meeting[meeting])
        exemption_evidence[meeting] = figures.pop("exemption_ids")
        extra[meeting] |= figures
    task_evidence: dict[str, list[str]] = {}
    tasks = _grouped(conn, model.tasks, batch.touched_resolutions, "meeting_id")
    for meeting in batch.touched_resolutions:
        counts = derived.task_counts(tasks[meeting])
        task_evidence[meeting] = counts.pop("evidence_ids")
        extra[meeting] |= counts
    patches = batch.patches.get("meetings", {})
    if not patches and not extra:
        return
    rows = []
    for row in _merge(conn, model.meetings, patches, extra):
        evidence = row["evidence"]
        if row["meeting_id"] in exemption_evidence:
            evidence["exemptions"] = exemption_evidence[row["meeting_id"]]
        if row["meeting_id"] in task_evidence:
            evidence["tasks"] = task_evidence[row["meeting_id"]]
        rows.append(finish(row | {"evidence": _tidy(evidence)}))
    _store(conn, model.meetings, rows)


def _tidy(evidence: dict[str, list[str]]) -> dict[str, list[str]]:
    return {role: ids for role, ids in sorted(evidence.items()) if ids}


def _member_years(pairs: dict[str, set[int]], conn: sa.Connection, model: ReadModel) -> None:
    if not pairs:
        return
    years = {year for wanted in pairs.values() for year in wanted}
    first, last = date(min(years), 1, 1), date(max(years), 12, 31)
    table = model.attendance
    rows = select_in(conn, table, "member_id", pairs, table.c.held_on.between(first, last),
                     columns=("member_id", "meeting_id", "cell_id", "held_on", "status",
                              "counted"))
    by_pair: defaultdict[tuple[str, int], list[Row]] = defaultdict(list)
    for row in rows:
        by_pair[(row["member_id"], row["held_on"].year)].append(row)
    facts = []
    for member in sorted(pairs):
        for year in sorted(years):
            runs, unexcused = derived.member_year(by_pair[(member, year)])
            if runs or unexcused:
                facts.append({"member_id": member, "year": year, "excused_runs": runs,
                              "unexcused": unexcused})
    delete_in(conn, model.member_years, "member_id", pairs,
              model.member_years.c.year.in_(sorted(years)))
    _store(conn, model.member_years, facts)
