"""The event-bus port: topics of partitioned, keyed records, published in acknowledged batches."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

Headers = tuple[tuple[str, bytes], ...]
TopicPartition = tuple[str, int]
StartOffsets = Callable[[Sequence[TopicPartition]], Mapping[TopicPartition, int]]


class BusError(Exception):
    """The bus could not do what was asked (not acknowledged, unreachable)."""


@dataclass(frozen=True)
class OutgoingMessage:
    key: str | None
    value: bytes
    headers: Headers = ()


@dataclass(frozen=True)
class Record:
    """One record as a consumer receives it."""

    topic: str
    partition: int
    offset: int
    key: str | None
    value: bytes
    headers: Headers = ()

    @property
    def topic_partition(self) -> TopicPartition:
        return (self.topic, self.partition)


class Publisher(ABC):
    @abstractmethod
    def publish(self, topic: str, messages: Sequence[OutgoingMessage]) -> None:
        """Return only once every message is acknowledged; raise BusError otherwise."""

    def close(self) -> None:
        """Release connections."""


class Subscription(ABC):
    @abstractmethod
    def poll(self, max_records: int, timeout: float) -> list[Record]:
        """Up to `max_records` records, waiting at most `timeout` seconds for the first."""

    def acknowledge(self, next_offsets: Mapping[TopicPartition, int]) -> None:
        """Advisory: tell the broker how far the group got (the truth is in the consumer's DB)."""

    def close(self) -> None:
        """Leave the group and release connections."""


class Bus(ABC):
    @abstractmethod
    def ensure_topics(self, topics: Sequence[str], partitions: int) -> None:
        """Create the topics that do not exist yet, with infinite retention."""

    @abstractmethod
    def publisher(self) -> Publisher: ...

    @abstractmethod
    def subscribe(
        self, group: str, topics: Sequence[str], start_offsets: StartOffsets
    ) -> Subscription:
        """Join `group`; each assigned partition starts at the offset `start_offsets` gives."""
