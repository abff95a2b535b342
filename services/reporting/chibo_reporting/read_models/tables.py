"""The read models: SQLAlchemy Core tables in reporting's own database (SQLite or PostgreSQL).

Conventions: days are `Date`; spans are half-open [valid_from, valid_to) with a null `valid_to`
for open-ended; JSON columns hold canonical JSON (sorted keys) so that a rebuilt model is
byte-identical; `evidence` is `{role: [event ids]}`, the events each row rests on.
A `prefix` gives a second, independent set of tables (a replay beside the live model).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from typing import Any

import sqlalchemy as sa

from chibo_eventsourcing.sql.tables import Position

Id = sa.String(64)
Json = sa.Text
Name = sa.String(300)


class _IsoDay(sa.types.TypeDecorator[date]):
    """SQLite keeps days as ISO text; parsing them with `date.fromisoformat` is several times
    faster than the generic Date processor, which matters when a roll-up reads 100,000 rows."""

    impl = sa.String(10)
    cache_ok = True

    def process_bind_param(self, value: date | None, dialect: sa.Dialect) -> str | None:
        return None if value is None else value.isoformat()

    def process_result_value(self, value: str | None, dialect: sa.Dialect) -> date | None:
        return None if value is None else date.fromisoformat(value)


Day = sa.Date().with_variant(_IsoDay(), "sqlite")


@dataclass(frozen=True)
class ReadModel:
    audit_events: sa.Table
    positions: sa.Table
    units: sa.Table
    unit_names: sa.Table
    unit_parents: sa.Table
    unit_spans: sa.Table
    members: sa.Table
    member_cells: sa.Table
    exemptions: sa.Table
    attachments: sa.Table
    membership_spans: sa.Table
    meetings: sa.Table
    attendance: sa.Table
    tasks: sa.Table
    member_years: sa.Table
    assignments: sa.Table
    visits: sa.Table
    withdrawn_visits: sa.Table
    reviews: sa.Table
    rulebooks: sa.Table
    cell_stamps: sa.Table
    stamps: sa.Table

    def all(self) -> list[sa.Table]:
        return [getattr(self, f.name) for f in fields(self)]

    def facts(self) -> dict[str, sa.Table]:
        """The tables a replay must reproduce exactly: all but the stamps, which only tell
        the query side's caches what changed (their values differ from one run to another)."""
        return {f.name: getattr(self, f.name) for f in fields(self)
                if f.name not in ("cell_stamps", "stamps")}


