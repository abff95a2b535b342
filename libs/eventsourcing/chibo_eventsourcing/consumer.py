"""The consumer runner: batches applied with their offsets in one transaction; poison to a DLQ."""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

import sqlalchemy as sa

from chibo_contracts import ContractError, DecodedEvent, Envelope, EventRegistry, UnknownEventError
from chibo_contracts.envelope import EnvelopeError
from chibo_eventsourcing.bus import (
    Bus,
    OutgoingMessage,
    Publisher,
    Record,
    Subscription,
    TopicPartition,
)
from chibo_eventsourcing.child_writer import DATA_ERRORS, ChildWriter, WriteRefusedError
from chibo_eventsourcing.sql.engine import read_connection
from chibo_eventsourcing.sql.keys import one_of
from chibo_eventsourcing.sql.ownership import GroupLock, claim, hold
from chibo_eventsourcing.sql.tables import PlumbingTables
from chibo_eventsourcing.sql.upsert import upsert

log = logging.getLogger(__name__)

State = TypeVar("State")


class Projection(Protocol[State]):
    """Folds a batch of events in memory, then writes the result in the runner's transaction."""

    def start(self) -> State: ...

    def apply(self, state: State, event: DecodedEvent) -> None: ...

    def write(self, state: State, conn: sa.Connection) -> None: ...


@dataclass(frozen=True)
class DeadLetter:
    record: Record
    reason: str
    error: str

    def message(self, group: str) -> OutgoingMessage:
        origin = (
            ("dlq_reason", self.reason),
            ("dlq_error", self.error[:2000]),
            ("dlq_group", group),
            ("dlq_topic", self.record.topic),
            ("dlq_partition", str(self.record.partition)),
            ("dlq_offset", str(self.record.offset)),
        )
        headers = self.record.headers + tuple((k, v.encode("utf-8")) for k, v in origin)
        return OutgoingMessage(key=self.record.key, value=self.record.value, headers=headers)


@dataclass
class BatchReport:
    polled: int = 0
    polled_bytes: int = 0  # of the records' values
    applied: int = 0
    duplicates: int = 0
    dead_letters: list[DeadLetter] = field(default_factory=list)


def stream_key(envelope: Envelope) -> str:
    """How `consumer_streams` names a stream: ids are only unique within their source."""
    return f"{envelope.source}:{envelope.stream_id}"


def dlq_topic(group: str) -> str:
    return f"{group}.dlq"


@dataclass
class BatchStore(Generic[State]):
    """Writes a folded batch with its offsets and per-stream versions in one transaction, as
    the group's owner of `epoch` (see `chibo_eventsourcing.sql.ownership`)."""

    engine: sa.Engine
    tables: PlumbingTables
    group: str
    projection: Projection[State]

    def store(
        self,
        state: State,
        versions: Mapping[str, int],
        next_offsets: Mapping[TopicPartition, int],
        epoch: int,
    ) -> None:
        with self.engine.begin() as conn:
            hold(conn, self.tables.consumer_owners, self.group, epoch)
            self.projection.write(state, conn)
            upsert(
                conn,
                self.tables.consumer_offsets,
                _offset_rows(self.group, next_offsets),
                ["group_id", "topic", "partition"],
            )
            upsert(
                conn,
                self.tables.consumer_streams,
                [
                    {"group_id": self.group, "stream_id": s, "version": v}
                    for s, v in versions.items()
                ],
                ["group_id", "stream_id"],
            )


@dataclass
class _Folded(Generic[State]):
    """A batch ready to store: its events, folded state, offsets reached and stream versions."""

    events: list[tuple[Record, DecodedEvent]]
    state: State
    next_offsets: dict[TopicPartition, int]
    versions: dict[str, int]
    report: BatchReport


