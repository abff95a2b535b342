"""The unit of work over the in-memory event store: the fake that handler tests use.

It answers the directory questions by folding every stream, which is slow but plainly right;
the port suite in the tests holds it and the SQL adapter to the same answers.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from datetime import date

from chibo_contracts import Envelope
from chibo_eventsourcing.aggregate import Aggregate
from chibo_eventsourcing.memory import MemoryEventStore
from chibo_eventsourcing.store import Metadata, NewEvent
from chibo_members.domain.members import Member
from chibo_members.domain.units import OrgUnit
from chibo_members.publishing import Codec
from chibo_members.unit_of_work import UnitOfWork


class MemoryUnitOfWork(UnitOfWork):
    def __init__(
        self,
        store: MemoryEventStore,
        codec: Codec,
        metadata: Metadata,
        expected_version: int | None = None,
    ) -> None:
        super().__init__(codec, metadata, expected_version)
        self.store = store

    def _transaction(self) -> contextlib.AbstractContextManager[object]:
        return contextlib.nullcontext()

    def _flush(self, changed: list[Aggregate]) -> int:
        """Nothing to do: every question is answered from the events themselves."""
        return 0

    def _load(self, stream_id: str) -> list[Envelope]:
        return self.store.load(stream_id)

    def _load_many(self, stream_ids: Sequence[str]) -> dict[str, list[Envelope]]:
        return {s: events for s in stream_ids if (events := self.store.load(s))}

    def _append(
        self, stream_id: str, expected_version: int, events: list[NewEvent], metadata: Metadata
    ) -> list[Envelope]:
        return self.store.append(stream_id, expected_version, events, metadata)

    def _all(self, kind: type[Aggregate]) -> list[Aggregate]:
        streams = {e.stream_id for e in self.store.read_all(0, self.store.last_position())}
        found = [self._find(stream_id, kind) for stream_id in sorted(streams)]
        return [a for a in found if a is not None]

    def _owners(self, kind: type[Aggregate], codes: Sequence[str]) -> dict[str, str]:
        owners = {a.origin.code: a.id for a in self._all(kind) if a.origin.code}  # type: ignore[attr-defined]
        return {code: owners[code] for code in codes if code in owners}

    def children(self, unit_id: str, on: date) -> list[str]:
        units = [u for u in self._all(OrgUnit) if isinstance(u, OrgUnit)]
        return [u.id for u in units if u.active_on(on) and u.parents.at(on) == unit_id]

    def cell_members(self, cell_id: str, on: date) -> list[str]:
        members = [m for m in self._all(Member) if isinstance(m, Member)]
        return [m.id for m in members if m.cell_on(on) == cell_id]