def define_read_model(metadata: sa.MetaData, prefix: str = "") -> ReadModel:
    """The read-model tables on `metadata`, named `<prefix><name>` (defined once per metadata)."""
    if f"{prefix}units" in metadata.tables:
        return ReadModel(*(metadata.tables[f"{prefix}{f.name}"] for f in fields(ReadModel)))

    def table(name: str, *columns: Any) -> sa.Table:
        return sa.Table(f"{prefix}{name}", metadata, *columns)

    def index(name: str, *columns: str) -> sa.Index:
        return sa.Index(f"ix_{prefix}{name}", *columns)

    model = ReadModel(
        audit_events=table(
            "audit_events",
            # An event is known by its place in its stream (what a stream's history and the
            # verification of a source read in order); its id needs no index of its own.
            sa.Column("source", sa.String(40), primary_key=True),
            sa.Column("stream_id", sa.String(200), primary_key=True),
            sa.Column("stream_version", sa.Integer, primary_key=True, autoincrement=False),
            sa.Column("event_id", sa.String(36), nullable=False),
            sa.Column("type", sa.String(200), nullable=False),
            sa.Column("position", Position),
            sa.Column("time", sa.String(40), nullable=False),
            sa.Column("actor", sa.String(200), nullable=False),
            sa.Column("correlation_id", sa.String(100), nullable=False),
            sa.Column("causation_id", sa.String(100)),
            sa.Column("subject", sa.String(200)),
            sa.Column("schema_version", sa.Integer, nullable=False),
            sa.Column("specversion", sa.String(10), nullable=False),
            sa.Column("data", Json, nullable=False),
            sa.Column("prev_hash", sa.String(64), nullable=False),
            sa.Column("hash", sa.String(64), nullable=False),
            index("audit_position", "source", "position"),
        ),
        positions=table(
            "positions",
            sa.Column("source", sa.String(40), primary_key=True),
            sa.Column("position", Position, nullable=False),
        ),
        units=table(
            "units",
            sa.Column("unit_id", Id, primary_key=True),
            sa.Column("code", sa.String(100)),
            sa.Column("kind", sa.String(40)),
            sa.Column("created_on", Day),
            sa.Column("ended_on", Day),
            sa.Column("end_kind", sa.String(20)),
            sa.Column("into_id", Id),
            sa.Column("evidence", Json),
        ),
        unit_names=table(
            "unit_names",
            sa.Column("unit_id", Id, primary_key=True),
            sa.Column("effective_from", Day, primary_key=True),
            sa.Column("name", Name, nullable=False),
            sa.Column("event_id", sa.String(36), nullable=False),
        ),
        unit_parents=table(
            "unit_parents",
            sa.Column("unit_id", Id, primary_key=True),
            sa.Column("effective_from", Day, primary_key=True),
            sa.Column("parent_id", Id),
            sa.Column("event_id", sa.String(36), nullable=False),
        ),
        unit_spans=table(
            "unit_spans",
            sa.Column("unit_id", Id, primary_key=True),
            sa.Column("valid_from", Day, primary_key=True),
            sa.Column("valid_to", Day),
            sa.Column("parent_id", Id),
            sa.Column("name", Name),
            sa.Column("kind", sa.String(40)),
            sa.Column("evidence", Json, nullable=False),
            index("unit_spans_parent", "parent_id"),
        ),
        members=table(
            "members",
            sa.Column("member_id", Id, primary_key=True),
            sa.Column("full_name", Name),
            sa.Column("code", sa.String(100)),
            sa.Column("admitted_on", Day),
            sa.Column("evidence", Json),
        ),
        member_cells=table(
            "member_cells",
            sa.Column("member_id", Id, primary_key=True),
            sa.Column("effective_from", Day, primary_key=True),
            sa.Column("cell_id", Id),
            sa.Column("change", sa.String(20), nullable=False),
            sa.Column("event_id", sa.String(36), nullable=False),
        ),
        exemptions=table(
            "exemptions",
            sa.Column("exemption_id", Id, primary_key=True),
            sa.Column("member_id", Id),
            sa.Column("from_date", Day),
            sa.Column("to_date", Day),
            sa.Column("ended_on", Day),
            sa.Column("reason", sa.Text),
            sa.Column("decision_ref", sa.String(200)),
            sa.Column("evidence", Json),
            index("exemptions_member", "member_id"),
        ),
        attachments=table(
            "attachments",
            sa.Column("attachment_id", Id, primary_key=True),
            sa.Column("member_id", Id, nullable=False),
            sa.Column("cell_id", Id, nullable=False),
            sa.Column("from_date", Day, nullable=False),
            sa.Column("to_date", Day),
            sa.Column("event_id", sa.String(36), nullable=False),
            index("attachments_member", "member_id"),
        ),
        membership_spans=table(
            "membership_spans",
            sa.Column("member_id", Id, primary_key=True),
            sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
            sa.Column("role", sa.String(20), nullable=False),  # member, attached, exempted
            sa.Column("cell_id", Id),
            sa.Column("valid_from", Day, nullable=False),
            sa.Column("valid_to", Day),
            sa.Column("event_id", sa.String(36), nullable=False),
            index("membership_spans_cell", "cell_id", "valid_from"),
        ),
        meetings=table(
            "meetings",
            sa.Column("meeting_id", Id, primary_key=True),
            sa.Column("cell_id", Id),
            sa.Column("kind", sa.String(20)),
            sa.Column("status", sa.String(20)),
            sa.Column("topic", sa.Text),
            sa.Column("scheduled_on", Day),
            sa.Column("reschedules", sa.Integer),
            sa.Column("reschedule_reason", sa.Text),
            sa.Column("cancelled_on", Day),
            sa.Column("cancel_reason", sa.Text),
            sa.Column("held_on", Day),
            sa.Column("started_at", sa.String(40)),
            sa.Column("ended_at", sa.String(40)),
            sa.Column("duration_minutes", sa.Integer),
            sa.Column("place", sa.Text),
            sa.Column("parts", sa.Integer),
            sa.Column("before_doc_on", Day),
            sa.Column("after_doc_on", Day),
            sa.Column("members_notified_on", Day),
            sa.Column("overseer_notices", Json),  # {overseer id: earliest day notified}
            sa.Column("roll_call", sa.Boolean),
            sa.Column("corrections", sa.Integer),
            # As the roll call recorded them:
            sa.Column("recorded_required", sa.Integer),
            sa.Column("recorded_present", sa.Integer),
            sa.Column("recorded_absent_excused", sa.Integer),
            sa.Column("recorded_absent_unexcused", sa.Integer),
            sa.Column("recorded_exempted_present", sa.Integer),
            # On the required base with every exemption on record left out (CR-17):
            sa.Column("required", sa.Integer),
            sa.Column("present", sa.Integer),
            sa.Column("absent_excused", sa.Integer),
            sa.Column("absent_unexcused", sa.Integer),
            sa.Column("exempted_present", sa.Integer),
            sa.Column("exempted_miscounted", sa.Integer),
            sa.Column("resolution", sa.Boolean),
            sa.Column("votes_for", sa.Integer),
            sa.Column("votes_against", sa.Integer),
            sa.Column("votes_abstain", sa.Integer),
            sa.Column("voting_base", sa.Integer),
            sa.Column("tasks_total", sa.Integer),
            sa.Column("tasks_done", sa.Integer),
            sa.Column("tasks_dropped", sa.Integer),
            sa.Column("rubric", sa.String(64)),
            sa.Column("self_total", sa.Float),
            sa.Column("self_max", sa.Float),
            sa.Column("self_score", sa.Float),
            sa.Column("self_grade", sa.String(20)),
            sa.Column("assessed_on", Day),
            sa.Column("confirmed_total", sa.Float),
            sa.Column("confirmed_score", sa.Float),
            sa.Column("confirmed_grade", sa.String(20)),
            sa.Column("confirmed_on", Day),
            sa.Column("evidence", Json),
            index("meetings_cell_held", "cell_id", "held_on"),
            index("meetings_held", "held_on"),
        ),
        attendance=table(
            "attendance",
            sa.Column("meeting_id", Id, primary_key=True),
            sa.Column("member_id", Id, primary_key=True),
            sa.Column("cell_id", Id, nullable=False),
            sa.Column("held_on", Day, nullable=False),
            sa.Column("status", sa.String(20), nullable=False),
            sa.Column("reason", sa.Text),
            sa.Column("in_base", sa.Boolean, nullable=False),  # in the roll call's required base
            sa.Column("attached", sa.Boolean, nullable=False),
            sa.Column("rc_exempted", sa.Boolean, nullable=False),  # exempted per the roll call
            sa.Column("exemption_event_id", sa.String(36)),  # exempted per the record that day
            sa.Column("counted", sa.Boolean, nullable=False),
            sa.Column("event_id", sa.String(36), nullable=False),
            index("attendance_member", "member_id", "held_on"),
        ),
        tasks=table(
            "tasks",
            sa.Column("task_id", Id, primary_key=True),
            sa.Column("meeting_id", Id),
            sa.Column("cell_id", Id),
            sa.Column("owner_id", Id),
            sa.Column("due_on", Day),
            sa.Column("adopted_event_id", sa.String(36)),
            sa.Column("status", sa.String(20)),
            sa.Column("status_held_on", Day),
            sa.Column("status_position", Position),
            sa.Column("reported_meeting_id", Id),
            sa.Column("status_event_id", sa.String(36)),
            index("tasks_meeting", "meeting_id"),
        ),
        member_years=table(
            "member_years",
            sa.Column("member_id", Id, primary_key=True),
            sa.Column("year", sa.Integer, primary_key=True, autoincrement=False),
            # Only member-years with a counted absence have a row; a roll call that can't move
            # their runs (a presence after the last absence) leaves it alone.
            sa.Column("absences", sa.Integer, nullable=False),  # counted entries not present
            sa.Column("excused_runs", Json, nullable=False),
            sa.Column("unexcused", Json, nullable=False),
            # The last absence of the two lists: what tells whether a roll call may move the
            # runs, read for every member-year a batch touches, without decoding the lists.
            sa.Column("last_absence_on", Day, nullable=False),
            sa.Column("last_absence_meeting_id", Id, nullable=False),
            index("member_years_year", "year", "absences"),
        ),
        assignments=table(
            "assignments",
            sa.Column("assignment_id", Id, primary_key=True),
            sa.Column("overseer_id", Id),
            sa.Column("unit_id", Id),
            sa.Column("position_basis", sa.String(64)),
            sa.Column("position_unit_id", Id),
            sa.Column("from_date", Day),
            sa.Column("to_date", Day),
            sa.Column("ended_on", Day),
            sa.Column("evidence", Json),
            index("assignments_unit", "unit_id"),
            index("assignments_overseer", "overseer_id"),
        ),
        visits=table(
            "visits",
            sa.Column("visit_id", Id, primary_key=True),
            sa.Column("overseer_id", Id, nullable=False),
            sa.Column("cell_id", Id, nullable=False),
            sa.Column("meeting_id", Id),
            sa.Column("visited_on", Day, nullable=False),
            sa.Column("counts_toward_quota", sa.Boolean, nullable=False),
            sa.Column("derived", sa.Boolean, nullable=False),
            sa.Column("assignment_id", Id),
            sa.Column("position_basis", sa.String(64)),
            sa.Column("event_id", sa.String(36), nullable=False),
            index("visits_cell", "cell_id", "visited_on"),
            index("visits_overseer", "overseer_id", "visited_on"),
        ),
        # A withdrawn visit counts no more, but its stream is still in the audit trail and is
        # placed by its cell and day (`queries.subjects`).
        withdrawn_visits=table(
            "withdrawn_visits",
            sa.Column("visit_id", Id, primary_key=True),
            sa.Column("cell_id", Id, nullable=False),
            sa.Column("visited_on", Day, nullable=False),
        ),
        reviews=table(
            "reviews",
            sa.Column("review_id", Id, primary_key=True),
            sa.Column("cell_id", Id),
            sa.Column("period", sa.String(20)),
            sa.Column("rule_ids", Json),
            sa.Column("reminded_on", Day),
            sa.Column("explanation", sa.Text),
            sa.Column("explained_on", Day),
            sa.Column("outcome", sa.Text),
            sa.Column("closed_on", Day),
            sa.Column("evidence", Json),
            index("reviews_cell", "cell_id", "period"),
        ),
        rulebooks=table(
            "rulebooks",
            sa.Column("rulebook_id", Id, primary_key=True),
            sa.Column("unit_id", Id, nullable=False),
            sa.Column("version", sa.Integer, nullable=False),
            sa.Column("effective_from", Day, nullable=False),
            sa.Column("name", Name),
            sa.Column("parameters", Json, nullable=False),
            sa.Column("event_id", sa.String(36), nullable=False),
            sa.Column("published_at", sa.String(40), nullable=False),
            sa.UniqueConstraint("unit_id", "version", name=f"uq_{prefix}rulebooks_unit_version"),
        ),
        # Cache validators: a cell's stamp changes whenever a batch changes a fact the cell's
        # rules read (its meetings, attendance, member-years, visits, reviews); the shared
        # stamps ("tree", "rulebooks", "assignments") whenever those change; "writer" with
        # every batch (what the projection's writer remembers holds only under its own stamp).
        cell_stamps=table(
            "cell_stamps",
            sa.Column("cell_id", Id, primary_key=True),
            sa.Column("stamp", sa.String(32), nullable=False),
        ),
        stamps=table(
            "stamps",
            sa.Column("name", sa.String(40), primary_key=True),
            sa.Column("stamp", sa.String(32), nullable=False),
        ),
    )
    # Only the counted absences, by cell: what a report reads to find the member-years its
    # cells answer for. An index of every entry by cell made each roll call's COPY dearer for
    # rows no query reads by cell.
    attendance, absences = model.attendance, counted_absences(model.attendance)
    sa.Index(f"ix_{prefix}attendance_absences", attendance.c.cell_id, attendance.c.held_on,
             postgresql_where=absences, sqlite_where=absences)
    return model


def counted_absences(attendance: sa.Table) -> sa.ColumnElement[bool]:
    """The attendance entries that are counted absences. A query that states this condition
    as it is written here can use the partial index above (its value is in the text, not a
    parameter, so that a plan PostgreSQL keeps for a prepared statement can use it too)."""
    return sa.and_(attendance.c.counted.is_(True),
                   attendance.c.status != sa.literal_column("'present'"))
