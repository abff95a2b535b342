"""Writes one folded batch: multi-row upserts, then the rows that follow from them.

Runs inside the consumer runner's transaction (with the offsets). Reads here only load the rows
the batch touched, by key, in chunks, or come from what the writer remembers of its own earlier
batches (`Memory`). Every cell whose facts the batch changed gets a new stamp (and the tree,
rulebooks and assignments a shared one), which tells the query side's caches what to recompute.
"""

from __future__ import annotations

import json
import uuid
from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa

from chibo_contracts.canonical import canonical_json
from chibo_eventsourcing.sql.keys import one_of
from chibo_eventsourcing.sql.upsert import insert_new, upsert
from chibo_reporting.projections import derived
from chibo_reporting.projections.batch import Batch, Patch, Row
from chibo_reporting.projections.meetings import finish
from chibo_reporting.read_models import ReadModel

JSON_COLUMNS = frozenset({"evidence", "overseer_notices", "rule_ids", "excused_runs", "unexcused"})
PATCHED = {"units": "unit_id", "members": "member_id", "exemptions": "exemption_id",
           "assignments": "assignment_id", "reviews": "review_id"}
NEWEST_ORDER = {"status": ("status_held_on", "status_position")}
YEAR_COLUMNS = ("member_id", "meeting_id", "cell_id", "held_on", "status", "counted")
LAST_ABSENCE_COLUMNS = ("member_id", "year", "last_absence_on", "last_absence_meeting_id")


def _encoded(table: sa.Table, rows: Iterable[Row]) -> list[Row]:
    """`rows` with their JSON columns serialized (the rows themselves when the table has none:
    a batch's thousands of audit rows go through untouched)."""
    columns = JSON_COLUMNS.intersection(table.c.keys())
    if not columns:
        return list(rows)
    return [row | {k: canonical_json(row[k]).decode("utf-8")
                   for k in columns if row.get(k) is not None} for row in rows]


def _decoded(result: sa.CursorResult[Any]) -> Iterator[Row]:
    """The rows of `result` as dicts, JSON columns parsed. Zipping the column names once per
    result is several times cheaper than `Row._asdict` per row (a batch reads ~100,000)."""
    keys = list(result.keys())
    columns = JSON_COLUMNS.intersection(keys)
    for values in result:
        row = dict(zip(keys, values, strict=True))
        for key in columns:
            if row[key] is not None:
                row[key] = json.loads(row[key])
        yield row


def select_in(conn: sa.Connection, table: sa.Table, column: str, values: Iterable[Any],
              *where: sa.ColumnElement[bool], columns: Sequence[str] = ()) -> list[Row]:
    """Rows (or just `columns` of them) whose `column` is one of `values`, JSON decoded."""
    chosen: list[Any] = [table.c[c] for c in columns] or [table]
    return [row for condition in one_of(conn, table.c[column], values)
            for row in _decoded(conn.execute(sa.select(*chosen).where(condition, *where)))]


def delete_in(conn: sa.Connection, table: sa.Table, column: str, values: Iterable[Any],
              *where: sa.ColumnElement[bool]) -> None:
    for condition in one_of(conn, table.c[column], values):
        conn.execute(sa.delete(table).where(condition, *where))


def _keys(table: sa.Table) -> list[str]:
    return [c.name for c in table.primary_key.columns]


# Writing to these changes what every cell below (or every cell) is judged on.
SHARED = {"units": "tree", "unit_names": "tree", "unit_parents": "tree", "unit_spans": "tree",
          "rulebooks": "rulebooks", "assignments": "assignments"}


WRITER = "writer"  # the name of the stamp of the last batch written (see `Memory`)
LOAD_YEAR_FROM = 1_000  # member-years of one year in a batch from which the year is read whole
REMEMBERED_YEARS = 2


