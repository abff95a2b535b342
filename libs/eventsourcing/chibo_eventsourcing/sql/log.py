"""The embedded log: a table-backed bus with Kafka's shape, for the single-machine mode.

One consumer process per group reads every partition of its topics (no group coordination).
"""

from __future__ import annotations

import json
import time
import zlib
from collections.abc import Mapping, Sequence
from itertools import count

import sqlalchemy as sa

from chibo_eventsourcing.bus import (
    Bus,
    OutgoingMessage,
    Publisher,
    Record,
    StartOffsets,
    Subscription,
    TopicPartition,
)
from chibo_eventsourcing.sql.engine import read_connection
from chibo_eventsourcing.sql.tables import Position
from chibo_eventsourcing.sql.upsert import upsert

_round_robin = count()


def define_log(metadata: sa.MetaData) -> tuple[sa.Table, sa.Table]:
    partitions = sa.Table(
        "log_partitions",
        metadata,
        sa.Column("topic", sa.String(200), primary_key=True),
        sa.Column("partition", sa.Integer, primary_key=True),
        sa.Column("next_offset", Position, nullable=False),
    )
    messages = sa.Table(
        "log_messages",
        metadata,
        sa.Column("topic", sa.String(200), primary_key=True),
        sa.Column("partition", sa.Integer, primary_key=True),
        sa.Column("offset", Position, primary_key=True),
        sa.Column("key", sa.String(200)),
        sa.Column("value", sa.LargeBinary, nullable=False),
        sa.Column("headers", sa.Text, nullable=False),
    )
    return partitions, messages


class SqlLog(Bus):
    """Topics and records in two tables of their own database."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.metadata = sa.MetaData()
        self.partitions, self.messages = define_log(self.metadata)
        self.metadata.create_all(engine)

    def ensure_topics(self, topics: Sequence[str], partitions: int) -> None:
        rows = [
            {"topic": t, "partition": p, "next_offset": 0}
            for t in topics
            for p in range(partitions)
        ]
        with self.engine.begin() as conn:
            known = {
                row.topic
                for row in conn.execute(
                    sa.select(self.partitions.c.topic).where(self.partitions.c.topic.in_(topics))
                )
            }
            upsert(
                conn,
                self.partitions,
                [r for r in rows if r["topic"] not in known],
                ["topic", "partition"],
            )

    def partition_count(self, conn: sa.Connection, topic: str) -> int:
        query = sa.select(sa.func.count()).where(self.partitions.c.topic == topic)
        return int(conn.execute(query).scalar() or 0)

    def publisher(self) -> Publisher:
        return _LogPublisher(self)

    def subscribe(
        self, group: str, topics: Sequence[str], start_offsets: StartOffsets
    ) -> Subscription:
        with read_connection(self.engine) as conn:
            assigned = [
                (row.topic, row.partition)
                for row in conn.execute(
                    sa.select(self.partitions.c.topic, self.partitions.c.partition)
                    .where(self.partitions.c.topic.in_(topics))
                    .order_by(self.partitions.c.topic, self.partitions.c.partition)
                )
            ]
        return _LogSubscription(self, dict(start_offsets(assigned)), assigned)


class _LogPublisher(Publisher):
    def __init__(self, log: SqlLog) -> None:
        self.log = log

    def publish(self, topic: str, messages: Sequence[OutgoingMessage]) -> None:
        if not messages:
            return
        partitions = self.log.partitions
        with self.log.engine.begin() as conn:
            next_offsets = {
                row.partition: row.next_offset
                for row in conn.execute(
                    sa.select(partitions.c.partition, partitions.c.next_offset)
                    .where(partitions.c.topic == topic)
                    .with_for_update()
                )
            }
            if not next_offsets:
                raise LookupError(f"unknown topic {topic!r}")
            rows = []
            for message in messages:
                partition = _partition_for(message.key, len(next_offsets))
                rows.append(
                    {
                        "topic": topic,
                        "partition": partition,
                        "offset": next_offsets[partition],
                        "key": message.key,
                        "value": message.value,
                        "headers": _encode_headers(message.headers),
                    }
                )
                next_offsets[partition] += 1
            conn.execute(sa.insert(self.log.messages), rows)
            upsert(
                conn,
                partitions,
                [
                    {"topic": topic, "partition": p, "next_offset": o}
                    for p, o in next_offsets.items()
                ],
                ["topic", "partition"],
            )


class _LogSubscription(Subscription):
    def __init__(
        self, log: SqlLog, positions: dict[TopicPartition, int], assigned: list[TopicPartition]
    ) -> None:
        self.log = log
        self.positions = {tp: positions.get(tp, 0) for tp in assigned}

    def poll(self, max_records: int, timeout: float) -> list[Record]:
        deadline = time.monotonic() + timeout
        while True:
            records = self._read(max_records)
            if records or time.monotonic() >= deadline:
                return records
            time.sleep(min(0.05, max(0.0, deadline - time.monotonic())))

    def _read(self, max_records: int) -> list[Record]:
        messages = self.log.messages
        records: list[Record] = []
        with read_connection(self.log.engine) as conn:
            for (topic, partition), position in self.positions.items():
                if len(records) >= max_records:
                    break
                query = (
                    sa.select(messages)
                    .where(
                        messages.c.topic == topic,
                        messages.c.partition == partition,
                        messages.c.offset >= position,
                    )
                    .order_by(messages.c.offset)
                    .limit(max_records - len(records))
                )
                records.extend(_record(row) for row in conn.execute(query).mappings())
        for record in records:
            self.positions[record.topic_partition] = record.offset + 1
        return records

    def acknowledge(self, next_offsets: Mapping[TopicPartition, int]) -> None:
        """Nothing to tell: the consumer's own database holds the truth."""


def _partition_for(key: str | None, partitions: int) -> int:
    if key is None:
        return next(_round_robin) % partitions
    return zlib.crc32(key.encode("utf-8")) % partitions


def _encode_headers(headers: Sequence[tuple[str, bytes]]) -> str:
    return json.dumps([[name, value.decode("utf-8", "surrogateescape")] for name, value in headers])


def _record(row: sa.RowMapping) -> Record:
    headers = tuple(
        (str(name), str(value).encode("utf-8", "surrogateescape"))
        for name, value in json.loads(row["headers"])
    )
    return Record(
        topic=row["topic"],
        partition=row["partition"],
        offset=row["offset"],
        key=row["key"],
        value=bytes(row["value"]),
        headers=headers,
    )