class ConsumerRunner(Generic[State]):
    """Effectively-once: offsets and per-stream versions are stored with the projection's effect.

    One runner per group and database runs at a time: `open` stands by while another process
    runs the group, and a batch is stored only while this runner's claim on the group is the
    latest (`chibo_eventsourcing.sql.ownership`).

    With `child_writer` (a picklable factory of the `BatchStore` to use), each batch is written
    by a second process while this one polls, decodes and folds the next (see `child_writer`).
    """

    def __init__(
        self,
        *,
        engine: sa.Engine,
        tables: PlumbingTables,
        bus: Bus,
        group: str,
        topics: Sequence[str],
        projection: Projection[State],
        registry: EventRegistry,
        batch_size: int = 1000,
        poll_timeout: float = 1.0,
        child_writer: Callable[[], BatchStore[State]] | None = None,
        standby_retry_seconds: float = 1.0,
    ) -> None:
        self.engine = engine
        self.tables = tables
        self.bus = bus
        self.group = group
        self.topics = list(topics)
        self.projection = projection
        self.registry = registry
        self.batch_size = batch_size
        self.poll_timeout = poll_timeout
        self.child_writer = child_writer
        self.standby_retry_seconds = standby_retry_seconds
        self._lock: GroupLock | None = None
        self._epoch = 0
        self._subscription: Subscription | None = None
        self._dlq: Publisher | None = None
        self._child: ChildWriter | None = None
        self._pending: _Folded[State] | None = None  # submitted to the child, not yet stored

    def open(self, stop: threading.Event | None = None) -> bool:
        """Take the group, standing by while another process runs it, and subscribe. False,
        and nothing opened, if `stop` is set while standing by."""
        lock = GroupLock(self.engine, self.group, self.standby_retry_seconds)
        if not lock.acquire(stop):
            return False
        self._lock = lock
        try:  # whatever fails from here on, the group is released
            with self.engine.begin() as conn:
                self._epoch = claim(conn, self.tables.consumer_owners, self.group)
            log.info("consumer group %r taken (epoch %d)", self.group, self._epoch)
            self.bus.ensure_topics([dlq_topic(self.group)], partitions=1)
            self._dlq = self.bus.publisher()
            if self.child_writer is not None:
                self._child = ChildWriter(self.child_writer, name=f"{self.group}-writer")
            self._subscription = self.bus.subscribe(self.group, self.topics, self.stored_offsets)
        except BaseException:
            self.close()
            raise
        return True

    @property
    def in_flight(self) -> bool:
        """Whether a batch is still being stored by the child writer."""
        return self._pending is not None

    def drain(self) -> None:
        """Wait until the batch in flight, if any, is stored."""
        if self._pending is not None:
            self._finish()

    def close(self) -> None:
        """Store the batch in flight (if any), then release the subscription, the child and
        the group."""
        try:
            self.drain()
        finally:
            if self._subscription is not None:
                self._subscription.close()
            if self._dlq is not None:
                self._dlq.close()
            if self._child is not None:
                self._child.close()
            if self._lock is not None:
                self._lock.release()
            self._subscription = self._dlq = self._child = self._pending = self._lock = None

    def run(self, stop: threading.Event) -> None:
        """Process batches until `stop` is set; the batch under way is finished first."""
        if not self.open(stop):
            return
        try:
            while not stop.is_set():
                self.run_once()
        finally:
            self.close()

    def run_once(self) -> BatchReport:
        """Poll, decode, fold and store one batch, and report it. With a child writer the batch
        is left in flight, stored by the time the next call returns (or `close`): a call that
        polls nothing finishes it."""
        assert self._subscription is not None and self._dlq is not None, "call open() first"
        pending = self._pending
        # With a batch in flight, take only what has arrived: an idle poll finishes that batch.
        records = self._subscription.poll(self.batch_size, 0.0 if pending else self.poll_timeout)
        if not records:
            if pending is not None:
                self._finish()
            return BatchReport()
        report = BatchReport(polled=len(records), polled_bytes=sum(len(r.value) for r in records))
        decoded, next_offsets = self._decoded(records, report)
        folded = self._prepare(decoded, next_offsets, report, pending)
        if pending is not None:
            self._finish()
        if report.dead_letters:
            # Dead letters are acknowledged before the offsets that pass them are stored.
            self._dlq.publish(
                dlq_topic(self.group), [d.message(self.group) for d in report.dead_letters]
            )
        if self._child is None:
            self._store_now(folded)
        else:
            self._child.submit(folded.state, folded.versions, folded.next_offsets, self._epoch)
            self._pending = folded
        return report

    def _finish(self) -> None:
        """Wait for the batch in flight to be stored (one event at a time if refused; its
        report, already returned, then counts what was applied and dead-lettered)."""
        assert self._child is not None and self._pending is not None
        folded, self._pending = self._pending, None
        try:
            self._child.result()
        except WriteRefusedError as exc:
            self._store_one_by_one(folded, exc)
        else:
            self._acknowledge(folded.next_offsets)

    def _store_now(self, folded: _Folded[State]) -> None:
        try:
            self._batch_store().store(
                folded.state, folded.versions, folded.next_offsets, self._epoch
            )
        except DATA_ERRORS as exc:
            self._store_one_by_one(folded, exc)
        else:
            self._acknowledge(folded.next_offsets)

    def _acknowledge(self, next_offsets: Mapping[TopicPartition, int]) -> None:
        assert self._subscription is not None  # close() stores the batch in flight first
        self._subscription.acknowledge(next_offsets)

    def _batch_store(self) -> BatchStore[State]:
        return BatchStore(self.engine, self.tables, self.group, self.projection)

    def _store_one_by_one(self, folded: _Folded[State], refusal: Exception) -> None:
        """The batch's write was refused for its data: find the event at fault, one at a time."""
        assert self._dlq is not None
        log.warning("a batch of %d events was refused (%r): storing them one at a time",
                    len(folded.events), refusal)
        report, batch_store = folded.report, self._batch_store()
        report.applied = 0
        for record, event in folded.events:
            state = self.projection.start()
            self.projection.apply(state, event)
            passed = {record.topic_partition: record.offset + 1}
            version = {stream_key(event.envelope): event.envelope.stream_version}
            try:
                batch_store.store(state, version, passed, self._epoch)
                report.applied += 1
            except DATA_ERRORS as exc:
                log.warning("dead-lettering %s: its write failed: %r", event.envelope.id, exc)
                letter = DeadLetter(record, "handler_error", f"write failed: {exc!r}")
                report.dead_letters.append(letter)
                self._dlq.publish(dlq_topic(self.group), [letter.message(self.group)])
                batch_store.store(self.projection.start(), {}, passed, self._epoch)
        batch_store.store(self.projection.start(), {}, folded.next_offsets, self._epoch)
        self._acknowledge(folded.next_offsets)

    def stored_offsets(self, partitions: Sequence[TopicPartition]) -> dict[TopicPartition, int]:
        table = self.tables.consumer_offsets
        with read_connection(self.engine) as conn:
            rows = conn.execute(
                sa.select(table.c.topic, table.c.partition, table.c.next_offset).where(
                    table.c.group_id == self.group, table.c.topic.in_({t for t, _ in partitions})
                )
            )
            stored = {(r.topic, r.partition): int(r.next_offset) for r in rows}
        return {tp: stored[tp] for tp in partitions if tp in stored}

    def _decoded(
        self, records: list[Record], report: BatchReport
    ) -> tuple[list[tuple[Record, DecodedEvent]], dict[TopicPartition, int]]:
        """The records past the stored offsets, decoded. (Records of the batch in flight that
        come again after a rebalance pass here, and are dropped by their stream versions.)"""
        stored = self.stored_offsets(sorted({r.topic_partition for r in records}))
        next_offsets: dict[TopicPartition, int] = {}
        decoded: list[tuple[Record, DecodedEvent]] = []
        for record in records:
            tp = record.topic_partition
            next_offsets[tp] = max(next_offsets.get(tp, 0), record.offset + 1)
            if record.offset < stored.get(tp, 0):
                report.duplicates += 1
                continue
            event = self._decode(record, report)
            if event is not None:
                decoded.append((record, event))
        return decoded, next_offsets

    def _decode(self, record: Record, report: BatchReport) -> DecodedEvent | None:
        try:
            return self.registry.decode(Envelope.from_message(record.value, record.headers),
                                        record.value)
        except EnvelopeError as exc:
            report.dead_letters.append(DeadLetter(record, "undecodable", str(exc)))
        except UnknownEventError as exc:
            report.dead_letters.append(DeadLetter(record, "unknown_type", str(exc)))
        except ContractError as exc:
            report.dead_letters.append(DeadLetter(record, "invalid", str(exc)))
        return None

    def _prepare(
        self,
        decoded: list[tuple[Record, DecodedEvent]],
        next_offsets: dict[TopicPartition, int],
        report: BatchReport,
        pending: _Folded[State] | None,
    ) -> _Folded[State]:
        """Drop the events already applied, by the batch in flight too, then fold the rest. (If
        the batch in flight is refused and one of its events dead-lettered, a copy of that event
        here still counts as a duplicate.)"""
        events = self._new_per_stream(decoded, report, pending.versions if pending else {})
        state = self._fold(events, report)
        versions: dict[str, int] = defaultdict(int)
        for _, event in events:
            stream = stream_key(event.envelope)
            versions[stream] = max(versions[stream], event.envelope.stream_version)
        return _Folded(events, state, next_offsets, dict(versions), report)

    def _new_per_stream(
        self,
        decoded: list[tuple[Record, DecodedEvent]],
        report: BatchReport,
        in_flight: Mapping[str, int],
    ) -> list[tuple[Record, DecodedEvent]]:
        """Drop events already applied: the relay may publish an event twice at new offsets."""
        applied = self._applied_versions({stream_key(e.envelope) for _, e in decoded})
        for stream, version in in_flight.items():
            applied[stream] = max(applied.get(stream, 0), version)
        fresh = []
        for record, event in decoded:
            stream, version = stream_key(event.envelope), event.envelope.stream_version
            if version <= applied.get(stream, 0):
                report.duplicates += 1
                continue
            applied[stream] = version
            fresh.append((record, event))
        return fresh

    def _applied_versions(self, streams: Iterable[str]) -> dict[str, int]:
        table = self.tables.consumer_streams
        query = sa.select(table.c.stream_id, table.c.version).where(table.c.group_id == self.group)
        with read_connection(self.engine) as conn:
            return {
                r.stream_id: int(r.version)
                for condition in one_of(conn, table.c.stream_id, streams)
                for r in conn.execute(query.where(condition))
            }

    def _fold(self, events: list[tuple[Record, DecodedEvent]], report: BatchReport) -> State:
        """Apply every event; one that raises is dead-lettered and the batch refolded without it."""
        while True:
            state = self.projection.start()
            for index, (record, event) in enumerate(events):
                try:
                    self.projection.apply(state, event)
                except Exception as exc:  # noqa: BLE001 - any handler failure is dead-lettered
                    log.warning("dead-lettering %s: %r", event.envelope.id, exc)
                    report.dead_letters.append(DeadLetter(record, "handler_error", repr(exc)))
                    del events[index]
                    break
            else:
                report.applied = len(events)
                return state


def _offset_rows(group: str, next_offsets: Mapping[TopicPartition, int]) -> list[dict[str, Any]]:
    return [
        {"group_id": group, "topic": topic, "partition": partition, "next_offset": offset}
        for (topic, partition), offset in next_offsets.items()
    ]
