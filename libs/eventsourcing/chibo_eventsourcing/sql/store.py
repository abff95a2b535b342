"""The event store on SQLAlchemy Core, for SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from chibo_contracts import GENESIS_HASH, Envelope
from chibo_contracts.canonical import canonical_json
from chibo_eventsourcing.sql.engine import is_postgres, read_connection
from chibo_eventsourcing.sql.tables import PlumbingTables, define_plumbing
from chibo_eventsourcing.sql.upsert import upsert
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

# One advisory lock serialises appends on PostgreSQL so that positions commit in order: a
# tailing reader that has seen position N can never later find a committed position below N.
_APPEND_LOCK_KEY = 0x43686962  # "Chib"
_SCHEMA_LOCK_KEY = 0x43686963


class SqlEventStore(EventStore):
    """Events in one table; `position` is the outbox cursor, `(stream_id, version)` the guard."""

    def __init__(
        self,
        engine: sa.Engine,
        source: str,
        *,
        metadata: sa.MetaData | None = None,
        clock: Clock = utc_now,
    ) -> None:
        super().__init__(source, clock)
        self.engine = engine
        self.metadata = metadata if metadata is not None else sa.MetaData()
        self.tables: PlumbingTables = define_plumbing(self.metadata)

    def create_tables(self) -> None:
        """Create the service's tables; safe when several processes start at once."""
        create_tables(self.engine, self.metadata)

    @contextmanager
    def writing(self) -> Iterator[Writing]:
        """One transaction whose reads and appends happen one writer at a time: for a decision
        that rests on more than the stream it appends to (reads through `Writing.connection`).
        The append lock is taken first on PostgreSQL; SQLite's write lock is taken at `BEGIN`."""
        with self.engine.begin() as conn:
            _lock_appends(conn)
            yield Writing(self, conn)

    @contextmanager
    def _connect(self, connection: sa.Connection | None) -> Iterator[sa.Connection]:
        if connection is not None:
            yield connection
            return
        with self.engine.begin() as conn:
            yield conn

    @contextmanager
    def _reading(self, connection: sa.Connection | None) -> Iterator[sa.Connection]:
        if connection is not None:
            yield connection
            return
        with read_connection(self.engine) as conn:
            yield conn

    def load(
        self,
        stream_id: str,
        up_to_version: int | None = None,
        *,
        connection: sa.Connection | None = None,
    ) -> list[Envelope]:
        """The stream's events; inside the caller's `connection` (its transaction) when given."""
        events = self.tables.events
        query = sa.select(events).where(events.c.stream_id == stream_id)
        if up_to_version is not None:
            query = query.where(events.c.stream_version <= up_to_version)
        with self._reading(connection) as conn:
            rows = conn.execute(query.order_by(events.c.stream_version)).mappings()
            return [_envelope(row, self.source) for row in rows]

    def load_streams(
        self, stream_ids: Sequence[str], *, connection: sa.Connection | None = None
    ) -> dict[str, list[Envelope]]:
        """Several whole streams in one query (streams without events are left out)."""
        events = self.tables.events
        loaded: dict[str, list[Envelope]] = {}
        with self._reading(connection) as conn:
            for start in range(0, len(stream_ids), 500):
                query = (
                    sa.select(events)
                    .where(events.c.stream_id.in_(stream_ids[start : start + 500]))
                    .order_by(events.c.stream_id, events.c.stream_version)
                )
                for row in conn.execute(query).mappings():
                    loaded.setdefault(row["stream_id"], []).append(_envelope(row, self.source))
        return loaded

    def append(
        self,
        stream_id: str,
        expected_version: int,
        events: Sequence[NewEvent],
        metadata: Metadata,
        *,
        connection: sa.Connection | None = None,
    ) -> list[Envelope]:
        """Append in one transaction, or inside the caller's `connection` when given."""
        with self._connect(connection) as conn:
            _lock_appends(conn)
            prev_hash = self._head_hash(conn, stream_id, expected_version)
            sealed = self.seal(stream_id, expected_version, events, metadata, prev_hash)
            stored = self._insert(conn, sealed, ConcurrencyError(stream_id, expected_version))
            if metadata.idempotency_key and stored:
                self._remember(conn, metadata, stored[-1])
        return stored

    def append_many(
        self,
        appends: Sequence[tuple[str, int, Sequence[NewEvent]]],
        metadata: Metadata,
        *,
        connection: sa.Connection | None = None,
    ) -> list[list[Envelope]]:
        """Several `(stream_id, expected_version, events)` appends, all or none, with one query
        for the stream heads and one insert: what a bulk import needs. Appends to one stream
        follow each other in order. The idempotency key, if any, is recorded with the last event.
        """
        if not appends:
            return []
        with self._connect(connection) as conn:
            _lock_appends(conn)
            heads = self._heads(conn, sorted({stream_id for stream_id, _, _ in appends}))
            batches: list[list[Envelope]] = []
            for stream_id, expected_version, events in appends:
                version, prev_hash = heads.get(stream_id, (0, GENESIS_HASH))
                if version != expected_version:
                    raise ConcurrencyError(stream_id, expected_version, version)
                sealed = self.seal(stream_id, expected_version, events, metadata, prev_hash)
                if sealed:
                    heads[stream_id] = (sealed[-1].stream_version, sealed[-1].hash)
                batches.append(sealed)
            # The unique (stream_id, version) constraint catches a writer that raced the heads
            # query; it cannot say which stream, so the error names the first.
            conflict = ConcurrencyError(appends[0][0], appends[0][1])
            stored = iter(self._insert(conn, [e for batch in batches for e in batch], conflict))
            result = [[next(stored) for _ in batch] for batch in batches]
            last = [batch[-1] for batch in result if batch]
            if metadata.idempotency_key and last:
                self._remember(conn, metadata, last[-1])
        return result

    def _heads(self, conn: sa.Connection, stream_ids: Sequence[str]) -> dict[str, tuple[int, str]]:
        """{stream_id: (version, hash)} of the last event of each stream that has one."""
        events, inner = self.tables.events, self.tables.events.alias("inner")
        last_version = (
            sa.select(sa.func.max(inner.c.stream_version))
            .where(inner.c.stream_id == events.c.stream_id)
            .scalar_subquery()
        )
        heads: dict[str, tuple[int, str]] = {}
        for start in range(0, len(stream_ids), 500):
            query = sa.select(events.c.stream_id, events.c.stream_version, events.c.hash).where(
                events.c.stream_id.in_(stream_ids[start : start + 500]),
                events.c.stream_version == last_version,
            )
            heads.update({row[0]: (row[1], row[2]) for row in conn.execute(query)})
        return heads

    def _head_hash(self, conn: sa.Connection, stream_id: str, expected_version: int) -> str:
        events = self.tables.events
        head = conn.execute(
            sa.select(events.c.stream_version, events.c.hash)
            .where(events.c.stream_id == stream_id)
            .order_by(events.c.stream_version.desc())
            .limit(1)
        ).first()
        actual = head.stream_version if head else 0
        if actual != expected_version:
            raise ConcurrencyError(stream_id, expected_version, actual)
        return str(head.hash) if head else GENESIS_HASH

    def _insert(
        self, conn: sa.Connection, sealed: list[Envelope], conflict: ConcurrencyError
    ) -> list[Envelope]:
        if not sealed:
            return []
        table = self.tables.events
        try:
            with conn.begin_nested():
                positions = (
                    conn.execute(
                        sa.insert(table).returning(table.c.position, sort_by_parameter_order=True),
                        [_row(envelope) for envelope in sealed],
                    )
                    .scalars()
                    .all()
                )
        except sa.exc.IntegrityError as exc:
            raise conflict from exc
        return [e.at_position(p) for e, p in zip(sealed, positions, strict=True)]

    def _remember(self, conn: sa.Connection, metadata: Metadata, last: Envelope) -> None:
        table = self.tables.idempotency
        try:
            with conn.begin_nested():
                conn.execute(
                    sa.insert(table).values(
                        actor=metadata.actor,
                        key=metadata.idempotency_key,
                        request_hash=metadata.request_hash or "",
                        stream_id=last.stream_id,
                        stream_version=last.stream_version,
                        position=last.position,
                    )
                )
        except sa.exc.IntegrityError as exc:
            raise IdempotencyConflictError(metadata.idempotency_key) from exc

    def read_all(self, after: int = 0, limit: int = 1000) -> list[Envelope]:
        events = self.tables.events
        query = (
            sa.select(events)
            .where(events.c.position > after)
            .order_by(events.c.position)
            .limit(limit)
        )
        with read_connection(self.engine) as conn:
            return [_envelope(row, self.source) for row in conn.execute(query).mappings()]

    def last_position(self) -> int:
        with read_connection(self.engine) as conn:
            value = conn.execute(sa.select(sa.func.max(self.tables.events.c.position))).scalar()
        return int(value or 0)

    def find_idempotent(self, actor: str, key: str) -> IdempotencyRecord | None:
        table = self.tables.idempotency
        query = sa.select(table).where(table.c.actor == actor, table.c.key == key)
        with read_connection(self.engine) as conn:
            row = conn.execute(query).mappings().first()
        return IdempotencyRecord(**row) if row else None

    def load_cursor(self, name: str) -> int:
        table = self.tables.cursors
        with read_connection(self.engine) as conn:
            value = conn.execute(sa.select(table.c.position).where(table.c.name == name)).scalar()
        return int(value or 0)

    def save_cursor(self, name: str, position: int) -> None:
        with self.engine.begin() as conn:
            upsert(conn, self.tables.cursors, [{"name": name, "position": position}], ["name"])


