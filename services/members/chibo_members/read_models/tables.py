"""Query tables of the tree and the roll, kept in the service's own database.

Periods are `[valid_from, valid_to)`: `valid_to` is the first day the row no longer holds (None:
still holds). A unit's parent periods stop on the day it ends, so "the units that exist on D and
their parents" is one range condition.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

_ID = sa.String(64)


@dataclass(frozen=True)
class ReadTables:
    org_units: sa.Table
    unit_names: sa.Table
    unit_parents: sa.Table
    members: sa.Table
    member_cells: sa.Table


def define_read_tables(metadata: sa.MetaData) -> ReadTables:
    org_units = sa.Table(
        "org_units",
        metadata,
        sa.Column("unit_id", _ID, primary_key=True),
        sa.Column("code", sa.String(64), nullable=False, unique=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("created_on", sa.Date, nullable=False),
        sa.Column("ended_on", sa.Date),
    )
    unit_names = sa.Table(
        "unit_names",
        metadata,
        sa.Column("unit_id", _ID, primary_key=True),
        sa.Column("valid_from", sa.Date, primary_key=True),
        sa.Column("valid_to", sa.Date),
        sa.Column("name", sa.String(300), nullable=False),
    )
    unit_parents = sa.Table(
        "unit_parents",
        metadata,
        sa.Column("unit_id", _ID, primary_key=True),
        sa.Column("valid_from", sa.Date, primary_key=True),
        sa.Column("valid_to", sa.Date),
        sa.Column("parent_id", _ID),
        sa.Index("ix_unit_parents_parent", "parent_id", "valid_from"),
    )
    members = sa.Table(
        "members",
        metadata,
        sa.Column("member_id", _ID, primary_key=True),
        sa.Column("code", sa.String(64), unique=True),
        sa.Column("full_name", sa.String(300), nullable=False),
        sa.Column("search_name", sa.String(300), nullable=False),
        # Bytes, so that SQLite and PostgreSQL both compare them byte by byte whatever the
        # database collation: the key itself carries the Vietnamese order.
        sa.Column("sort_key", sa.LargeBinary, nullable=False, index=True),
        sa.Column("birth_date", sa.Date),
        sa.Column("gender", sa.String(40)),
        sa.Column("admitted_on", sa.Date, nullable=False),
        sa.Column("full_from", sa.Date),
        sa.Column("left_on", sa.Date),
    )
    member_cells = sa.Table(
        "member_cells",
        metadata,
        sa.Column("member_id", _ID, primary_key=True),
        sa.Column("valid_from", sa.Date, primary_key=True),
        sa.Column("valid_to", sa.Date),
        sa.Column("cell_id", _ID, nullable=False),
        sa.Index("ix_member_cells_cell", "cell_id", "valid_from"),
    )
    return ReadTables(org_units, unit_names, unit_parents, members, member_cells)


def in_force(table: sa.FromClause, on: object) -> sa.ColumnElement[bool]:
    """Rows whose period holds on `on`."""
    return sa.and_(
        table.c.valid_from <= on, sa.or_(table.c.valid_to.is_(None), table.c.valid_to > on)
    )