class Memory:
    """What a writer keeps between batches: the last absence of every member-year in the
    (at most `REMEMBERED_YEARS`) years it read whole, which a batch's roll calls would
    otherwise look up member by member. It holds only while the read model is as this writer
    left it: each batch stores its stamp under `WRITER`, and a writer whose stamp is not the
    one stored forgets everything (its last batch was rolled back, or another writer ran
    since: the runner storing a refused batch event by event, a model reset or replaced)."""

    def __init__(self) -> None:
        self.stamp: str | None = None
        self.last_absences: OrderedDict[int, dict[str, derived.Key]] = OrderedDict()

    def begin(self, stored: str | None) -> None:
        """A batch starts on a model whose `WRITER` stamp is `stored`."""
        if stored is None or stored != self.stamp:
            self.last_absences.clear()
        self.stamp = None  # until this batch's own stamp is written

    def remember_year(self, year: int, last_absences: dict[str, derived.Key]) -> None:
        self.last_absences[year] = last_absences
        while len(self.last_absences) > REMEMBERED_YEARS:
            self.last_absences.popitem(last=False)

    def stored(self, member_years: Iterable[Row], gone: Mapping[int, set[str]]) -> None:
        """A batch stored `member_years` and deleted those `gone` (members by year)."""
        for row in member_years:
            if row["year"] in self.last_absences:
                self.last_absences[row["year"]][row["member_id"]] = _last_absence(row)
        for year, members in gone.items():
            known = self.last_absences.get(year, {})
            for member in members:
                known.pop(member, None)


def write(batch: Batch, conn: sa.Connection, model: ReadModel, memory: Memory) -> None:
    _Writer(conn, model, memory).write(batch)


