"""In-memory event store: the fake that unit tests trust because it passes the port suite."""

from __future__ import annotations

import threading
from collections.abc import Sequence

from chibo_contracts import GENESIS_HASH, Envelope
from chibo_eventsourcing.store import (
    Clock,
    ConcurrencyError,
    EventStore,
    IdempotencyConflictError,
    IdempotencyRecord,
    Metadata,
    NewEvent,
    utc_now,
)


class MemoryEventStore(EventStore):
    """Keeps every envelope in lists guarded by one lock."""

    def __init__(self, source: str, clock: Clock = utc_now) -> None:
        super().__init__(source, clock)
        self._lock = threading.Lock()
        self._log: list[Envelope] = []
        self._streams: dict[str, list[Envelope]] = {}
        self._idempotency: dict[tuple[str, str], IdempotencyRecord] = {}
        self._cursors: dict[str, int] = {}

    def load(self, stream_id: str, up_to_version: int | None = None) -> list[Envelope]:
        with self._lock:
            stream = list(self._streams.get(stream_id, []))
        return stream if up_to_version is None else stream[:up_to_version]

    def append(
        self,
        stream_id: str,
        expected_version: int,
        events: Sequence[NewEvent],
        metadata: Metadata,
    ) -> list[Envelope]:
        with self._lock:
            stream = self._streams.setdefault(stream_id, [])
            if len(stream) != expected_version:
                raise ConcurrencyError(stream_id, expected_version, len(stream))
            idempotency_slot = (metadata.actor, metadata.idempotency_key or "")
            if metadata.idempotency_key and idempotency_slot in self._idempotency:
                raise IdempotencyConflictError(metadata.idempotency_key)
            prev_hash = stream[-1].hash if stream else GENESIS_HASH
            sealed = self.seal(stream_id, expected_version, events, metadata, prev_hash)
            stored = [e.at_position(len(self._log) + i) for i, e in enumerate(sealed, start=1)]
            self._log.extend(stored)
            stream.extend(stored)
            if metadata.idempotency_key and stored:
                self._idempotency[idempotency_slot] = IdempotencyRecord(
                    actor=metadata.actor,
                    key=metadata.idempotency_key,
                    request_hash=metadata.request_hash or "",
                    stream_id=stream_id,
                    stream_version=stored[-1].stream_version,
                    position=stored[-1].position or 0,
                )
        return stored

    def read_all(self, after: int = 0, limit: int = 1000) -> list[Envelope]:
        with self._lock:
            return self._log[after : after + limit]

    def last_position(self) -> int:
        with self._lock:
            return len(self._log)

    def find_idempotent(self, actor: str, key: str) -> IdempotencyRecord | None:
        with self._lock:
            return self._idempotency.get((actor, key))

    def load_cursor(self, name: str) -> int:
        with self._lock:
            return self._cursors.get(name, 0)

    def save_cursor(self, name: str, position: int) -> None:
        with self._lock:
            self._cursors[name] = position
