"""Plumbing benchmark: store, relay and consumer runner against raw PostgreSQL and Kafka loops."""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any

import psycopg
import sqlalchemy as sa
from kafka import KafkaConsumer, KafkaProducer
from marshmallow import fields
from sqlalchemy.dialects import postgresql

from chibo_contracts import DecodedEvent, EventRegistry
from chibo_contracts.registry import ContractSchema
from chibo_eventsourcing.consumer import ConsumerRunner
from chibo_eventsourcing.kafka import KafkaBus
from chibo_eventsourcing.relay import Relay, message_for
from chibo_eventsourcing.sql.engine import create_engine
from chibo_eventsourcing.sql.store import SqlEventStore
from chibo_eventsourcing.sql.tables import define_plumbing
from chibo_eventsourcing.sql.upsert import upsert
from chibo_eventsourcing.store import Metadata, NewEvent
from chibo_infra.kafka import kafka_bootstrap
from chibo_infra.postgres import create_database, drop_database, libpq_url, postgres_url

EVENT_TYPE = "bench.Counted"
NOTE = "a note of about the size of a real event's free text, in the bench payload"
RawMessage = tuple[bytes, bytes, list[tuple[str, bytes]]]


@dataclass(frozen=True)
class Rate:
    items: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.items / self.seconds


@dataclass(frozen=True)
class Pair:
    """The library and its raw baseline, measured back to back in the same run."""

    library: Rate
    raw: Rate

    @property
    def ratio(self) -> float:
        return self.library.per_second / self.raw.per_second


@dataclass
class Setup:
    args: argparse.Namespace
    store: SqlEventStore
    bus: KafkaBus
    url: str
    raw_url: str


class CountedSchema(ContractSchema):
    amount = fields.Integer(required=True, metadata={"description": "how much to add"})
    note = fields.String(required=True, metadata={"description": "free text"})


class TotalsProjection:
    """Per-stream totals, folded in memory per batch and upserted in the runner's transaction."""

    def __init__(self, table: sa.Table) -> None:
        self.table = table

    def start(self) -> dict[str, list[int]]:
        return defaultdict(lambda: [0, 0])

    def apply(self, state: dict[str, list[int]], event: DecodedEvent) -> None:
        totals = state[event.envelope.stream_id]
        totals[0] += event.data["amount"]
        totals[1] += 1

    def write(self, state: dict[str, list[int]], conn: sa.Connection) -> None:
        query = sa.select(self.table).where(self.table.c.stream_id.in_(list(state)))
        current = {r.stream_id: (r.total, r.events) for r in conn.execute(query)}
        rows = []
        for stream, (total, count) in state.items():
            old_total, old_count = current.get(stream, (0, 0))
            rows.append(
                {"stream_id": stream, "total": old_total + total, "events": old_count + count}
            )
        upsert(conn, self.table, rows, ["stream_id"])


def timed(action: Callable[[], int], profile: bool = False) -> Rate:
    """Run `action` (it returns how many items it handled) and time it; cProfile it if asked."""
    profiler = cProfile.Profile() if profile else None
    start = time.perf_counter()
    if profiler is not None:
        profiler.enable()
    items = action()
    if profiler is not None:
        profiler.disable()
    seconds = time.perf_counter() - start
    if profiler is not None:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
    return Rate(items, seconds)


def append_commands(store: SqlEventStore, args: argparse.Namespace, run: int) -> int:
    """Append `--events` as commands of `--command-size` events, round-robin over the streams."""
    size: int = args.command_size
    commands: int = args.events // size
    for command in range(commands):
        stream = f"run{run}-member-{command % args.streams}"
        data = [{"amount": (command + i) % 100, "note": NOTE} for i in range(size)]
        version = command // args.streams * size
        store.append(stream, version, [NewEvent(EVENT_TYPE, d) for d in data], Metadata("bench"))
    return commands * size