def create_tables(engine: sa.Engine, metadata: sa.MetaData,
                  prepare: Callable[[sa.Connection], object] | None = None) -> None:
    """`create_all` under a PostgreSQL advisory lock: concurrent `CREATE TABLE`s would race.
    `prepare` runs first in the same locked transaction (e.g. to drop an outdated projection)."""
    with engine.begin() as conn:
        if is_postgres(conn):
            conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_SCHEMA_LOCK_KEY)))
        if prepare is not None:
            prepare(conn)
        metadata.create_all(conn)


@dataclass(frozen=True)
class Writing:
    """The store's streams inside one `SqlEventStore.writing()` transaction."""

    store: SqlEventStore
    connection: sa.Connection

    def load(self, stream_id: str, up_to_version: int | None = None) -> list[Envelope]:
        return self.store.load(stream_id, up_to_version, connection=self.connection)

    def append(
        self, stream_id: str, expected_version: int, events: Sequence[NewEvent], metadata: Metadata
    ) -> list[Envelope]:
        return self.store.append(stream_id, expected_version, events, metadata,
                                 connection=self.connection)


def _lock_appends(conn: sa.Connection) -> None:
    """Wait for the appends in flight, and hold the next ones until this transaction ends
    (re-entrant: the same transaction may take it again)."""
    if is_postgres(conn):
        conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_APPEND_LOCK_KEY)))


def _row(envelope: Envelope) -> dict[str, Any]:
    return {
        "event_id": envelope.id,
        "stream_id": envelope.stream_id,
        "stream_version": envelope.stream_version,
        "type": envelope.type,
        "schema_version": envelope.schema_version,
        "time": envelope.time,
        "subject": envelope.subject,
        "actor": envelope.actor,
        "correlation_id": envelope.correlation_id,
        "causation_id": envelope.causation_id,
        "data": canonical_json(dict(envelope.data)).decode("utf-8"),
        "prev_hash": envelope.prev_hash,
        "hash": envelope.hash,
    }


def _envelope(row: Any, source: str) -> Envelope:
    return Envelope(
        id=row["event_id"],
        source=source,
        type=row["type"],
        time=row["time"],
        subject=row["subject"],
        stream_id=row["stream_id"],
        stream_version=row["stream_version"],
        schema_version=row["schema_version"],
        actor=row["actor"],
        correlation_id=row["correlation_id"],
        causation_id=row["causation_id"],
        data=json.loads(row["data"]),
        position=row["position"],
        prev_hash=row["prev_hash"],
        hash=row["hash"],
    )
