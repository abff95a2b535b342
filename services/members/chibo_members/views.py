"""What GET requests answer: a unit or member as of a date (from its events), subtrees and member
lists (from the query tables), each read in one consistent snapshot."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import date
from typing import Any

import sqlalchemy as sa

from chibo_eventsourcing.sql.engine import read_connection
from chibo_eventsourcing.sql.store import SqlEventStore
from chibo_members.domain.errors import NotFoundError
from chibo_members.domain.members import Member
from chibo_members.domain.names import name_key
from chibo_members.domain.units import OrgUnit, lineage
from chibo_members.publishing import Codec
from chibo_members.read_models import queries
from chibo_members.read_models.tables import ReadTables
from chibo_members.unit_of_work import rehydrate


class Snapshot:
    """Reads through one connection, so that everything a view shows belongs together."""

    def __init__(self, views: Views, conn: sa.Connection) -> None:
        self.views = views
        self.conn = conn
        self._units: dict[str, OrgUnit | None] = {}

    def unit(self, unit_id: str, version: int | None = None) -> OrgUnit | None:
        if version is not None:
            found = self._load(unit_id, version)
            return found if isinstance(found, OrgUnit) else None
        if unit_id not in self._units:
            found = self._load(unit_id)
            self._units[unit_id] = found if isinstance(found, OrgUnit) else None
        return self._units[unit_id]

    def member(self, member_id: str, version: int | None = None) -> Member | None:
        found = self._load(member_id, version)
        return found if isinstance(found, Member) else None

    def lineage(self, unit_id: str, on: date) -> list[OrgUnit]:
        return lineage(self.unit, unit_id, on)

    def _load(self, stream_id: str, version: int | None = None) -> Any:
        envelopes = self.views.store.load(stream_id, version, connection=self.conn)
        return rehydrate(self.views.codec, stream_id, envelopes)


class Views:
    def __init__(self, store: SqlEventStore, tables: ReadTables, codec: Codec) -> None:
        self.store = store
        self.tables = tables
        self.codec = codec

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[Snapshot]:
        with read_connection(self.store.engine) as conn:
            yield Snapshot(self, conn)

    def unit(self, unit_id: str, on: date, version: int | None = None) -> dict[str, Any]:
        with self.snapshot() as snap:
            unit = snap.unit(unit_id, version)
            if unit is None:
                raise NotFoundError(f"no unit {unit_id}")
            return unit_body(unit, on, snap.lineage(unit_id, on)[1:])

    def tree(self, unit_id: str, on: date) -> dict[str, Any]:
        with self.snapshot() as snap:
            nodes = queries.subtree(snap.conn, self.tables, unit_id, on)
            if not nodes:
                raise NotFoundError(f"no unit {unit_id} existed on {on}")
            cells = [n.unit_id for n in nodes if n.kind == "cell"]
            counts = queries.member_counts(snap.conn, self.tables, cells, on)
        return tree_body(nodes, counts, on)

    def member(self, member_id: str, on: date, version: int | None = None) -> dict[str, Any]:
        with self.snapshot() as snap:
            member = snap.member(member_id, version)
            if member is None:
                raise NotFoundError(f"no member {member_id}")
            cell_id = member.cell_on(on)
            line = snap.lineage(cell_id, on) if cell_id else []
            return member_body(member, on, line)

    def members(self, wanted: queries.MemberFilter) -> dict[str, Any]:
        with self.snapshot() as snap:
            rows = queries.member_page(snap.conn, self.tables, wanted)
        items = [_member_item(row, wanted.on) for row in rows[: wanted.limit]]
        return _page(items, wanted.on, wanted.offset, wanted.limit, len(rows) > wanted.limit)

    def units(
        self,
        on: date,
        *,
        code: str | None,
        kind: str | None,
        limit: int,
        offset: int,
        within: queries.Reach | None = None,
    ) -> dict[str, Any]:
        with self.snapshot() as snap:
            ids = queries.unit_page(
                snap.conn,
                self.tables,
                on,
                code=code,
                kind=kind,
                limit=limit,
                offset=offset,
                within=within,
            )
            items = []
            for unit_id in ids[:limit]:
                unit = snap.unit(unit_id)
                assert unit is not None
                items.append(unit_body(unit, on, snap.lineage(unit_id, on)[1:]))
        return _page(items, on, offset, limit, len(ids) > limit)


def _brief(unit: OrgUnit, on: date) -> dict[str, Any]:
    return {"unit_id": unit.id, "code": unit.code, "name": _name(unit, on), "kind": unit.kind}


def _name(unit: OrgUnit, on: date) -> str:
    return unit.names.at(on) or unit.created.name


def unit_body(unit: OrgUnit, on: date, ancestors: list[OrgUnit]) -> dict[str, Any]:
    return {
        "id": unit.id,
        **_brief(unit, on),
        "parent_id": unit.parents.at(on),
        "status": unit.status_on(on),
        "as_of": on,
        "effective_from": unit.created_on,
        "ended_on": unit.ended_on,
        "merged_into_id": unit.merged_into,
        "dissolution_reason": unit.dissolution_reason,
        "ancestors": [_brief(a, on) for a in ancestors],
        "names": [{"name": n, "from": f, "to": t} for f, t, n in unit.names.periods(unit.ended_on)],
        "parents": [
            {"parent_id": p, "from": f, "to": t} for f, t, p in unit.parents.periods(unit.ended_on)
        ],
        "version": unit.version,
    }


def tree_body(nodes: list[queries.TreeNode], counts: dict[str, int], on: date) -> dict[str, Any]:
    bodies: dict[str, dict[str, Any]] = {}
    for node in nodes:  # parents come before their children
        body: dict[str, Any] = {
            "id": node.unit_id,
            "unit_id": node.unit_id,
            "code": node.code,
            "name": node.name,
            "kind": node.kind,
            "parent_id": node.parent_id,
            "children": [],
        }
        if node.kind == "cell":
            body["member_count"] = counts.get(node.unit_id, 0)
        bodies[node.unit_id] = body
        if node.depth > 0:
            bodies[node.parent_id or ""]["children"].append(body)
    for body in bodies.values():
        body["children"].sort(key=lambda child: (name_key(child["name"]), child["code"]))
    return bodies[nodes[0].unit_id] | {"as_of": on}


def member_body(member: Member, on: date, line: list[OrgUnit]) -> dict[str, Any]:
    registered = member.registered
    attached = next((a for a in member.attachments.values() if a.covers(on)), None)
    return {
        "id": member.id,
        "member_id": member.id,
        "code": registered.code,
        "full_name": registered.full_name,
        "birth_date": registered.birth_date,
        "gender": registered.gender,
        "admitted_on": registered.admitted_on,
        "as_of": on,
        "active": member.active_on(on),
        "status": member.status_on(on),
        "full_from": member.full_from,
        "cell_id": line[0].id if line else None,
        "cell": _brief(line[0], on) if line else None,
        "ancestors": [_brief(u, on) for u in line[1:]],
        "exempted": any(e.covers(on) for e in member.exemptions.values()),
        "attached_to": attached.cell_id if attached and member.active_on(on) else None,
        "left_on": member.left_on,
        "leave_reason": member.left.reason if member.left else None,
        "cells": [
            {"cell_id": c, "from": f, "to": t} for f, t, c in member.cells.periods(member.left_on)
        ],
        "exemptions": [
            {
                "exemption_id": e.id,
                "from": e.from_,
                "to": e.to,
                "reason": e.reason,
                "decision_ref": e.decision_ref,
            }
            for e in member.exemptions.values()
        ],
        "attachments": [
            {"attachment_id": a.id, "cell_id": a.cell_id, "from": a.from_, "to": a.to}
            for a in member.attachments.values()
        ],
        "positions": [
            {
                "position_id": h.id,
                "unit_id": h.unit_id,
                "position": h.position,
                "from": h.from_,
                "to": h.to,
                "held": h.covers(on) and member.active_on(on),
            }
            for h in member.positions.values()
        ],
        "version": member.version,
    }


def _member_item(row: dict[str, Any], on: date) -> dict[str, Any]:
    full_from = row["full_from"]
    return {
        "id": row["member_id"],
        "member_id": row["member_id"],
        "code": row["code"],
        "full_name": row["full_name"],
        "birth_date": row["birth_date"],
        "gender": row["gender"],
        "cell_id": row["cell_id"],
        "admitted_on": row["admitted_on"],
        "status": "full" if full_from is not None and full_from <= on else "probationary",
    }


def _page(
    items: list[dict[str, Any]], on: date, offset: int, limit: int, more: bool
) -> dict[str, Any]:
    return {
        "items": items,
        "as_of": on,
        "limit": limit,
        "offset": offset,
        "next_offset": offset + limit if more else None,
    }
