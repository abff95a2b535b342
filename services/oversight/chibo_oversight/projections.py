"""Projects `members.events` and `meetings.events` into the service's local copy, and hands each
roll call to the visit policy in the same transaction (consumer group "oversight").

A batch is folded into rows keyed like their tables (a later event patches the columns it
knows), then written with one multi-row upsert per table and column set in the consumer
runner's transaction; the policy then reads that copy through the same connection.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from chibo_contracts import DecodedEvent
from chibo_contracts.meetings import SOURCE as MEETINGS
from chibo_contracts.members import SOURCE as MEMBERS
from chibo_eventsourcing.sql.upsert import upsert
from chibo_oversight.domain import Appearance
from chibo_oversight.read_models import Tables

Row = dict[str, Any]


@dataclass(frozen=True)
class RollCall:
    """A roll call's guests, and the event they came with (the policy's cause)."""

    appearances: tuple[Appearance, ...]
    meeting_id: str
    cell_id: str
    event_id: str
    correlation_id: str


@dataclass
class CopyBatch:
    """Rows to upsert, per table name and key; each meeting's latest roll call (a correction
    replaces the roll call before it)."""

    rows: dict[str, dict[tuple[Any, ...], Row]] = field(default_factory=dict)
    roll_calls: dict[str, RollCall] = field(default_factory=dict)

    def put(self, table: str, key: tuple[Any, ...], row: Row) -> None:
        rows = self.rows.setdefault(table, {})
        rows[key] = rows.get(key, {}) | row


Apply = Callable[[CopyBatch, Row], None]


def _unit_created(batch: CopyBatch, data: Row) -> None:
    unit, day = data["unit_id"], data["effective_from"]
    batch.put("units", (unit,), {"unit_id": unit, "code": data["code"], "kind": data["kind"],
                                 "created_on": day})
    _parent(batch, unit, day, data["parent_id"])


def _unit_moved(batch: CopyBatch, data: Row) -> None:
    _parent(batch, data["unit_id"], data["effective_from"], data["parent_id"])


def _parent(batch: CopyBatch, unit: str, day: Any, parent: str | None) -> None:
    row = {"unit_id": unit, "effective_from": day, "parent_id": parent}
    batch.put("unit_parents", (unit, day), row)


def _unit_merged(batch: CopyBatch, data: Row) -> None:
    _end(batch, data["unit_id"], data["effective_from"], data["into_id"])


def _unit_dissolved(batch: CopyBatch, data: Row) -> None:
    _end(batch, data["unit_id"], data["effective_from"], None)


def _end(batch: CopyBatch, unit: str, day: Any, into: str | None) -> None:
    batch.put("unit_ends", (unit,), {"unit_id": unit, "ended_on": day, "into_id": into})


def _registered(batch: CopyBatch, data: Row) -> None:
    member = data["member_id"]
    batch.put("members", (member,), {"member_id": member, "full_name": data["full_name"]})


def _position_assigned(batch: CopyBatch, data: Row) -> None:
    batch.put("positions", (data["position_id"],), {
        "position_id": data["position_id"], "member_id": data["member_id"],
        "unit_id": data["unit_id"], "position": data["position"],
        "from_date": data["from_"], "to_date": data["to"],
    })


def _position_ended(batch: CopyBatch, data: Row) -> None:
    row = {"position_id": data["position_id"], "last_day": data["on"]}
    batch.put("position_ends", (data["position_id"],), row)


def _scheduled(batch: CopyBatch, data: Row) -> None:
    _meeting(batch, data, scheduled_on=data["scheduled_on"], cancelled=False)


def _rescheduled(batch: CopyBatch, data: Row) -> None:
    _meeting(batch, data, scheduled_on=data["scheduled_on"])


def _cancelled(batch: CopyBatch, data: Row) -> None:
    _meeting(batch, data, cancelled=True)


def _held(batch: CopyBatch, data: Row) -> None:
    _meeting(batch, data, held_on=data["held_on"])


def _meeting(batch: CopyBatch, data: Row, **columns: Any) -> None:
    row = {"meeting_id": data["meeting_id"], "cell_id": data["cell_id"], **columns}
    batch.put("meetings", (data["meeting_id"],), row)


_MEMBERS: dict[str, Apply] = {
    "OrgUnitCreated": _unit_created,
    "OrgUnitMoved": _unit_moved,
    "OrgUnitMerged": _unit_merged,
    "OrgUnitDissolved": _unit_dissolved,
    "MemberRegistered": _registered,
    "PositionAssigned": _position_assigned,
    "PositionEnded": _position_ended,
}
_MEETINGS: dict[str, Apply] = {
    "MeetingScheduled": _scheduled,
    "MeetingRescheduled": _rescheduled,
    "MeetingCancelled": _cancelled,
    "MeetingHeld": _held,
}
_APPLY: dict[str, Apply] = {
    **{f"{MEMBERS}.{name}": apply for name, apply in _MEMBERS.items()},
    **{f"{MEETINGS}.{name}": apply for name, apply in _MEETINGS.items()},
}
ROLL_CALLS = frozenset({f"{MEETINGS}.AttendanceRecorded", f"{MEETINGS}.AttendanceCorrected"})
_KEYS = {
    "units": ["unit_id"],
    "unit_parents": ["unit_id", "effective_from"],
    "unit_ends": ["unit_id"],
    "members": ["member_id"],
    "positions": ["position_id"],
    "position_ends": ["position_id"],
    "meetings": ["meeting_id"],
}


def roll_call(event: DecodedEvent) -> RollCall:
    data = event.data
    appearances = tuple(
        Appearance(data["meeting_id"], data["cell_id"], data["held_on"], guest["member_id"],
                   guest.get("role"))
        for guest in data["guests"]
    )
    envelope = event.envelope
    return RollCall(appearances, data["meeting_id"], data["cell_id"], envelope.id,
                    envelope.correlation_id)


class CopyProjection:
    """The projection run by the consumer group "oversight"; `react` is the visit policy,
    called with the runner's connection once the batch's copy is written."""

    def __init__(self, tables: Tables, react: Callable[[sa.Connection, list[RollCall]], None]):
        self.tables = tables
        self.react = react

    def start(self) -> CopyBatch:
        return CopyBatch()

    def apply(self, batch: CopyBatch, event: DecodedEvent) -> None:
        """Fold one event; events this service does not need (renames, dues, …) are skipped."""
        if event.type in ROLL_CALLS:
            call = roll_call(event)
            batch.roll_calls[call.meeting_id] = call
            _meeting(batch, event.data, held_on=event.data["held_on"])
            return
        apply = _APPLY.get(event.type)
        if apply is not None:
            apply(batch, event.data)

    def write(self, batch: CopyBatch, conn: sa.Connection) -> None:
        for name, rows in batch.rows.items():
            for group in _by_columns(rows.values()):
                upsert(conn, getattr(self.tables, name), group, _KEYS[name])
        calls = list(batch.roll_calls.values())
        if calls:
            self._replace_guests(conn, calls)
            self.react(conn, calls)

    def _replace_guests(self, conn: sa.Connection, calls: list[RollCall]) -> None:
        """Keep the guests of each meeting's latest roll call."""
        t = self.tables.guests
        conn.execute(sa.delete(t).where(t.c.meeting_id.in_([c.meeting_id for c in calls])))
        rows = {(a.meeting_id, a.member_id): {
            "meeting_id": a.meeting_id, "member_id": a.member_id, "cell_id": a.cell_id,
            "held_on": a.held_on, "role": a.role,
        } for call in calls for a in call.appearances}
        if rows:
            conn.execute(sa.insert(t), list(rows.values()))


def _by_columns(rows: Any) -> list[list[Row]]:
    """Rows grouped by the columns they set: a patch updates only the columns it knows."""
    groups: dict[frozenset[str], list[Row]] = {}
    for row in rows:
        groups.setdefault(frozenset(row), []).append(row)
    return list(groups.values())