class _Writer:
    def __init__(self, conn: sa.Connection, model: ReadModel, memory: Memory) -> None:
        self.conn = conn
        self.model = model
        self.memory = memory
        self.cells: set[str] = set()  # cells whose facts changed
        self.shared: set[str] = set()  # shared stamps to renew
        self._shared_by = {getattr(model, name): stamp for name, stamp in SHARED.items()}

    def write(self, batch: Batch) -> None:
        model = self.model
        stamps = model.stamps
        self.memory.begin(self.conn.scalar(
            sa.select(stamps.c.stamp).where(stamps.c.name == WRITER)))
        self._positions(batch)
        for name, rows in batch.rows.items():
            self.store(getattr(model, name), list(rows.values()), new=name == "audit_events")
        for name, gone in batch.gone.items():
            self.delete(getattr(model, name), list(gone.values()))
        for name in PATCHED:
            if name in batch.patches:
                table = getattr(model, name)
                self.store(table, self.merge(table, batch.patches[name]))
        if "tasks" in batch.patches:
            # A task cites its events in its own columns (adopted_event_id, status_event_id).
            tasks = self.merge(model.tasks, batch.patches["tasks"])
            self.store(model.tasks, [{k: v for k, v in t.items() if k != "evidence"}
                                     for t in tasks])
        self._unit_spans(batch.touched_units)
        self._membership_spans(batch.touched_members)
        meetings = self.read(model.meetings, batch.patches.get("meetings", {}))
        attended = self._attendance(batch, meetings)
        self._meetings(batch, attended, meetings)
        self._member_years(attended.member_years)
        self._stamp()

    def store(self, table: sa.Table, rows: Sequence[Row], *, new: bool = False) -> None:
        """Upsert `rows`, or insert them when they are `new` (the runner never applies an
        event twice, so an event's audit row or a roll call's fresh entries are new)."""
        if not rows:
            return
        encoded = _encoded(table, rows)
        if new:
            insert_new(self.conn, table, encoded)
        else:
            upsert(self.conn, table, encoded, _keys(table))
        self._touched(table, rows)

    def delete(self, table: sa.Table, rows: Sequence[Row]) -> None:
        """Delete the rows named by their (single-column) key."""
        [key] = _keys(table)
        delete_in(self.conn, table, key, [r[key] for r in rows])
        self._touched(table, rows)

    def _touched(self, table: sa.Table, rows: Iterable[Row]) -> None:
        if table in self._shared_by:
            self.shared.add(self._shared_by[table])
        elif "cell_id" in table.c:
            self.cells.update(r["cell_id"] for r in rows if r.get("cell_id"))

    def _stamp(self) -> None:
        stamp = uuid.uuid4().hex
        model = self.model
        upsert(self.conn, model.cell_stamps,
               [{"cell_id": c, "stamp": stamp} for c in sorted(self.cells)], ["cell_id"])
        upsert(self.conn, model.stamps,
               [{"name": n, "stamp": stamp} for n in sorted({*self.shared, WRITER})], ["name"])
        self.memory.stamp = stamp

    def read(self, table: sa.Table, keys: Iterable[str]) -> dict[str, Row | None]:
        """The stored row of each of `keys` (None where there is none yet)."""
        key = _keys(table)[0]
        wanted = set(keys)
        found = {r[key]: r for r in select_in(self.conn, table, key, wanted)}
        return {k: found.get(k) for k in wanted}

    def merge(self, table: sa.Table, patches: dict[str, Patch],
              extra: dict[str, Row] | None = None,
              read: dict[str, Row | None] | None = None) -> list[Row]:
        """Stored rows with their patches (and `extra` computed columns) applied; the keys
        `read` already holds are not read again."""
        key = _keys(table)[0]
        extra = extra or {}
        wanted = {*patches, *extra}
        known = {k: v for k, v in (read or {}).items() if k in wanted}
        stored = known | self.read(table, wanted - known.keys())
        # The cell a row was stored under changes too when a patch moves it elsewhere.
        if "cell_id" in table.c:
            self.cells.update(r["cell_id"] for r in stored.values() if r and r.get("cell_id"))
        blank = dict.fromkeys((c.name for c in table.columns), None)
        merged = []
        for key_value in sorted(wanted):
            row = blank | (stored[key_value] or {}) | {key: key_value}
            row = patches.get(key_value, Patch()).merge(row, NEWEST_ORDER)
            merged.append(row | extra.get(key_value, {}))
        return merged

    def _positions(self, batch: Batch) -> None:
        model = self.model
        stored = {r["source"]: r["position"]
                  for r in select_in(self.conn, model.positions, "source", batch.positions)}
        self.store(model.positions, [{"source": s, "position": max(p, stored.get(s, 0))}
                                     for s, p in batch.positions.items()])

    def _grouped(self, table: sa.Table, keys: set[str],
                 column: str = "unit_id") -> defaultdict[str, list[Row]]:
        grouped: defaultdict[str, list[Row]] = defaultdict(list)
        for row in select_in(self.conn, table, column, keys):
            grouped[row[column]].append(row)
        return grouped

    def _exemptions_of(self, members: set[str]) -> defaultdict[str, list[Row]]:
        """The exemptions of `members` (and maybe others), by member. A catching-up batch's
        roll calls name tens of thousands of members, few of whom have exemptions: once the
        names outnumber the table's rows, reading the table is cheaper than sending them."""
        table = self.model.exemptions
        on_record = self.conn.scalar(sa.select(sa.func.count()).select_from(table)) or 0
        if len(members) <= on_record:
            return self._grouped(table, members, "member_id")
        grouped: defaultdict[str, list[Row]] = defaultdict(list)
        for row in _decoded(self.conn.execute(sa.select(table))):
            grouped[row["member_id"]].append(row)
        return grouped

    def _unit_spans(self, units: set[str]) -> None:
        if not units:
            return
        model = self.model
        stored = {r["unit_id"]: r for r in select_in(self.conn, model.units, "unit_id", units)}
        names, parents = self._grouped(model.unit_names, units), self._grouped(
            model.unit_parents, units)
        spans = [span for unit in sorted(units)
                 for span in derived.unit_spans(unit, stored.get(unit), names[unit],
                                                parents[unit])]
        delete_in(self.conn, model.unit_spans, "unit_id", units)
        self.shared.add("tree")  # spans were deleted, even if none are written back
        self.store(model.unit_spans, spans)

    def _membership_spans(self, members: set[str]) -> None:
        if not members:
            return
        model = self.model
        cells = self._grouped(model.member_cells, members, "member_id")
        exemptions = self._grouped(model.exemptions, members, "member_id")
        attachments = self._grouped(model.attachments, members, "member_id")
        spans = [span for member in sorted(members)
                 for span in derived.membership_spans(member, cells[member], exemptions[member],
                                                      attachments[member])]
        delete_in(self.conn, model.membership_spans, "member_id", members)
        # Spans are not among what the rules read; no cell stamp for them.
        upsert(self.conn, model.membership_spans, _encoded(model.membership_spans, spans),
               _keys(model.membership_spans))

    def _attendance(self, batch: Batch, meetings: dict[str, Row | None]) -> _Attended:
        """The roll calls' entries, replacing those of the meetings' earlier roll calls (the
        stored `meetings` say which have one), and the rows an exemption change reflags."""
        attended = _Attended()
        table = self.model.attendance
        roll_members = {e["member_id"] for data, _ in batch.roll_calls.values()
                        for e in data["entries"]}
        exemptions = self._exemptions_of(roll_members | batch.exemption_changes)
        if batch.roll_calls:
            corrected = {m for m in batch.roll_calls if (meetings[m] or {}).get("roll_call")}
            for old in select_in(self.conn, table, "meeting_id", corrected):
                attended.drop(old)  # a member dropped by a correction needs recomputing too
            delete_in(self.conn, table, "meeting_id", corrected)
            rows = [row for data, event_id in batch.roll_calls.values()
                    for row in derived.attendance_rows(data, event_id, exemptions)]
            attended.replaced.update((meeting, {}) for meeting in batch.roll_calls)
            for row in rows:
                attended.put(row)
            self.store(table, rows, new=True)  # the meetings' earlier rows were just deleted
        changed = []
        for row in select_in(self.conn, table, "member_id", batch.exemption_changes):
            again = derived.reflag(row, exemptions[row["member_id"]])
            if again != row:
                changed.append(again)
                attended.drop(row)
                attended.put(again)
        self.store(table, changed)
        return attended

    def _meetings(self, batch: Batch, attended: _Attended,
                  read: dict[str, Row | None]) -> None:
        model = self.model
        extra: dict[str, Row] = defaultdict(dict)
        exemption_evidence: dict[str, list[str]] = {}
        stored = self._grouped(model.attendance, attended.meetings - attended.replaced.keys(),
                               "meeting_id")
        for meeting in attended.meetings:
            replaced = attended.replaced.get(meeting)
            figures = derived.meeting_figures(
                stored[meeting] if replaced is None else replaced.values())
            exemption_evidence[meeting] = figures.pop("exemption_ids")
            extra[meeting] |= figures
        task_evidence: dict[str, list[str]] = {}
        tasks = self._grouped(model.tasks, batch.touched_resolutions, "meeting_id")
        for meeting in batch.touched_resolutions:
            counts = derived.task_counts(tasks[meeting])
            task_evidence[meeting] = counts.pop("evidence_ids")
            extra[meeting] |= counts
        patches = batch.patches.get("meetings", {})
        if not patches and not extra:
            return
        rows = []
        for row in self.merge(model.meetings, patches, extra, read):
            evidence = row["evidence"]
            if row["meeting_id"] in exemption_evidence:
                evidence["exemptions"] = exemption_evidence[row["meeting_id"]]
            if row["meeting_id"] in task_evidence:
                evidence["tasks"] = task_evidence[row["meeting_id"]]
            rows.append(finish(row | {"evidence": _tidy(evidence)}))
        self.store(model.meetings, rows)

    def _member_years(self, changes: dict[tuple[str, int], dict[str, list[Row | None]]]) -> None:
        """Recomputes the runs and unexcused absences of the member-years whose changes may
        move them, from their attendance rows — those from the point `derived.resume` finds
        on, which in a year's usual order is the batch's own rows (or the member's last
        absence); a member-year keeps a row only while it has a counted absence."""
        if not changes:
            return
        table = self.model.member_years
        in_years = table.c.year.in_(sorted({year for _, year in changes}))
        last = self._last_absences(changes.keys())
        moving = [key for key, changed in sorted(changes.items())
                  if derived.may_change_runs(changed.values(), last.get(key))]
        if not moving:
            return
        stored = {(r["member_id"], r["year"]): r
                  for r in select_in(self.conn, table, "member_id",
                                     {m for m, y in moving if (m, y) in last}, in_years)}
        again = {key: derived.resume(stored.get(key), changes[key].values()) for key in moving}
        entries = self._attendance_from({key: start for key, (start, _) in again.items()})
        rows: list[Row] = []
        gone = defaultdict[int, set[str]](set)
        for (member, year), (_, folded) in again.items():
            runs, unexcused = derived.member_year(entries[(member, year)], folded)
            absences = sum(len(r) for r in runs) + len(unexcused)
            if absences:
                row = {"member_id": member, "year": year, "absences": absences,
                       "excused_runs": runs, "unexcused": unexcused}
                latest = derived.last_absence(row)
                assert latest is not None  # it has absences
                rows.append(row | {"last_absence_on": date.fromisoformat(latest[0]),
                                   "last_absence_meeting_id": latest[1]})
            elif (member, year) in stored:
                gone[year].add(member)
            # Every cell with an absence in the member-year may be judged differently now (a
            # run's last absence answers for it). An absence only leaves the member-year when
            # its own row changed, which stamped its cell already.
            for absences_of in (*runs, unexcused):
                self.cells.update(a[1] for a in absences_of)
        for year, members in gone.items():
            delete_in(self.conn, table, "member_id", members, table.c.year == year)
        upsert(self.conn, table, _encoded(table, rows), _keys(table))
        self.memory.stored(rows, gone)

    def _last_absences(self, member_years: Iterable[tuple[str, int]]
                       ) -> dict[tuple[str, int], derived.Key]:
        """The last absence of each of `member_years` that has one: from memory, for a year
        this batch touches `LOAD_YEAR_FROM` times or more read whole first."""
        table, memory = self.model.member_years, self.memory.last_absences
        by_year: defaultdict[int, set[str]] = defaultdict(set)
        for member, year in member_years:
            by_year[year].add(member)
        last: dict[tuple[str, int], derived.Key] = {}
        for year, members in sorted(by_year.items()):
            if year not in memory and len(members) >= LOAD_YEAR_FROM:
                statement = sa.select(*(table.c[c] for c in LAST_ABSENCE_COLUMNS)).where(
                    table.c.year == year)
                self.memory.remember_year(year, {r.member_id: _last_absence(r._mapping)
                                                 for r in self.conn.execute(statement)})
            if year in memory:
                memory.move_to_end(year)
                known = memory[year]
                last.update(((m, year), known[m]) for m in members if m in known)
                continue
            last.update(((r["member_id"], year), _last_absence(r))
                        for r in select_in(self.conn, table, "member_id", members,
                                           table.c.year == year, columns=LAST_ABSENCE_COLUMNS))
        return last

    def _attendance_from(self, starts: dict[tuple[str, int], derived.Key | None]
                         ) -> defaultdict[tuple[str, int], list[Row]]:
        """Each member-year's attendance rows from its start key on (all of its year's for
        None): read per month the starts fall in, since a statement per member would cost
        more than the days of rows it saves."""
        by_month: defaultdict[date, set[str]] = defaultdict(set)
        for (member, year), start in starts.items():
            day = date.fromisoformat(start[0]) if start else date(year, 1, 1)
            by_month[day.replace(day=1)].add(member)
        attendance = self.model.attendance
        entries: defaultdict[tuple[str, int], list[Row]] = defaultdict(list)
        for month, members in sorted(by_month.items()):
            for row in select_in(self.conn, attendance, "member_id", members,
                                 attendance.c.held_on.between(month, date(month.year, 12, 31)),
                                 columns=YEAR_COLUMNS):
                key = (row["member_id"], month.year)
                start = starts[key]
                if start is None or derived.row_key(row) >= start:
                    entries[key].append(row)
        return entries


