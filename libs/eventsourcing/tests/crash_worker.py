"""Relay and consumer processes for the crash tests (`python -m tests.crash_worker NAME JSON`)."""

from __future__ import annotations

import functools
import json
import os
import signal
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from kafka import KafkaConsumer

from chibo_eventsourcing import kafka as kafka_adapter
from chibo_eventsourcing.bus import (
    Bus,
    OutgoingMessage,
    Publisher,
    Record,
    StartOffsets,
    Subscription,
    TopicPartition,
)
from chibo_eventsourcing.consumer import BatchStore, ConsumerRunner, Projection
from chibo_eventsourcing.kafka import KafkaBus
from chibo_eventsourcing.relay import Relay
from chibo_eventsourcing.runtime import LoopWorker, run_until_signalled
from chibo_eventsourcing.sql.engine import create_engine
from chibo_eventsourcing.sql.store import SqlEventStore
from chibo_eventsourcing.sql.tables import PlumbingTables, define_plumbing

from .tally import TallyProjection, define_tally, tally_registry


def shorten_group_sessions() -> None:
    """Make this process's consumers use the broker's minimum session timeout.

    A member killed with SIGKILL keeps its partitions until its session expires (45 s by
    default in kafka-python), and a resuming runner of the same group must wait that out.
    """
    kafka_adapter.KafkaConsumer = functools.partial(  # type: ignore[attr-defined,misc]
        KafkaConsumer, session_timeout_ms=6000, heartbeat_interval_ms=1000
    )


def kill_myself() -> None:
    """A real kill -9: no finally blocks, no atexit, no flushing, no rollback."""
    sys.stdout.flush()
    os.kill(os.getpid(), signal.SIGKILL)


def report(**facts: Any) -> None:
    print(json.dumps(facts), flush=True)


class KillAfterPublish(Publisher):
    """Dies once the broker has acknowledged a batch, before the relay can save its cursor."""

    def __init__(self, inner: Publisher) -> None:
        self.inner = inner

    def publish(self, topic: str, messages: Sequence[OutgoingMessage]) -> None:
        self.inner.publish(topic, messages)
        report(acknowledged=len(messages))
        kill_myself()


class OnNthWrite(TallyProjection):
    """Writes as the tally does and, in the Nth batch's transaction, after its rows are written
    and before the commit, does what a subclass's `nth` says."""

    def __init__(self, table: sa.Table, kill_on_batch: int) -> None:
        super().__init__(table)
        self.kill_on_batch = kill_on_batch
        self.batches = 0

    def write(self, state: dict[str, list[int]], conn: sa.Connection) -> None:
        super().write(state, conn)
        self.batches += 1
        if self.batches == self.kill_on_batch:
            self.nth(state, conn)

    def nth(self, state: dict[str, list[int]], conn: sa.Connection) -> None:
        raise NotImplementedError


class KillInWrite(OnNthWrite):
    """Dies in the Nth batch's transaction."""

    def nth(self, state: dict[str, list[int]], conn: sa.Connection) -> None:
        seen = conn.execute(sa.select(sa.func.sum(self.table.c.events))).scalar()
        report(seen_in_transaction=int(seen or 0), in_batch=sum(c for _, c in state.values()))
        kill_myself()


class KillRunnerInWrite(OnNthWrite):
    """In the writer process: in the Nth batch, kills the runner (its parent) and, orphaned,
    goes on with the batch's transaction for a while before it commits."""

    # Longer than the 6 s Kafka session of `shorten_group_sessions`: without the wait of the
    # successor's claim, Kafka would hand it the partitions before this batch is committed.
    ORPHAN_SECONDS = 10.0

    def nth(self, state: dict[str, list[int]], conn: sa.Connection) -> None:
        report(orphan_writes=sum(c for _, c in state.values()), orphan_pid=os.getpid())
        os.kill(os.getppid(), signal.SIGKILL)
        time.sleep(self.ORPHAN_SECONDS)  # a successor starts meanwhile; then the commit


class SlowTally(TallyProjection):
    """Takes a while per batch, so that a signal reliably lands while the runner is busy."""

    def write(self, state: dict[str, list[int]], conn: sa.Connection) -> None:
        super().write(state, conn)
        time.sleep(0.05)  # simulated work, not a wait for anything


