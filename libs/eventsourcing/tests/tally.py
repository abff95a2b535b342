"""A tiny projection used by the plumbing tests: totals of `test.Counted` amounts per stream."""

from __future__ import annotations

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
        return {}  # plain, so that a child writer can be sent it

    def apply(self, state: dict[str, list[int]], event: DecodedEvent) -> None:
        if event.data["amount"] == self.explode_on:
            raise ValueError(f"cannot count {self.explode_on}")
        totals = state.setdefault(event.envelope.stream_id, [0, 0])
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


class RefusingWrites:
    """Wraps a projection so that writing a stream named `refused` breaks a constraint (or,
    with `lost=True`, loses the connection: not the data's fault)."""

    def __init__(self, projection: TallyProjection, *, lost: bool = False) -> None:
        self.projection = projection
        self.lost = lost

    def start(self) -> dict[str, list[int]]:
        return self.projection.start()

    def apply(self, state: dict[str, list[int]], event: DecodedEvent) -> None:
        self.projection.apply(state, event)

    def write(self, state: dict[str, list[int]], conn: sa.Connection) -> None:
        if "refused" in state and self.lost:
            raise sa.exc.OperationalError("INSERT …", {}, Exception("server closed the connection"))
        if "refused" in state:
            raise sa.exc.IntegrityError("INSERT …", {}, Exception("check constraint violated"))
        self.projection.write(state, conn)


def totals(engine: sa.Engine, table: sa.Table) -> dict[str, tuple[int, int]]:
    with engine.connect() as conn:
        return {r.stream_id: (r.total, r.events) for r in conn.execute(sa.select(table))}
