"""A tiny projection used by the plumbing tests: totals of `test.Counted` amounts per stream."""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from marshmallow import fields

from chibo_contracts import DecodedEvent, EventRegistry
from chibo_contracts.registry import ContractSchema
from chibo_eventsourcing.sql.upsert import upsert

EVENT_TYPE = "test.Counted"


class CountedSchema(ContractSchema):
    amount = fields.Integer(required=True, metadata={"description": "how much to add"})


def tally_registry() -> EventRegistry:
    registry = EventRegistry()
    registry.register(EVENT_TYPE, 1, CountedSchema)
    return registry


def define_tally(metadata: sa.MetaData) -> sa.Table:
    return sa.Table(
        "tally",
        metadata,
        sa.Column("stream_id", sa.String(200), primary_key=True),
        sa.Column("total", sa.Integer, nullable=False),
        sa.Column("events", sa.Integer, nullable=False),
    )


class TallyProjection:
    """Adds amounts in memory per batch, then upserts the new totals."""

    def __init__(self, table: sa.Table, *, explode_on: int | None = None) -> None:
        self.table = table
        self.explode_on = explode_on

    def start(self) -> dict[str, list[int]]:
        return defaultdict(lambda: [0, 0])

    def apply(self, state: dict[str, list[int]], event: DecodedEvent) -> None:
        if event.data["amount"] == self.explode_on:
            raise ValueError(f"cannot count {self.explode_on}")
        totals = state[event.envelope.stream_id]
        totals[0] += event.data["amount"]
        totals[1] += 1

    def write(self, state: dict[str, list[int]], conn: sa.Connection) -> None:
        if not state:
            return
        current = {
            row.stream_id: (row.total, row.events)
            for row in conn.execute(
                sa.select(self.table).where(self.table.c.stream_id.in_(list(state)))
            )
        }
        rows = []
        for stream, (total, count) in state.items():
            old_total, old_count = current.get(stream, (0, 0))
            rows.append(
                {"stream_id": stream, "total": old_total + total, "events": old_count + count}
            )
        upsert(conn, self.table, rows, ["stream_id"])


def totals(engine: sa.Engine, table: sa.Table) -> dict[str, tuple[int, int]]:
    with engine.connect() as conn:
        return {r.stream_id: (r.total, r.events) for r in conn.execute(sa.select(table))}
