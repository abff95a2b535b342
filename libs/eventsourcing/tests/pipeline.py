"""Builds store → relay → bus → consumer → tally pipelines for the plumbing tests."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import sqlalchemy as sa

from chibo_eventsourcing.bus import Bus
from chibo_eventsourcing.consumer import BatchReport, BatchStore, ConsumerRunner
from chibo_eventsourcing.relay import Relay
from chibo_eventsourcing.sql.engine import create_engine
from chibo_eventsourcing.sql.store import SqlEventStore
from chibo_eventsourcing.sql.tables import define_plumbing
from chibo_eventsourcing.store import Metadata, NewEvent

from .tally import (
    EVENT_TYPE,
    RefusingWrites,
    TallyProjection,
    define_tally,
    tally_registry,
    totals,
)


@dataclass
class Pipeline:
    store: SqlEventStore
    relay: Relay
    consumer: ConsumerRunner
    consumer_engine: sa.Engine
    tally: sa.Table
    topic: str
    another_consumer: Callable[[], ConsumerRunner]  # of the same group, as a second process

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


def tally_projection(
    tally: sa.Table, explode_on: int | None, writes: str
) -> TallyProjection | RefusingWrites:
    """`writes`: "ok", "refused" (a stream named `refused` breaks a constraint) or "lost"."""
    projection = TallyProjection(tally, explode_on=explode_on)
    return projection if writes == "ok" else RefusingWrites(projection, lost=writes == "lost")


def tally_store(url: str, group: str, explode_on: int | None, writes: str) -> BatchStore:
    """What a child writer process stores batches with (built there, from picklable values)."""
    metadata = sa.MetaData()
    tables = define_plumbing(metadata)
    projection = tally_projection(define_tally(metadata), explode_on, writes)
    return BatchStore(create_engine(url), tables, group, projection)


def build_pipeline(
    store_engine: sa.Engine,
    consumer_engine: sa.Engine,
    bus: Bus,
    *,
    topic: str,
    group: str,
    explode_on: int | None = None,
    batch_size: int = 1000,
    writes: str = "ok",
    child_writer: bool = False,
) -> Pipeline:
    store = SqlEventStore(store_engine, "test")
    store.create_tables()
    bus.ensure_topics([topic], partitions=3)
    metadata = sa.MetaData()
    tables = define_plumbing(metadata)
    tally = define_tally(metadata)
    metadata.create_all(consumer_engine)
    url = consumer_engine.url.render_as_string(hide_password=False)
    make_consumer = partial(
        ConsumerRunner,
        engine=consumer_engine,
        tables=tables,
        bus=bus,
        group=group,
        topics=[topic],
        projection=tally_projection(tally, explode_on, writes),
        registry=tally_registry(),
        batch_size=batch_size,
        poll_timeout=0.5,
        child_writer=partial(tally_store, url, group, explode_on, writes) if child_writer else None,
        standby_retry_seconds=0.1,
    )
    relay = Relay(store, bus.publisher(), topic)
    return Pipeline(store, relay, make_consumer(), consumer_engine, tally, topic, make_consumer)
