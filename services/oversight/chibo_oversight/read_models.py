"""The service's SQL tables beside the event store.

- Its copy of `members.events` (units with effective-dated parents, members, positions) and of
  `meetings.events` (each meeting's cell and day, the guests of its latest roll call), written
  by the consumer with upserts only, so events of different streams may arrive in any order.
- Its own lists of assignments, visits and review cases, written in the same transaction as the
  events they summarise, so they never lag the event store.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from chibo_eventsourcing.sql.tables import PlumbingTables, define_plumbing

Id = sa.String(64)


@dataclass(frozen=True)
class Tables:
    plumbing: PlumbingTables
    units: sa.Table
    unit_parents: sa.Table
    unit_ends: sa.Table
    members: sa.Table
    positions: sa.Table
    position_ends: sa.Table
    meetings: sa.Table
    guests: sa.Table
    assignments: sa.Table
    visits: sa.Table
    reviews: sa.Table


TABLE_NAMES = {
    "units": "tree_units",
    "unit_parents": "tree_unit_parents",
    "unit_ends": "tree_unit_ends",
    "members": "tree_members",
    "positions": "tree_positions",
    "position_ends": "tree_position_ends",
    "meetings": "known_meetings",
    "guests": "roll_call_guests",
    "assignments": "assignment_list",
    "visits": "visit_list",
    "reviews": "review_list",
}


def define_tables(metadata: sa.MetaData) -> Tables:
    """The plumbing tables plus the oversight service's own, on one metadata (idempotent)."""
    plumbing = define_plumbing(metadata)
    if TABLE_NAMES["units"] not in metadata.tables:
        _tree(metadata)
        _meetings(metadata)
        _lists(metadata)
    t = metadata.tables
    return Tables(plumbing, **{name: t[table] for name, table in TABLE_NAMES.items()})


def upgrade(conn: sa.Connection, tables: Tables) -> None:
    """Bring rows written by earlier versions up to date (idempotent): a case closed as fixed
    was `closed` before its status followed DOMAIN.md CR-27's words."""
    t = tables.reviews
    conn.execute(sa.update(t).where(t.c.status == "closed", t.c.outcome == "fixed")
                 .values(status="fixed"))


def _tree(metadata: sa.MetaData) -> None:
    sa.Table(
        "tree_units", metadata,
        sa.Column("unit_id", Id, primary_key=True),
        sa.Column("code", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("created_on", sa.Date, nullable=False),
    )
    sa.Table(
        "tree_unit_parents", metadata,
        sa.Column("unit_id", Id, primary_key=True),
        sa.Column("effective_from", sa.Date, primary_key=True),
        sa.Column("parent_id", Id, index=True),
    )
    sa.Table(
        "tree_unit_ends", metadata,
        sa.Column("unit_id", Id, primary_key=True),
        sa.Column("ended_on", sa.Date, nullable=False),
        sa.Column("into_id", Id, index=True),
    )
    sa.Table(
        "tree_members", metadata,
        sa.Column("member_id", Id, primary_key=True),
        sa.Column("full_name", sa.String(300), nullable=False),
    )
    sa.Table(
        "tree_positions", metadata,
        sa.Column("position_id", Id, primary_key=True),
        sa.Column("member_id", Id, nullable=False, index=True),
        sa.Column("unit_id", Id, nullable=False),
        sa.Column("position", sa.String(100), nullable=False),
        sa.Column("from_date", sa.Date, nullable=False),
        sa.Column("to_date", sa.Date),
    )
    sa.Table(
        "tree_position_ends", metadata,
        sa.Column("position_id", Id, primary_key=True),
        sa.Column("last_day", sa.Date, nullable=False),
    )


def _meetings(metadata: sa.MetaData) -> None:
    sa.Table(
        "known_meetings", metadata,
        sa.Column("meeting_id", Id, primary_key=True),
        sa.Column("cell_id", Id, nullable=False),
        sa.Column("scheduled_on", sa.Date),
        sa.Column("held_on", sa.Date),
        sa.Column("cancelled", sa.Boolean),
    )
    sa.Table(
        "roll_call_guests", metadata,
        sa.Column("meeting_id", Id, primary_key=True),
        sa.Column("member_id", Id, primary_key=True),
        sa.Column("cell_id", Id, nullable=False),
        sa.Column("held_on", sa.Date, nullable=False),
        sa.Column("role", sa.String(100)),
        sa.Index("ix_roll_call_guests_member_day", "member_id", "held_on"),
    )


def _lists(metadata: sa.MetaData) -> None:
    sa.Table(
        "assignment_list", metadata,
        sa.Column("assignment_id", Id, primary_key=True),
        sa.Column("overseer_id", Id, nullable=False),
        sa.Column("unit_id", Id, nullable=False, index=True),
        sa.Column("position_basis", sa.String(64), nullable=False),
        sa.Column("position_unit_id", Id, nullable=False),
        sa.Column("position_id", Id),
        sa.Column("from_date", sa.Date, nullable=False),
        sa.Column("to_date", sa.Date),
        sa.Column("ended_on", sa.Date),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Index("ix_assignment_list_overseer_unit", "overseer_id", "unit_id"),
    )
    sa.Table(
        "visit_list", metadata,
        sa.Column("visit_id", Id, primary_key=True),
        sa.Column("overseer_id", Id, nullable=False),
        sa.Column("cell_id", Id, nullable=False, index=True),
        sa.Column("meeting_id", Id),
        sa.Column("visited_on", sa.Date, nullable=False),
        sa.Column("comments", sa.Text),
        sa.Column("issues", sa.JSON, nullable=False),
        sa.Column("follow_ups", sa.JSON, nullable=False),
        sa.Column("derived", sa.Boolean, nullable=False),
        sa.Column("counts_toward_quota", sa.Boolean, nullable=False),
        sa.Column("assignment_id", Id),
        sa.Column("position_basis", sa.String(64)),
        sa.Column("guest_role", sa.String(100)),
        sa.Column("version", sa.Integer, nullable=False),
        # One visit per overseer and meeting, whether recorded by hand or derived.
        sa.UniqueConstraint("overseer_id", "meeting_id", name="uq_visit_list_overseer_meeting"),
        sa.Index("ix_visit_list_overseer_day", "overseer_id", "visited_on"),
    )
    sa.Table(
        "review_list", metadata,
        sa.Column("review_id", Id, primary_key=True),
        sa.Column("cell_id", Id, nullable=False, index=True),
        sa.Column("period", sa.String(10), nullable=False),
        sa.Column("rule_ids", sa.JSON, nullable=False),
        sa.Column("reminded_on", sa.Date, nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("explanation", sa.Text),
        sa.Column("received_on", sa.Date),
        sa.Column("outcome", sa.String(20)),
        sa.Column("closed_on", sa.Date),
        sa.Column("closing_note", sa.Text),
        sa.Column("version", sa.Integer, nullable=False),
    )