def insert_rows_one_per_commit(url: str, rows: int, run: int) -> int:
    """The baseline: one row per transaction, its SQL compiled once from a SQLAlchemy insert."""
    table = define_plumbing(sa.MetaData()).events
    row = {
        "stream_id": f"raw-{run}", "type": EVENT_TYPE, "schema_version": 1, "actor": "bench",
        "time": "2026-01-01T00:00:00+00:00", "subject": None, "causation_id": None,
        "correlation_id": str(uuid.uuid4()), "data": f'{{"amount":1,"note":"{NOTE}"}}',
        "prev_hash": "0" * 64, "hash": "f" * 64,
    }
    columns = [*row, "event_id", "stream_version"]
    statement = str(
        sa.insert(table).values({c: sa.bindparam(c) for c in columns})
        .compile(dialect=postgresql.dialect(paramstyle="pyformat"))
    )
    with psycopg.connect(libpq_url(url)) as conn:
        for version in range(1, rows + 1):
            values = row | {"event_id": str(uuid.uuid4()), "stream_version": version}
            conn.execute(statement, values)
            conn.commit()
    return rows


def relay_until_caught_up(relay: Relay) -> int:
    relayed = 0
    while (batch := relay.run_once()) > 0:
        relayed += batch
    return relayed


def raw_messages(store: SqlEventStore, after: int, count: int) -> list[RawMessage]:
    """The relay's exact messages (same sizes, same headers), built before the clock starts."""
    messages: list[RawMessage] = []
    while len(messages) < count and (events := store.read_all(after, 5000)):
        for m in map(message_for, events):
            messages.append(((m.key or "").encode(), m.value, list(m.headers)))
        after = events[-1].position or after
    return messages[:count]


def produce_raw(producer: KafkaProducer, topic: str, messages: list[RawMessage], batch: int) -> int:
    """send() every message and flush() after each batch: the relay's acknowledged batches, bare."""
    for start in range(0, len(messages), batch):
        for key, value, headers in messages[start : start + batch]:
            producer.send(topic, key=key, value=value, headers=headers)
        producer.flush()
    return len(messages)


def consume_with_runner(runner: ConsumerRunner[Any], records: int) -> int:
    runner.open()
    seen = 0
    while seen < records:
        report = runner.run_once()
        seen += report.applied + report.duplicates + len(report.dead_letters)
    runner.close()
    return seen


def consume_raw(bootstrap: str, topic: str, records: int, batch: int) -> int:
    """A group member configured as the bus's subscriptions are, polling until it read all."""
    consumer = KafkaConsumer(
        topic, bootstrap_servers=bootstrap, group_id=f"raw-{uuid.uuid4().hex[:8]}",
        enable_auto_commit=False, auto_offset_reset="earliest",
        max_partition_fetch_bytes=4 * 1024 * 1024,
    )
    seen = 0
    while seen < records:
        seen += sum(len(b) for b in consumer.poll(timeout_ms=1000, max_records=batch).values())
    consumer.close()
    return seen


