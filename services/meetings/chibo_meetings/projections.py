"""Projects `members.events` into the service's copy of the tree and the roll (read_models).

A batch is folded into rows keyed like their tables, so the last event of the batch wins for a
key, then written with one multi-row upsert per table in the consumer runner's transaction.
Suspension is not modelled: `members.events` has no event for it yet.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from chibo_contracts import DecodedEvent
from chibo_contracts.members import SOURCE as MEMBERS
from chibo_eventsourcing.sql.upsert import upsert
from chibo_meetings.read_models import Tables

Row = dict[str, Any]


@dataclass
class RosterBatch:
    """Rows to upsert, per table name, keyed by the table's primary key."""

    rows: dict[str, dict[tuple[Any, ...], Row]] = field(default_factory=dict)

    def put(self, table: str, key: tuple[Any, ...], row: Row) -> None:
        self.rows.setdefault(table, {})[key] = row


def _unit_created(batch: RosterBatch, data: Row) -> None:
    unit, day = data["unit_id"], data["effective_from"]
    batch.put("units", (unit,), {"unit_id": unit, "kind": data["kind"], "created_on": day})
    _parent(batch, unit, day, data["parent_id"])


def _unit_moved(batch: RosterBatch, data: Row) -> None:
    _parent(batch, data["unit_id"], data["effective_from"], data["parent_id"])


def _parent(batch: RosterBatch, unit: str, day: Any, parent: str | None) -> None:
    row = {"unit_id": unit, "effective_from": day, "parent_id": parent}
    batch.put("unit_parents", (unit, day), row)


def _unit_merged(batch: RosterBatch, data: Row) -> None:
    _end(batch, data["unit_id"], data["effective_from"], data["into_id"])


def _unit_dissolved(batch: RosterBatch, data: Row) -> None:
    _end(batch, data["unit_id"], data["effective_from"], None)


def _end(batch: RosterBatch, unit: str, day: Any, into: str | None) -> None:
    batch.put("unit_ends", (unit,), {"unit_id": unit, "ended_on": day, "into_id": into})


def _registered(batch: RosterBatch, data: Row) -> None:
    member, day = data["member_id"], data["admitted_on"]
    batch.put("members", (member,), {"member_id": member, "full_name": data["full_name"]})
    _place(batch, member, day, data["cell_id"])
    _status(batch, member, day, data["status"])


def _transferred(batch: RosterBatch, data: Row) -> None:
    _place(batch, data["member_id"], data["effective_from"], data["cell_id"])


def _left(batch: RosterBatch, data: Row) -> None:
    _place(batch, data["member_id"], data["effective_from"], None)


def _place(batch: RosterBatch, member: str, day: Any, cell: str | None) -> None:
    row = {"member_id": member, "effective_from": day, "cell_id": cell}
    batch.put("placements", (member, day), row)


def _confirmed_full(batch: RosterBatch, data: Row) -> None:
    _status(batch, data["member_id"], data["effective_from"], "full")


def _status(batch: RosterBatch, member: str, day: Any, status: str) -> None:
    row = {"member_id": member, "effective_from": day, "status": status}
    batch.put("statuses", (member, day), row)


def _exempted(batch: RosterBatch, data: Row) -> None:
    batch.put("exemptions", (data["exemption_id"],), {
        "exemption_id": data["exemption_id"], "member_id": data["member_id"],
        "from_date": data["from_"], "to_date": data["to"],
    })


def _exemption_ended(batch: RosterBatch, data: Row) -> None:
    row = {"exemption_id": data["exemption_id"], "last_day": data["on"]}
    batch.put("exemption_ends", (data["exemption_id"],), row)


def _attached(batch: RosterBatch, data: Row) -> None:
    batch.put("attachments", (data["attachment_id"],), {
        "attachment_id": data["attachment_id"], "member_id": data["member_id"],
        "cell_id": data["cell_id"], "from_date": data["from_"], "to_date": data["to"],
    })


_APPLY: dict[str, Callable[[RosterBatch, Row], None]] = {
    f"{MEMBERS}.{name}": handler
    for name, handler in {
        "OrgUnitCreated": _unit_created,
        "OrgUnitMoved": _unit_moved,
        "OrgUnitMerged": _unit_merged,
        "OrgUnitDissolved": _unit_dissolved,
        "MemberRegistered": _registered,
        "MemberTransferred": _transferred,
        "MemberLeft": _left,
        "MemberConfirmedFull": _confirmed_full,
        "MemberExempted": _exempted,
        "MemberExemptionEnded": _exemption_ended,
        "MemberTemporarilyAttached": _attached,
    }.items()
}
_KEYS = {
    "units": ["unit_id"],
    "unit_parents": ["unit_id", "effective_from"],
    "unit_ends": ["unit_id"],
    "members": ["member_id"],
    "placements": ["member_id", "effective_from"],
    "statuses": ["member_id", "effective_from"],
    "exemptions": ["exemption_id"],
    "exemption_ends": ["exemption_id"],
    "attachments": ["attachment_id"],
}


class RosterProjection:
    """The members.events projection run by the consumer group "meetings"."""

    def __init__(self, tables: Tables) -> None:
        self.tables = tables

    def start(self) -> RosterBatch:
        return RosterBatch()

    def apply(self, batch: RosterBatch, event: DecodedEvent) -> None:
        """Fold one event; events this service does not need (renames, positions) are skipped."""
        handler = _APPLY.get(event.type)
        if handler is not None:
            handler(batch, event.data)

    def write(self, batch: RosterBatch, conn: sa.Connection) -> None:
        for name, rows in batch.rows.items():
            upsert(conn, getattr(self.tables, name), list(rows.values()), _KEYS[name])