class KillOnAcknowledge(Subscription):
    """Dies on the Nth advisory Kafka commit: the batch is stored, Kafka never hears of it."""

    def __init__(self, inner: Subscription, kill_on_batch: int) -> None:
        self.inner = inner
        self.kill_on_batch = kill_on_batch
        self.batches = 0

    def poll(self, max_records: int, timeout: float) -> list[Record]:
        return self.inner.poll(max_records, timeout)

    def acknowledge(self, next_offsets: Mapping[TopicPartition, int]) -> None:
        self.batches += 1
        if self.batches == self.kill_on_batch:
            report(stored=sum(next_offsets.values()))
            kill_myself()
        self.inner.acknowledge(next_offsets)

    def close(self) -> None:
        self.inner.close()


class WrappedBus(Bus):
    """A bus whose subscriptions are wrapped (to kill on acknowledge, or to start elsewhere)."""

    def __init__(
        self,
        inner: Bus,
        *,
        kill_on_batch: int | None = None,
        start_offsets: StartOffsets | None = None,
    ) -> None:
        self.inner = inner
        self.kill_on_batch = kill_on_batch
        self.start_offsets = start_offsets

    def ensure_topics(self, topics: Sequence[str], partitions: int) -> None:
        self.inner.ensure_topics(topics, partitions)

    def publisher(self) -> Publisher:
        return self.inner.publisher()

    def subscribe(
        self, group: str, topics: Sequence[str], start_offsets: StartOffsets
    ) -> Subscription:
        subscription = self.inner.subscribe(group, topics, self.start_offsets or start_offsets)
        if self.kill_on_batch is None:
            return subscription
        return KillOnAcknowledge(subscription, self.kill_on_batch)


def consumer_tables(engine: sa.Engine) -> tuple[PlumbingTables, sa.Table]:
    metadata = sa.MetaData()
    tables, tally = define_plumbing(metadata), define_tally(metadata)
    metadata.create_all(engine)
    return tables, tally


def make_runner(
    config: Mapping[str, Any],
    bus: Bus,
    projection: Callable[[sa.Table], Projection[Any]] = TallyProjection,
    child_writer: Callable[[], BatchStore[Any]] | None = None,
) -> ConsumerRunner[Any]:
    """The tally runner every crash scenario uses; the tests resume with the same one."""
    engine = create_engine(config["database_url"])
    tables, tally = consumer_tables(engine)
    return ConsumerRunner(
        engine=engine,
        tables=tables,
        bus=bus,
        group=config["group"],
        topics=[config["topic"]],
        projection=projection(tally),
        registry=tally_registry(),
        batch_size=config.get("batch_size", 100),
        poll_timeout=0.5,
        child_writer=child_writer,
    )


def relay(config: Mapping[str, Any]) -> None:
    store = SqlEventStore(create_engine(config["database_url"]), "test")
    publisher = KillAfterPublish(KafkaBus(config["bootstrap"]).publisher())
    Relay(store, publisher, config["topic"]).run_once()


def kill_in_write(config: Mapping[str, Any]) -> None:
    projection = functools.partial(KillInWrite, kill_on_batch=config["kill_on_batch"])
    runner = make_runner(config, KafkaBus(config["bootstrap"]), projection)
    runner.open()
    while True:
        runner.run_once()


def kill_on_acknowledge(config: Mapping[str, Any]) -> None:
    bus = WrappedBus(KafkaBus(config["bootstrap"]), kill_on_batch=config["kill_on_batch"])
    runner = make_runner(config, bus)
    runner.open()
    while True:
        runner.run_once()


def orphaned_writer(config_json: str) -> BatchStore[Any]:
    """The writer process's store for `kill_runner_in_write` (built there from plain values)."""
    config = json.loads(config_json)
    engine = create_engine(config["database_url"])
    tables, tally = consumer_tables(engine)
    projection = KillRunnerInWrite(tally, config["kill_on_batch"])
    return BatchStore(engine, tables, config["group"], projection)


def kill_runner_in_write(config: Mapping[str, Any]) -> None:
    writer = functools.partial(orphaned_writer, json.dumps(dict(config)))
    runner = make_runner(config, KafkaBus(config["bootstrap"]), child_writer=writer)
    runner.open()
    while True:
        runner.run_once()


def until_signalled(config: Mapping[str, Any]) -> None:
    runner = make_runner(config, KafkaBus(config["bootstrap"]), SlowTally)
    run_until_signalled(LoopWorker("tally", runner.run))
    report(stopped=True)


SCENARIOS = {
    "relay": relay,
    "kill_in_write": kill_in_write,
    "kill_on_acknowledge": kill_on_acknowledge,
    "kill_runner_in_write": kill_runner_in_write,
    "until_signalled": until_signalled,
}

if __name__ == "__main__":
    shorten_group_sessions()
    SCENARIOS[sys.argv[1]](json.loads(sys.argv[2]))
