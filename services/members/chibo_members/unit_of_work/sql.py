"""The unit of work over the SQL event store: reads, appends and query rows in one transaction."""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterator, Sequence
from datetime import date

import sqlalchemy as sa

from chibo_contracts import Envelope
from chibo_eventsourcing.aggregate import Aggregate
from chibo_eventsourcing.sql.store import SqlEventStore
from chibo_eventsourcing.store import Metadata, NewEvent
from chibo_members.domain.units import OrgUnit
from chibo_members.publishing import Codec
from chibo_members.read_models import queries
from chibo_members.read_models.tables import ReadTables
from chibo_members.read_models.writer import write_aggregates
from chibo_members.unit_of_work import UnitOfWork


class SqlUnitOfWork(UnitOfWork):
    """Every read of a command happens inside its write transaction: on SQLite that holds the
    write lock (commands run one after another), on PostgreSQL the append's guards still hold.

    With `hold_appends` (imports) the appends of a whole transaction wait for `flush` and go to
    the store together: one query for the stream heads and one insert instead of one per row.
    """

    def __init__(
        self,
        store: SqlEventStore,
        tables: ReadTables,
        codec: Codec,
        metadata: Metadata,
        expected_version: int | None = None,
        *,
        hold_appends: bool = False,
    ) -> None:
        super().__init__(codec, metadata, expected_version)
        self.store = store
        self.tables = tables
        self.hold_appends = hold_appends
        self._held: list[tuple[str, int, list[NewEvent], Metadata]] = []
        self._conn: sa.Connection | None = None

    @property
    def conn(self) -> sa.Connection:
        if self._conn is None:
            raise RuntimeError("use the unit of work inside `with uow.transaction():`")
        return self._conn

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sa.Connection]:
        with self.store.engine.begin() as conn:
            self._conn = conn
            try:
                yield conn
            finally:
                self._conn = None
                self._held.clear()

    def _flush(self, changed: list[Aggregate]) -> int:
        position = self._append_held()
        write_aggregates(self.conn, self.tables, changed)
        return position

    def _append_held(self) -> int:
        """One multi-stream append per run of equal metadata (an import batch has one)."""
        position = 0
        for metadata, run in itertools.groupby(self._held, key=lambda held: held[3]):
            appends = [(stream_id, version, events) for stream_id, version, events, _ in run]
            stored = self.store.append_many(appends, metadata, connection=self.conn)
            position = max([position, *(batch[-1].position or 0 for batch in stored if batch)])
        self._held.clear()
        return position

    def _load(self, stream_id: str) -> list[Envelope]:
        return self.store.load(stream_id, connection=self.conn)

    def _load_many(self, stream_ids: Sequence[str]) -> dict[str, list[Envelope]]:
        return self.store.load_streams(stream_ids, connection=self.conn)

    def _append(
        self, stream_id: str, expected_version: int, events: list[NewEvent], metadata: Metadata
    ) -> list[Envelope]:
        if self.hold_appends:
            self._held.append((stream_id, expected_version, events, metadata))
            return []
        return self.store.append(
            stream_id, expected_version, events, metadata, connection=self.conn
        )

    def _owners(self, kind: type[Aggregate], codes: Sequence[str]) -> dict[str, str]:
        if kind is OrgUnit:
            return queries.ids_for_codes(self.conn, self.tables.org_units, "unit_id", codes)
        return queries.ids_for_codes(self.conn, self.tables.members, "member_id", codes)

    def children(self, unit_id: str, on: date) -> list[str]:
        return queries.children(self.conn, self.tables, unit_id, on)

    def cell_members(self, cell_id: str, on: date) -> list[str]:
        return queries.cell_members(self.conn, self.tables, cell_id, on)
