"""The service's SQL tables beside the event store: its copy of the roll, and the meeting list.

The roll is effective-dated and written with upserts only, so events of different streams may
arrive in any order: a member's cell on a day is the placement with the latest `effective_from`
on or before it (a null cell means the member had left); a unit merged into another hands its
members and children to it from `ended_on`.
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
    placements: sa.Table
    statuses: sa.Table
    exemptions: sa.Table
    exemption_ends: sa.Table
    attachments: sa.Table
    meetings: sa.Table
    tasks: sa.Table


TABLE_NAMES = {
    "units": "roster_units",
    "unit_parents": "roster_unit_parents",
    "unit_ends": "roster_unit_ends",
    "members": "roster_members",
    "placements": "roster_placements",
    "statuses": "roster_statuses",
    "exemptions": "roster_exemptions",
    "exemption_ends": "roster_exemption_ends",
    "attachments": "roster_attachments",
    "meetings": "meeting_list",
    "tasks": "meeting_tasks",
}


def define_tables(metadata: sa.MetaData) -> Tables:
    """The plumbing tables plus the meetings service's own, on one metadata (idempotent)."""
    plumbing = define_plumbing(metadata)
    if TABLE_NAMES["units"] not in metadata.tables:
        _roster(metadata)
        _meeting_list(metadata)
    t = metadata.tables
    return Tables(plumbing, **{field: t[name] for field, name in TABLE_NAMES.items()})


def _roster(metadata: sa.MetaData) -> None:
    sa.Table(
        "roster_units", metadata,
        sa.Column("unit_id", Id, primary_key=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("created_on", sa.Date, nullable=False),
    )
    sa.Table(
        "roster_unit_parents", metadata,
        sa.Column("unit_id", Id, primary_key=True),
        sa.Column("effective_from", sa.Date, primary_key=True),
        sa.Column("parent_id", Id),
    )
    sa.Table(
        "roster_unit_ends", metadata,
        sa.Column("unit_id", Id, primary_key=True),
        sa.Column("ended_on", sa.Date, nullable=False),
        sa.Column("into_id", Id, index=True),
    )
    sa.Table(
        "roster_members", metadata,
        sa.Column("member_id", Id, primary_key=True),
        sa.Column("full_name", sa.String(300), nullable=False),
    )
    sa.Table(
        "roster_placements", metadata,
        sa.Column("member_id", Id, primary_key=True),
        sa.Column("effective_from", sa.Date, primary_key=True),
        sa.Column("cell_id", Id, index=True),
    )
    sa.Table(
        "roster_statuses", metadata,
        sa.Column("member_id", Id, primary_key=True),
        sa.Column("effective_from", sa.Date, primary_key=True),
        sa.Column("status", sa.String(20), nullable=False),
    )
    sa.Table(
        "roster_exemptions", metadata,
        sa.Column("exemption_id", Id, primary_key=True),
        sa.Column("member_id", Id, nullable=False, index=True),
        sa.Column("from_date", sa.Date, nullable=False),
        sa.Column("to_date", sa.Date),
    )
    sa.Table(
        "roster_exemption_ends", metadata,
        sa.Column("exemption_id", Id, primary_key=True),
        sa.Column("last_day", sa.Date, nullable=False),
    )
    sa.Table(
        "roster_attachments", metadata,
        sa.Column("attachment_id", Id, primary_key=True),
        sa.Column("member_id", Id, nullable=False, index=True),
        sa.Column("cell_id", Id, nullable=False, index=True),
        sa.Column("from_date", sa.Date, nullable=False),
        sa.Column("to_date", sa.Date),
    )


def _meeting_list(metadata: sa.MetaData) -> None:
    sa.Table(
        "meeting_list", metadata,
        sa.Column("meeting_id", Id, primary_key=True),
        sa.Column("cell_id", Id, nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("scheduled_for", sa.String(40), nullable=False),
        sa.Column("scheduled_on", sa.Date, nullable=False),
        sa.Column("held_on", sa.Date),
        sa.Column("meeting_on", sa.Date, nullable=False),
        sa.Column("topic", sa.Text),
        sa.Column("grade", sa.String(20)),
        sa.Column("grade_confirmed", sa.Boolean, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Index("ix_meeting_list_cell_day", "cell_id", "meeting_on"),
        sa.Index("ix_meeting_list_day", "meeting_on"),
    )
    sa.Table(
        "meeting_tasks", metadata,
        sa.Column("task_id", Id, primary_key=True),
        sa.Column("meeting_id", Id, nullable=False),
    )