def bench_store(setup: Setup, run: int) -> tuple[Pair, Pair]:
    args = setup.args
    events = timed(lambda: append_commands(setup.store, args, run), args.profile)
    raw = timed(lambda: insert_rows_one_per_commit(setup.raw_url, args.raw_rows, run))
    commands = Rate(events.items // args.command_size, events.seconds)
    return Pair(events, raw), Pair(commands, raw)


def bench_relay(setup: Setup, run: int, after: int, count: int) -> tuple[Pair, str]:
    args, bus = setup.args, setup.bus
    topic, raw_topic = f"bench-{uuid.uuid4().hex[:8]}.events", f"raw-{uuid.uuid4().hex[:8]}"
    bus.ensure_topics([topic, raw_topic], args.partitions)
    publisher, messages = bus.publisher(), raw_messages(setup.store, after, count)
    relay = Relay(setup.store, publisher, topic, name=f"bench-{run}", batch_size=args.batch_size)
    setup.store.save_cursor(relay.cursor, after)
    library = timed(lambda: relay_until_caught_up(relay), args.profile)
    publisher.close()
    producer = KafkaProducer(
        bootstrap_servers=bus.bootstrap_servers, acks="all", enable_idempotence=True,
        linger_ms=5, batch_size=256 * 1024,
    )
    raw = timed(lambda: produce_raw(producer, raw_topic, messages, args.batch_size))
    producer.close()
    return Pair(library, raw), topic


def bench_consumer(setup: Setup, topic: str, records: int) -> Pair:
    metadata = sa.MetaData()
    tables = define_plumbing(metadata)
    totals = sa.Table(
        "bench_totals", metadata, sa.Column("stream_id", sa.String(200), primary_key=True),
        sa.Column("total", sa.BigInteger, nullable=False),
        sa.Column("events", sa.Integer, nullable=False),
    )
    engine = create_engine(setup.url)
    metadata.create_all(engine)
    registry = EventRegistry()
    registry.register(EVENT_TYPE, 1, CountedSchema)
    runner = ConsumerRunner(
        engine=engine, tables=tables, bus=setup.bus, group=f"bench-{uuid.uuid4().hex[:8]}",
        topics=[topic], projection=TotalsProjection(totals), registry=registry,
        batch_size=setup.args.batch_size,
    )
    batch = setup.args.batch_size
    raw = timed(lambda: consume_raw(setup.bus.bootstrap_servers, topic, records, batch))
    library = timed(lambda: consume_with_runner(runner, records), setup.args.profile)
    engine.dispose()
    return Pair(library, raw)


def one_run(setup: Setup, run: int) -> dict[str, Pair]:
    after = setup.store.last_position()
    events, commands = bench_store(setup, run)
    relay, topic = bench_relay(setup, run, after, events.library.items)
    consumer = bench_consumer(setup, topic, relay.library.items)
    return {"store events": events, "store commands": commands, "relay publish": relay,
            "consumer apply": consumer}


TARGETS = {"relay publish": 0.5, "consumer apply": 0.4}
UNITS = {"store events": ("ev", "row"), "store commands": ("cmd", "txn"),
         "relay publish": ("msg", "msg"), "consumer apply": ("msg", "msg")}


def report(name: str, pairs: list[Pair]) -> None:
    """Medians over the runs; the ratio is the median of each run's own ratio."""
    (unit, raw_unit), target = UNITS[name], TARGETS.get(name)
    library = statistics.median(p.library.per_second for p in pairs)
    raw = statistics.median(p.raw.per_second for p in pairs)
    ratio = statistics.median(p.ratio for p in pairs)
    runs = " ".join(f"{p.ratio:.2f}" for p in pairs)
    verdict = ""
    if target is not None:
        verdict = f"  target >= {target}: {'met' if ratio >= target else 'MISSED'}"
    print(f"{name:<15} library {library:>8,.0f} {unit}/s   raw {raw:>8,.0f} {raw_unit}/s   "
          f"ratio {ratio:.2f} (runs: {runs}){verdict}")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=50_000, help="events appended and relayed")
    parser.add_argument("--command-size", type=int, default=25, help="events per append")
    parser.add_argument("--streams", type=int, default=500, help="streams the commands go to")
    parser.add_argument("--raw-rows", type=int, default=5_000, help="rows of the raw insert loop")
    parser.add_argument("--batch-size", type=int, default=1000, help="relay and consumer batch")
    parser.add_argument("--partitions", type=int, default=3, help="partitions per topic")
    parser.add_argument("--repeat", type=int, default=3, help="runs; medians are reported")
    parser.add_argument("--profile", action="store_true", help="cProfile the library phases")
    return parser.parse_args()


@contextmanager
def scratch_database(server_url: str, purpose: str) -> Iterator[str]:
    name = f"bench_{purpose}_{uuid.uuid4().hex[:8]}"
    url = create_database(server_url, name)
    try:
        yield url
    finally:
        drop_database(server_url, name)


def main() -> None:
    args = parse_args()
    with ExitStack() as stack:
        server = stack.enter_context(postgres_url())
        bus = KafkaBus(stack.enter_context(kafka_bootstrap()))
        url, raw_url = (stack.enter_context(scratch_database(server, p)) for p in ("lib", "raw"))
        store = SqlEventStore(create_engine(url), "bench")
        store.create_tables()
        SqlEventStore(create_engine(raw_url), "raw").create_tables()
        runs = [one_run(Setup(args, store, bus, url, raw_url), run) for run in range(args.repeat)]
    print(f"\nplumbing benchmark {time.strftime('%Y-%m-%d %H:%M')}: {vars(args)}")
    for name in runs[0]:
        report(name, [run[name] for run in runs])


if __name__ == "__main__":
    main()
