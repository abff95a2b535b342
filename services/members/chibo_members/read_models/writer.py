"""Writes the query rows of changed aggregates, in the transaction that appended their events
(or all of them again, from the events alone)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from chibo_eventsourcing.aggregate import Aggregate
from chibo_eventsourcing.sql.store import SqlEventStore
from chibo_members.domain.members import Member
from chibo_members.domain.names import fold, person_key
from chibo_members.domain.units import OrgUnit
from chibo_members.publishing import Codec
from chibo_members.read_models.tables import ReadTables
from chibo_members.unit_of_work import rehydrate

_CHUNK = 500


def write_aggregates(
    conn: sa.Connection, tables: ReadTables, aggregates: Iterable[Aggregate]
) -> None:
    """Replace the rows of each aggregate with rows drawn from its current state."""
    changed = list(aggregates)
    units = [a for a in changed if isinstance(a, OrgUnit)]
    members = [a for a in changed if isinstance(a, Member)]
    if units:
        ids = [u.id for u in units]
        _replace(conn, tables.org_units, ids, [_unit_row(u) for u in units])
        _replace(conn, tables.unit_names, ids, [r for u in units for r in _name_rows(u)])
        _replace(conn, tables.unit_parents, ids, [r for u in units for r in _parent_rows(u)])
    if members:
        ids = [m.id for m in members]
        _replace(conn, tables.members, ids, [_member_row(m) for m in members])
        _replace(conn, tables.member_cells, ids, [r for m in members for r in _cell_rows(m)])


def _replace(
    conn: sa.Connection, table: sa.Table, ids: Sequence[str], rows: list[Mapping[str, Any]]
) -> None:
    """Delete the aggregates' rows, insert the new ones (one executemany: a compiled statement
    that SQLAlchemy caches, unlike a many-row VALUES clause)."""
    key = table.primary_key.columns.values()[0]
    for start in range(0, len(ids), _CHUNK):
        conn.execute(sa.delete(table).where(key.in_(ids[start : start + _CHUNK])))
    if rows:
        conn.execute(sa.insert(table), rows)


def _unit_row(unit: OrgUnit) -> dict[str, Any]:
    return {
        "unit_id": unit.id,
        "code": unit.code,
        "kind": unit.kind,
        "created_on": unit.created_on,
        "ended_on": unit.ended_on,
    }


def _name_rows(unit: OrgUnit) -> list[dict[str, Any]]:
    return [
        {"unit_id": unit.id, "valid_from": start, "valid_to": end, "name": name}
        for start, end, name in unit.names.periods(unit.ended_on)
    ]


def _parent_rows(unit: OrgUnit) -> list[dict[str, Any]]:
    return [
        {"unit_id": unit.id, "valid_from": start, "valid_to": end, "parent_id": parent}
        for start, end, parent in unit.parents.periods(unit.ended_on)
    ]


def _member_row(member: Member) -> dict[str, Any]:
    registered = member.registered
    return {
        "member_id": member.id,
        "code": registered.code,
        "full_name": registered.full_name,
        "search_name": fold(registered.full_name),
        "sort_key": person_key(registered.full_name),
        "birth_date": registered.birth_date,
        "gender": registered.gender,
        "admitted_on": registered.admitted_on,
        "full_from": member.full_from,
        "left_on": member.left_on,
    }


def _cell_rows(member: Member) -> list[dict[str, Any]]:
    return [
        {"member_id": member.id, "valid_from": start, "valid_to": end, "cell_id": cell}
        for start, end, cell in member.cells.periods(member.left_on)
    ]


def rebuild(store: SqlEventStore, tables: ReadTables, codec: Codec, *, batch: int = 500) -> int:
    """Rewrite every query row from the events alone, in one transaction; returns the number of
    units and members. The rows are derived data: this must give what the commands wrote."""
    events = store.tables.events
    with store.engine.begin() as conn:
        for table in (tables.member_cells, tables.members, tables.unit_parents, tables.unit_names):
            conn.execute(sa.delete(table))
        conn.execute(sa.delete(tables.org_units))
        first_events = sa.select(events.c.stream_id).where(events.c.stream_version == 1)
        stream_ids = list(conn.execute(first_events.order_by(events.c.position)).scalars())
        for start in range(0, len(stream_ids), batch):
            chunk = stream_ids[start : start + batch]
            loaded = store.load_streams(chunk, connection=conn)
            aggregates = [rehydrate(codec, stream_id, loaded[stream_id]) for stream_id in chunk]
            write_aggregates(conn, tables, [a for a in aggregates if a is not None])
    return len(stream_ids)
