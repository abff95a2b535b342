"""Loads and saves aggregates through the store, translating events with the service's codec."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from chibo_contracts import Envelope
from chibo_eventsourcing.aggregate import Aggregate
from chibo_eventsourcing.store import ConcurrencyError, Metadata, NewEvent

A = TypeVar("A", bound=Aggregate)


class Streams(Protocol):
    """What a repository needs of a store: a stream's events, and appending to it (an
    `EventStore`, or `SqlEventStore.writing()` for a decision resting on more than one stream)."""

    def load(self, stream_id: str, up_to_version: int | None = None) -> list[Envelope]: ...

    def append(
        self, stream_id: str, expected_version: int, events: Sequence[NewEvent], metadata: Metadata
    ) -> list[Envelope]: ...


class Codec(Protocol):
    """The service's one translation point between its private events and the public contract."""

    def encode(self, event: Any) -> NewEvent: ...

    def decode(self, envelope: Envelope) -> Any: ...


@dataclass(frozen=True)
class Written:
    """Where a command left its stream: the version reached and the last position appended."""

    stream_id: str
    version: int
    position: int


class Repository(Generic[A]):
    def __init__(self, store: Streams, factory: Callable[[str], A], codec: Codec) -> None:
        self.store = store
        self.factory = factory
        self.codec = codec

    def find(self, aggregate_id: str, up_to_version: int | None = None) -> A | None:
        envelopes = self.store.load(aggregate_id, up_to_version)
        if not envelopes:
            return None
        aggregate = self.factory(aggregate_id)
        for envelope in envelopes:
            aggregate.when(self.codec.decode(envelope))
            aggregate.version += 1
        return aggregate

    def save(
        self, aggregate: A, metadata: Metadata, *, expected_version: int | None = None
    ) -> Written:
        """Append the pending events; `expected_version` is the client's If-Match, if any."""
        base = aggregate.saved_version
        if expected_version is not None and expected_version != base:
            raise ConcurrencyError(aggregate.id, expected_version, base)
        events = [self.codec.encode(e) for e in aggregate.collect()]
        stored = self.store.append(aggregate.id, base, events, metadata)
        position = stored[-1].position if stored else 0
        return Written(aggregate.id, base + len(stored), position or 0)
