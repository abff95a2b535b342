"""Relay and consumer processes killed (-9) or stopped (SIGTERM) on real Kafka and PostgreSQL."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from kafka import KafkaAdminClient, KafkaConsumer
from kafka import TopicPartition as KafkaTP
from kafka.consumer.fetcher import ConsumerRecord

from chibo_eventsourcing.bus import TopicPartition
from chibo_eventsourcing.consumer import BatchReport, ConsumerRunner
from chibo_eventsourcing.kafka import KafkaBus
from chibo_eventsourcing.relay import Relay
from chibo_eventsourcing.sql.engine import create_engine
from chibo_eventsourcing.sql.store import SqlEventStore
from chibo_eventsourcing.sql.tables import define_plumbing
from chibo_eventsourcing.store import Metadata, NewEvent

from .crash_worker import WrappedBus, consumer_tables, make_runner
from .tally import EVENT_TYPE, define_tally, totals

pytestmark = [pytest.mark.kafka, pytest.mark.postgres, pytest.mark.slow]

WORKER_CWD = Path(__file__).resolve().parents[1]
PARTITIONS = 3
STREAMS = 24
DEADLINE_S = 60.0

Totals = dict[str, tuple[int, int]]


@dataclass
class World:
    """One fresh database (store and consumer) and one fresh topic on the shared broker."""

    config: dict[str, Any]
    store: SqlEventStore
    bus: KafkaBus
    tmp_path: Path
    runners: list[ConsumerRunner[Any]] = field(default_factory=list)

    @property
    def topic(self) -> str:
        return str(self.config["topic"])

    def runner(self, bus: Any = None) -> ConsumerRunner[Any]:
        runner = make_runner(self.config, bus or self.bus)
        self.runners.append(runner)
        return runner


@dataclass(frozen=True)
class Exit:
    returncode: int
    reports: list[dict[str, Any]]
    stderr: str


@pytest.fixture
def world(fresh_postgres_url, kafka_bootstrap_servers, unique_name, tmp_path):
    bus = KafkaBus(kafka_bootstrap_servers)
    topic = f"crash-{unique_name}.events"
    bus.ensure_topics([topic], partitions=PARTITIONS)
    store = SqlEventStore(create_engine(fresh_postgres_url), "test")
    store.create_tables()
    consumer_tables(store.engine)
    config = {
        "database_url": fresh_postgres_url,
        "bootstrap": kafka_bootstrap_servers,
        "topic": topic,
        "group": f"tally-{unique_name}",
    }
    world = World(config, store, bus, tmp_path)
    yield world
    for runner in world.runners:
        runner.close()
        runner.engine.dispose()
    store.engine.dispose()


def append(store: SqlEventStore, events_per_stream: int) -> None:
    """Append to every stream; stream s counts s + 1 per event so that totals tell streams apart."""
    for s in range(STREAMS):
        stream = f"stream-{s}"
        batch = [NewEvent(EVENT_TYPE, {"amount": s + 1}) for _ in range(events_per_stream)]
        store.append(stream, len(store.load(stream)), batch, Metadata(actor="test"))


def expected_totals(events_per_stream: int) -> Totals:
    return {f"stream-{s}": ((s + 1) * events_per_stream, events_per_stream) for s in range(STREAMS)}


def relay_all(world: World) -> int:
    publisher = world.bus.publisher()
    relay = Relay(world.store, publisher, world.topic)
    published = 0
    while (batch := relay.run_once()) > 0:
        published += batch
    publisher.close()
    return published


def worker_command(scenario: str, config: dict[str, Any]) -> list[str]:
    return [sys.executable, "-m", "tests.crash_worker", scenario, json.dumps(config)]


def run_worker(world: World, scenario: str, **options: Any) -> Exit:
    """Run a worker process to its end (killed or not) and collect what it reported. Only the
    worker is waited for: a process it started may outlive it (its output goes to the same
    files, `<scenario>.stdout` and `.stderr` under the test's folder)."""
    stdout_path = world.tmp_path / f"{scenario}.stdout"
    stderr_path = world.tmp_path / f"{scenario}.stderr"
    with stdout_path.open("wb") as stdout, stderr_path.open("wb") as stderr:
        process = subprocess.Popen(
            worker_command(scenario, world.config | options),
            cwd=WORKER_CWD,
            stdout=stdout,
            stderr=stderr,
        )
        try:
            returncode = process.wait(DEADLINE_S)
        finally:
            process.kill()
    return Exit(returncode, _reports(stdout_path.read_bytes()),
                stderr_path.read_text(errors="replace"))


def exited(pid: int) -> bool:
    """Whether process `pid` has ended (a zombie not yet reaped counts as ended)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state == "Z"


def _reports(stdout: bytes) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stdout.decode().splitlines() if line.startswith("{")]


def wait_until(condition: Callable[[], bool], what: str, deadline_s: float = DEADLINE_S) -> None:
    deadline = time.monotonic() + deadline_s
    while not condition():
        assert time.monotonic() < deadline, f"gave up after {deadline_s:.0f} s waiting until {what}"
        time.sleep(0.05)


def topic_records(world: World) -> list[ConsumerRecord]:
    """Every record on the topic, read by a raw kafka-python consumer outside any group."""
    consumer = KafkaConsumer(bootstrap_servers=world.config["bootstrap"], enable_auto_commit=False)
    partitions = [KafkaTP(world.topic, p) for p in range(PARTITIONS)]
    consumer.assign(partitions)
    consumer.seek_to_beginning()
    end = consumer.end_offsets(partitions)
    records: list[ConsumerRecord] = []
    deadline = time.monotonic() + DEADLINE_S
    while any(consumer.position(tp) < end[tp] for tp in partitions):
        assert time.monotonic() < deadline, "could not read the whole topic"
        for batch in consumer.poll(timeout_ms=500).values():
            records.extend(batch)
    consumer.close()
    return records


def header(record: ConsumerRecord, name: str) -> str:
    value: bytes = dict(record.headers)[name]
    return value.decode()


def stored_offsets(world: World) -> dict[TopicPartition, int]:
    table = define_plumbing(sa.MetaData()).consumer_offsets
    query = sa.select(table).where(table.c.group_id == world.config["group"])
    with world.store.engine.connect() as conn:
        return {(r.topic, r.partition): r.next_offset for r in conn.execute(query)}


def applied_versions(world: World) -> dict[str, int]:
    table = define_plumbing(sa.MetaData()).consumer_streams
    query = sa.select(table).where(table.c.group_id == world.config["group"])
    with world.store.engine.connect() as conn:
        # Rows are keyed "<source>:<stream id>"; the tests speak of stream ids.
        return {r.stream_id.partition(":")[2]: r.version for r in conn.execute(query)}


def tally(world: World) -> Totals:
    return totals(world.store.engine, define_tally(sa.MetaData()))


def applied_count(world: World) -> int:
    return sum(count for _, count in tally(world).values())


def kafka_committed(world: World) -> dict[TopicPartition, int]:
    """The group's advisory offsets as the broker holds them."""
    admin = KafkaAdminClient(bootstrap_servers=world.config["bootstrap"])
    try:
        offsets = admin.list_group_offsets(world.config["group"]).get(world.config["group"], {})
    finally:
        admin.close()
    return {(tp.topic, tp.partition): m.offset for tp, m in offsets.items() if m.offset >= 0}


def consume_to_end(runner: ConsumerRunner[Any], world: World, records: int) -> list[BatchReport]:
    """Run batches until the stored offsets cover all `records` on the topic, with a deadline."""
    runner.open()
    reports: list[BatchReport] = []
    deadline = time.monotonic() + DEADLINE_S
    while sum(stored_offsets(world).values()) < records:
        assert time.monotonic() < deadline, f"stored offsets stuck at {stored_offsets(world)}"
        reports.append(runner.run_once())
    return reports


def test_relay_killed_after_publish_republishes_but_effects_apply_once(world):
    append(world.store, events_per_stream=5)
    died = run_worker(world, "relay")
    assert died.returncode == -signal.SIGKILL, died.stderr
    assert died.reports == [{"acknowledged": STREAMS * 5}]
    assert world.store.load_cursor(f"relay:{world.topic}") == 0, "the cursor moved on"

    append(world.store, events_per_stream=1)
    assert relay_all(world) == STREAMS * 6
    first_batch = {e.id for e in world.store.read_all(0, STREAMS * 5)}
    later = {e.id for e in world.store.read_all(STREAMS * 5)}
    records = topic_records(world)
    assert len(records) == 2 * STREAMS * 5 + STREAMS
    assert Counter(header(r, "ce_id") for r in records) == (
        {i: 2 for i in first_batch} | {i: 1 for i in later}
    )

    reports = consume_to_end(world.runner(), world, len(records))
    assert tally(world) == expected_totals(6)
    assert sum(r.applied for r in reports) == STREAMS * 6
    assert sum(r.duplicates for r in reports) == STREAMS * 5


def test_consumer_killed_before_its_batch_commits_resumes_and_applies_each_event_once(world):
    append(world.store, events_per_stream=50)
    relay_all(world)
    died = run_worker(world, "kill_in_write", kill_on_batch=4)
    assert died.returncode == -signal.SIGKILL, died.stderr
    [seen] = died.reports
    committed = applied_count(world)
    assert 0 < committed == seen["seen_in_transaction"] - seen["in_batch"]
    # The topic holds each event once, so effects and offsets agree only if they committed together.
    assert sum(stored_offsets(world).values()) == committed

    reports = consume_to_end(world.runner(), world, STREAMS * 50)
    assert tally(world) == expected_totals(50)
    assert sum(r.applied for r in reports) == STREAMS * 50 - committed


def test_a_runner_killed_while_its_writer_process_writes_is_resumed_after_that_write(world):
    """The writer process, orphaned, commits its batch after a successor has started: the
    successor's claim on the group waits for that commit, so it reads the offsets stored with
    the batch instead of applying the batch a second time."""
    append(world.store, events_per_stream=50)
    relay_all(world)
    died = run_worker(world, "kill_runner_in_write", kill_on_batch=4)
    assert died.returncode == -signal.SIGKILL, died.stderr
    stored_before = sum(stored_offsets(world).values())  # the orphan has not committed yet
    [orphan] = died.reports

    reports = consume_to_end(world.runner(), world, STREAMS * 50)
    assert tally(world) == expected_totals(50)
    assert sum(r.applied for r in reports) == STREAMS * 50 - stored_before - orphan["orphan_writes"]
    wait_until(lambda: exited(orphan["orphan_pid"]), "the orphaned writer exited")
    stderr = (world.tmp_path / "kill_runner_in_write.stderr").read_text()
    assert "Traceback" not in stderr  # it finds its parent gone and exits quietly


def test_consumer_killed_before_the_kafka_commit_skips_what_kafka_redelivers(world):
    append(world.store, events_per_stream=50)
    relay_all(world)
    died = run_worker(world, "kill_on_acknowledge", kill_on_batch=4)
    assert died.returncode == -signal.SIGKILL, died.stderr
    stored = stored_offsets(world)
    assert [{"stored": sum(stored.values())}] == died.reports
    assert applied_count(world) == sum(stored.values())
    advisory = kafka_committed(world)
    behind = sum(stored.values()) - sum(advisory.values())
    assert behind > 0, f"Kafka {advisory} is not behind the stored offsets {stored}"

    # Start where Kafka's group offsets say, so the already-applied records really come again.
    resumed = world.runner(
        WrappedBus(
            world.bus, start_offsets=lambda tps: {tp: advisory[tp] for tp in tps if tp in advisory}
        )
    )
    reports = consume_to_end(resumed, world, STREAMS * 50)
    assert tally(world) == expected_totals(50)
    assert sum(r.duplicates for r in reports) == behind
    assert sum(r.applied for r in reports) == STREAMS * 50 - sum(stored.values())


def test_sigterm_stops_the_runner_after_its_batch_with_offsets_matching_effects(world):
    append(world.store, events_per_stream=50)
    relay_all(world)
    stderr_path = world.tmp_path / "until_signalled.stderr"
    with stderr_path.open("wb") as stderr:
        process = subprocess.Popen(
            worker_command("until_signalled", world.config | {"batch_size": 25}),
            cwd=WORKER_CWD,
            stdout=subprocess.PIPE,
            stderr=stderr,
        )
        try:
            wait_until(lambda: applied_count(world) > 0, "the runner applied a batch")
            process.send_signal(signal.SIGTERM)
            stdout, _ = process.communicate(timeout=DEADLINE_S)
        finally:
            process.kill()
    assert process.returncode == 0, stderr_path.read_text(errors="replace")
    assert _reports(stdout) == [{"stopped": True}]
    assert 0 < applied_count(world) < STREAMS * 50, "SIGTERM did not land mid-stream"
    assert_effects_match_offsets(world)

    consume_to_end(world.runner(), world, STREAMS * 50)
    assert tally(world) == expected_totals(50)


def assert_effects_match_offsets(world: World) -> None:
    """Everything below the stored offsets is applied, and nothing at or above them."""
    stored = stored_offsets(world)
    done = [r for r in topic_records(world) if r.offset < stored.get((r.topic, r.partition), 0)]
    counts = Counter(r.key.decode() for r in done)
    amounts: Counter[str] = Counter()
    for record in done:
        amounts[record.key.decode()] += json.loads(record.value)["amount"]
    assert tally(world) == {stream: (amounts[stream], counts[stream]) for stream in counts}
    versions: dict[str, int] = {}
    for record in done:
        stream = record.key.decode()
        versions[stream] = max(versions.get(stream, 0), int(header(record, "ce_streamversion")))
    assert applied_versions(world) == versions
