"""Apache Kafka adapter of the bus port (kafka-python): acks=all, idempotent producer."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from typing import Any

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka import TopicPartition as KafkaTP
from kafka.admin import NewTopic
from kafka.consumer.subscription_state import ConsumerRebalanceListener
from kafka.errors import KafkaError, TopicAlreadyExistsError
from kafka.structs import OffsetAndMetadata

from chibo_eventsourcing.bus import (
    Bus,
    BusError,
    OutgoingMessage,
    Publisher,
    Record,
    StartOffsets,
    Subscription,
    TopicPartition,
)

ACK_TIMEOUT_SECONDS = 60


class KafkaBus(Bus):
    """Topics on a Kafka cluster; `client_config` carries security settings (SASL, TLS)."""

    def __init__(
        self,
        bootstrap_servers: str,
        *,
        client_id: str = "chibo",
        replication_factor: int = 1,
        client_config: Mapping[str, Any] | None = None,
        session_timeout_ms: int | None = None,
    ) -> None:
        self.bootstrap_servers = bootstrap_servers
        self.client_id = client_id
        self.replication_factor = replication_factor
        self.client_config = dict(client_config or {})
        # How long a consumer that died keeps its partitions (kafka-python: 45 s); a standby
        # of the group takes over only then. Heartbeats at most a third of it apart.
        self.consumer_config: dict[str, Any] = {}
        if session_timeout_ms is not None:
            self.consumer_config = {
                "session_timeout_ms": session_timeout_ms,
                "heartbeat_interval_ms": min(3000, session_timeout_ms // 3),
            }

    def _common(self) -> dict[str, Any]:
        return {
            "bootstrap_servers": self.bootstrap_servers.split(","),
            "client_id": self.client_id,
            **self.client_config,
        }

    def ensure_topics(self, topics: Sequence[str], partitions: int) -> None:
        admin = KafkaAdminClient(**self._common())
        try:
            existing = set(admin.list_topics())
            missing = [
                NewTopic(
                    name=topic,
                    num_partitions=partitions,
                    replication_factor=self.replication_factor,
                    topic_configs={"retention.ms": "-1", "retention.bytes": "-1"},
                )
                for topic in topics
                if topic not in existing
            ]
            # Another process may create a topic between the listing and the request.
            if missing:
                with contextlib.suppress(TopicAlreadyExistsError):
                    admin.create_topics(missing)
        finally:
            admin.close()

    def publisher(self) -> Publisher:
        return _KafkaPublisher(
            KafkaProducer(
                acks="all",
                enable_idempotence=True,
                linger_ms=5,
                batch_size=256 * 1024,
                compression_type=None,
                **self._common(),
            )
        )

    def subscribe(
        self, group: str, topics: Sequence[str], start_offsets: StartOffsets
    ) -> Subscription:
        consumer = KafkaConsumer(
            group_id=group,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_partition_fetch_bytes=4 * 1024 * 1024,
            **self.consumer_config,
            **self._common(),
        )
        consumer.subscribe(topics=list(topics), listener=_SeekToStored(consumer, start_offsets))
        return _KafkaSubscription(consumer)


class _KafkaPublisher(Publisher):
    def __init__(self, producer: KafkaProducer) -> None:
        self.producer = producer

    def publish(self, topic: str, messages: Sequence[OutgoingMessage]) -> None:
        try:
            futures = [
                self.producer.send(
                    topic,
                    key=None if m.key is None else m.key.encode("utf-8"),
                    value=m.value,
                    headers=list(m.headers),
                )
                for m in messages
            ]
            self.producer.flush(timeout=ACK_TIMEOUT_SECONDS)
            for future in futures:
                future.get(timeout=ACK_TIMEOUT_SECONDS)
        except KafkaError as exc:
            raise BusError(f"publishing to {topic} failed: {exc}") from exc

    def close(self) -> None:
        self.producer.close()


class _SeekToStored(ConsumerRebalanceListener):  # type: ignore[misc]
    """On every assignment, start each partition where the consumer's database says."""

    def __init__(self, consumer: KafkaConsumer, start_offsets: StartOffsets) -> None:
        self.consumer = consumer
        self.start_offsets = start_offsets

    def on_partitions_revoked(self, revoked: Any) -> None:
        """Nothing to save: offsets are stored with the effects."""

    def on_partitions_assigned(self, assigned: Any) -> None:
        wanted = self.start_offsets([(tp.topic, tp.partition) for tp in assigned])
        for tp in assigned:
            offset = wanted.get((tp.topic, tp.partition))
            if offset is None:
                self.consumer.seek_to_beginning(tp)
            else:
                self.consumer.seek(tp, offset)


class _KafkaSubscription(Subscription):
    def __init__(self, consumer: KafkaConsumer) -> None:
        self.consumer = consumer

    def poll(self, max_records: int, timeout: float) -> list[Record]:
        batches = self.consumer.poll(timeout_ms=int(timeout * 1000), max_records=max_records)
        records = [
            Record(
                topic=m.topic,
                partition=m.partition,
                offset=m.offset,
                key=None if m.key is None else m.key.decode("utf-8", "replace"),
                value=m.value if m.value is not None else b"",
                headers=tuple((name, value or b"") for name, value in (m.headers or [])),
            )
            for messages in batches.values()
            for m in messages
        ]
        return records

    def acknowledge(self, next_offsets: Mapping[TopicPartition, int]) -> None:
        offsets = {
            KafkaTP(topic, partition): OffsetAndMetadata(offset, "", -1)
            for (topic, partition), offset in next_offsets.items()
        }
        with contextlib.suppress(KafkaError):  # advisory only: the stored offsets are the truth
            self.consumer.commit_async(offsets=offsets)

    def close(self) -> None:
        self.consumer.close(autocommit=False)
