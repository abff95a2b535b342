"""The unit of work: what a handler reads, and the one transaction its events are appended in.

Handlers see only this port. Adapters: `sql.SqlUnitOfWork` (production: the event store and
the query tables share each transaction) and `memory.MemoryUnitOfWork` (the fake for unit tests).
"""

from __future__ import annotations

import contextlib
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import date
from typing import Self, TypeVar

from chibo_contracts import Envelope
from chibo_eventsourcing.aggregate import Aggregate
from chibo_eventsourcing.repository import Written
from chibo_eventsourcing.store import ConcurrencyError, Metadata, NewEvent
from chibo_members.domain.members import Member
from chibo_members.domain.units import OrgUnit
from chibo_members.publishing import Codec

A = TypeVar("A", bound=Aggregate)
_KINDS: dict[str, type[Aggregate]] = {
    "members.OrgUnitCreated": OrgUnit,
    "members.MemberRegistered": Member,
}


class UnitOfWork(ABC):
    """Aggregates loaded once per unit of work (an identity map); `commit` appends atomically."""

    def __init__(
        self, codec: Codec, metadata: Metadata, expected_version: int | None = None
    ) -> None:
        self.codec = codec
        self.metadata = metadata
        self.expected_version = expected_version
        self._loaded: dict[str, Aggregate | None] = {}
        self._positions: dict[str, int] = {}
        self._codes: dict[tuple[type[Aggregate], str], str | None] = {}
        self._changed: dict[str, Aggregate] = {}

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Self]:
        """Everything committed inside happens together or not at all."""
        try:
            with self._transaction():
                yield self
                self.flush()
        except BaseException:
            self._loaded.clear()
            self._codes.clear()
            raise
        finally:
            self._changed.clear()
        # Members are many and read once; units are few and read by every row of an import.
        # Unknown codes are asked again: a later batch, or another request, may create them.
        self._loaded = {k: v for k, v in self._loaded.items() if isinstance(v, OrgUnit)}
        self._codes = {k: v for k, v in self._codes.items() if k[0] is OrgUnit and v}
        self._positions = {k: v for k, v in self._positions.items() if k in self._loaded}

    def flush(self) -> int:
        """Bring the query side up to date with what this transaction changed (appending any
        events held back); the last position appended by the flush, 0 if none."""
        changed = list(self._changed.values())
        self._changed.clear()
        return self._flush(changed)

    def find_unit(self, unit_id: str) -> OrgUnit | None:
        return self._find(unit_id, OrgUnit)

    def find_member(self, member_id: str) -> Member | None:
        return self._find(member_id, Member)

    def unit_id_for_code(self, code: str) -> str | None:
        return self._code_owner(OrgUnit, code)

    def member_id_for_code(self, code: str) -> str | None:
        return self._code_owner(Member, code)

    def prefetch(self, stream_ids: Sequence[str], member_codes: Sequence[str] = ()) -> None:
        """Load many streams and member codes at once (an import batch asks for them row by row)."""
        wanted = [s for s in stream_ids if s not in self._loaded]
        loaded = self._load_many(wanted)
        for stream_id in wanted:
            self._remember(stream_id, loaded.get(stream_id, []))
        codes = [c for c in member_codes if (Member, c) not in self._codes]
        owners = self._owners(Member, codes)
        self._codes.update({(Member, code): owners.get(code) for code in codes})

    def commit(self, primary: Aggregate, *others: Aggregate) -> Written:
        """Append the new events of `others`, then of `primary` (whose stream the answer names and
        whose version `If-Match` guards); the idempotency key is recorded with the last append."""
        if self.expected_version is not None and self.expected_version != primary.saved_version:
            raise ConcurrencyError(primary.id, self.expected_version, primary.saved_version)
        quiet = replace(self.metadata, idempotency_key=None, request_hash=None)
        for aggregate in others:
            self._save(aggregate, quiet)
        return Written(primary.id, primary.version, self._save(primary, self.metadata))

    def unchanged(self, aggregate: Aggregate) -> Written:
        """The answer of a command that found nothing to change."""
        return Written(aggregate.id, aggregate.version, self._positions.get(aggregate.id, 0))

    def _find(self, stream_id: str, kind: type[A]) -> A | None:
        if stream_id not in self._loaded:
            self._remember(stream_id, self._load(stream_id))
        found = self._loaded[stream_id]
        return found if isinstance(found, kind) else None

    def _remember(self, stream_id: str, envelopes: list[Envelope]) -> None:
        self._loaded[stream_id] = rehydrate(self.codec, stream_id, envelopes)
        if envelopes:
            self._positions[stream_id] = envelopes[-1].position or 0

    def _code_owner(self, kind: type[Aggregate], code: str) -> str | None:
        if (kind, code) not in self._codes:
            self._codes[(kind, code)] = self._owners(kind, [code]).get(code)
        return self._codes[(kind, code)]

    def _save(self, aggregate: Aggregate, metadata: Metadata) -> int:
        base = aggregate.saved_version
        events = [self.codec.encode(e) for e in aggregate.collect()]
        try:
            stored = self._append(aggregate.id, base, events, metadata)
        except BaseException:
            self._loaded.pop(aggregate.id, None)
            raise
        self._loaded[aggregate.id] = aggregate
        self._changed[aggregate.id] = aggregate
        self._positions[aggregate.id] = (stored[-1].position or 0) if stored else 0
        code = getattr(aggregate.origin, "code", None)  # type: ignore[attr-defined]
        if code:
            self._codes[(type(aggregate), code)] = aggregate.id
        return self._positions[aggregate.id]

    @abstractmethod
    def _transaction(self) -> contextlib.AbstractContextManager[object]: ...

    @abstractmethod
    def _flush(self, changed: list[Aggregate]) -> int: ...

    @abstractmethod
    def _load(self, stream_id: str) -> list[Envelope]: ...

    @abstractmethod
    def _load_many(self, stream_ids: Sequence[str]) -> dict[str, list[Envelope]]: ...

    @abstractmethod
    def _append(
        self, stream_id: str, expected_version: int, events: list[NewEvent], metadata: Metadata
    ) -> list[Envelope]:
        """Append now and return the stored events, or hold the append for `flush` and return []."""

    @abstractmethod
    def _owners(self, kind: type[Aggregate], codes: Sequence[str]) -> dict[str, str]:
        """{code: id} of the units (or members) holding these codes."""

    @abstractmethod
    def children(self, unit_id: str, on: date) -> list[str]:
        """Ids of the units directly under `unit_id` on `on`."""

    @abstractmethod
    def cell_members(self, cell_id: str, on: date) -> list[str]:
        """Ids of the members whose cell is `cell_id` on `on`."""


def rehydrate(codec: Codec, stream_id: str, envelopes: list[Envelope]) -> Aggregate | None:
    """The unit or member a stream's events describe (None for an empty stream)."""
    if not envelopes:
        return None
    aggregate = _KINDS[envelopes[0].type](stream_id)
    for envelope in envelopes:
        aggregate.when(codec.decode(envelope))
        aggregate.version += 1
    return aggregate