class _Attended:
    """What the attendance step changed: the meetings to refigure (with all their rows when a
    roll call of the batch replaced them), and per member-year and meeting the row before the
    batch and the row now (either None)."""

    def __init__(self) -> None:
        self.meetings: set[str] = set()
        self.replaced: dict[str, dict[str, Row]] = {}
        self.member_years: defaultdict[tuple[str, int], dict[str, list[Row | None]]] = (
            defaultdict(dict))

    def drop(self, row: Row) -> None:
        self.meetings.add(row["meeting_id"])
        # The first row seen for a meeting is the one stored before the batch.
        self.member_years[(row["member_id"], row["held_on"].year)].setdefault(
            row["meeting_id"], [row, None])

    def put(self, row: Row) -> None:
        self.meetings.add(row["meeting_id"])
        if row["meeting_id"] in self.replaced:
            self.replaced[row["meeting_id"]][row["member_id"]] = row
        self.member_years[(row["member_id"], row["held_on"].year)].setdefault(
            row["meeting_id"], [None, None])[1] = row


def _last_absence(row: Mapping[Any, Any]) -> derived.Key:
    return row["last_absence_on"].isoformat(), row["last_absence_meeting_id"]


def _tidy(evidence: dict[str, list[str]]) -> dict[str, list[str]]:
    return {role: ids for role, ids in sorted(evidence.items()) if ids}
