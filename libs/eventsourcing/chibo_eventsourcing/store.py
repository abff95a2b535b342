"""The event-store port: append-only streams, a global position, idempotency records, cursors."""

from __future__ import annotations

import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from chibo_contracts import Envelope

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class StoreError(Exception):
    """Base of the event store's errors."""


class ConcurrencyError(StoreError):
    """The stream is not at the version the writer expected."""

    def __init__(self, stream_id: str, expected: int, actual: int | None = None) -> None:
        found = "" if actual is None else f", found {actual}"
        super().__init__(f"stream {stream_id}: expected version {expected}{found}")
        self.stream_id = stream_id
        self.expected = expected
        self.actual = actual


class IdempotencyConflictError(StoreError):
    """Another request already used this idempotency key."""


@dataclass(frozen=True)
class NewEvent:
    """An event about to be appended: its public type and contract (JSON) data."""

    type: str
    data: Mapping[str, Any]
    schema_version: int = 1
    subject: str | None = None


@dataclass(frozen=True)
class Metadata:
    """Who caused a command and why; stamped on every event it appends."""

    actor: str
    correlation_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    causation_id: str | None = None
    idempotency_key: str | None = None
    request_hash: str | None = None


@dataclass(frozen=True)
class IdempotencyRecord:
    """What the first request with an idempotency key appended."""

    actor: str
    key: str
    request_hash: str
    stream_id: str
    stream_version: int
    position: int


class EventStore(ABC):
    """Append-only event streams with optimistic concurrency and a gap-free global position."""

    def __init__(self, source: str, clock: Clock = utc_now) -> None:
        self.source = source
        self.clock = clock

    @abstractmethod
    def load(self, stream_id: str, up_to_version: int | None = None) -> list[Envelope]:
        """The stream's events in version order (all, or up to a version)."""

    @abstractmethod
    def append(
        self,
        stream_id: str,
        expected_version: int,
        events: Sequence[NewEvent],
        metadata: Metadata,
    ) -> list[Envelope]:
        """Append atomically after `expected_version`; raise ConcurrencyError if it moved on."""

    @abstractmethod
    def read_all(self, after: int = 0, limit: int = 1000) -> list[Envelope]:
        """Events with a position above `after`, in position (= commit) order."""

    @abstractmethod
    def last_position(self) -> int:
        """The highest committed position, 0 when empty."""

    @abstractmethod
    def find_idempotent(self, actor: str, key: str) -> IdempotencyRecord | None:
        """The record a previous request with this key left, if any."""

    @abstractmethod
    def load_cursor(self, name: str) -> int:
        """A named reader's saved position (0 when never saved)."""

    @abstractmethod
    def save_cursor(self, name: str, position: int) -> None:
        """Save a named reader's position."""

    def seal(
        self,
        stream_id: str,
        expected_version: int,
        events: Sequence[NewEvent],
        metadata: Metadata,
        prev_hash: str,
    ) -> list[Envelope]:
        """Build the hash-chained envelopes for an append (positions are the adapter's job)."""
        time = self.clock().isoformat()
        sealed: list[Envelope] = []
        for offset, event in enumerate(events, start=1):
            envelope = Envelope(
                id=str(uuid.uuid4()),
                source=self.source,
                type=event.type,
                time=time,
                subject=event.subject,
                stream_id=stream_id,
                stream_version=expected_version + offset,
                schema_version=event.schema_version,
                actor=metadata.actor,
                correlation_id=metadata.correlation_id,
                causation_id=metadata.causation_id,
                data=dict(event.data),
            ).sealed(prev_hash)
            prev_hash = envelope.hash
            sealed.append(envelope)
        return sealed
