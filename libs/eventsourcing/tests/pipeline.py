"""Builds store → relay → bus → consumer → tally pipelines for the plumbing tests."""

from __future__ import annotations

import time
from dataclasses import dataclass

import sqlalchemy as sa

from chibo_eventsourcing.bus import Bus
from chibo_eventsourcing.consumer import BatchReport, ConsumerRunner
from chibo_eventsourcing.relay import Relay
from chibo_eventsourcing.sql.store import SqlEventStore
from chibo_eventsourcing.sql.tables import define_plumbing
from chibo_eventsourcing.store import Metadata, NewEvent

from .tally import EVENT_TYPE, TallyProjection, define_tally, tally_registry, totals


@dataclass
class Pipeline:
    store: SqlEventStore
    relay: Relay
    consumer: ConsumerRunner
    consumer_engine: sa.Engine
    tally: sa.Table
    topic: str

    def write(self, streams: int, events_per_stream: int, amount: int = 1) -> None:
        for s in range(streams):
            stream = f"stream-{s}"
            version = len(self.store.load(stream))
            batch = [NewEvent(EVENT_TYPE, {"amount": amount}) for _ in range(events_per_stream)]
            self.store.append(stream, version, batch, Metadata(actor="test"))

    def relay_all(self) -> int:
        total = 0
        while (published := self.relay.run_once()) > 0:
            total += published
        return total

    def consume_until(self, expected_events: int, deadline_s: float = 60.0) -> list[BatchReport]:
        """Run batches until the tally holds `expected_events` applied events, or the deadline."""
        reports = []
        deadline = time.monotonic() + deadline_s
        while self.applied() < expected_events and time.monotonic() < deadline:
            reports.append(self.consumer.run_once())
        return reports

    def applied(self) -> int:
        return sum(count for _, count in totals(self.consumer_engine, self.tally).values())

    def totals(self) -> dict[str, tuple[int, int]]:
        return totals(self.consumer_engine, self.tally)


def build_pipeline(
    store_engine: sa.Engine,
    consumer_engine: sa.Engine,
    bus: Bus,
    *,
    topic: str,
    group: str,
    explode_on: int | None = None,
    batch_size: int = 1000,
) -> Pipeline:
    store = SqlEventStore(store_engine, "test")
    store.create_tables()
    bus.ensure_topics([topic], partitions=3)
    metadata = sa.MetaData()
    tables = define_plumbing(metadata)
    tally = define_tally(metadata)
    metadata.create_all(consumer_engine)
    consumer = ConsumerRunner(
        engine=consumer_engine,
        tables=tables,
        bus=bus,
        group=group,
        topics=[topic],
        projection=TallyProjection(tally, explode_on=explode_on),
        registry=tally_registry(),
        batch_size=batch_size,
        poll_timeout=0.5,
    )
    relay = Relay(store, bus.publisher(), topic)
    return Pipeline(store, relay, consumer, consumer_engine, tally, topic)
