"""The composition root: the one place that builds the members service's adapters."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from functools import partial

import sqlalchemy as sa

from chibo_eventsourcing.bus import Bus
from chibo_eventsourcing.relay import Relay
from chibo_eventsourcing.repository import Written
from chibo_eventsourcing.runtime import LoopWorker, Worker, build_bus
from chibo_eventsourcing.sql.engine import create_engine, read_connection
from chibo_eventsourcing.sql.store import SqlEventStore
from chibo_eventsourcing.store import Metadata
from chibo_members import access
from chibo_members.commands import Command
from chibo_members.config import Settings
from chibo_members.domain.errors import ConflictError
from chibo_members.handlers import HANDLERS
from chibo_members.imports.jobs import ImportJobs, define_import_tables
from chibo_members.imports.runner import ImportRunner, Imports
from chibo_members.publishing import SOURCE, TOPIC, Codec
from chibo_members.read_models.tables import ReadTables, define_read_tables
from chibo_members.unit_of_work.sql import SqlUnitOfWork
from chibo_members.views import Views
from chibo_web.auth import Caller

Clock = Callable[[], datetime]
VIETNAM = timezone(timedelta(hours=7))  # no daylight saving: "today" is the day in Vietnam


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class MembersService:
    settings: Settings
    store: SqlEventStore
    tables: ReadTables
    codec: Codec
    views: Views
    imports: Imports
    clock: Clock = utc_now
    bus: Bus | None = None
    _bus_lock: threading.Lock = field(default_factory=threading.Lock)

    def today(self) -> date:
        return self.clock().astimezone(VIETNAM).date()

    def unit_of_work(
        self, metadata: Metadata, expected_version: int | None = None
    ) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.store, self.tables, self.codec, metadata, expected_version)

    def handle(
        self,
        command: Command,
        metadata: Metadata,
        expected_version: int | None = None,
        caller: Caller | None = None,
    ) -> Written:
        """Run one command in one transaction: authorise, decide, append, update the query rows."""
        uow = self.unit_of_work(metadata, expected_version)
        try:
            with uow.transaction():
                if caller is not None:
                    access.authorise(caller, command, uow.find_unit, uow.find_member, self.today())
                return HANDLERS[type(command)](command, uow)
        except sa.exc.IntegrityError as exc:
            raise ConflictError("a concurrent change took the same code or id; retry") from exc

    def ready(self) -> bool:
        try:
            with read_connection(self.store.engine) as conn:
                conn.execute(sa.select(1))
        except sa.exc.SQLAlchemyError:
            return False
        return True

    def workers(self) -> list[Worker]:
        """The relay that publishes `members.events` (the service consumes nothing)."""
        return [LoopWorker(f"{SOURCE}-relay", self._relay)]

    def _relay(self, stop: threading.Event) -> None:
        bus = self._bus()
        bus.ensure_topics([TOPIC], self.settings.platform.kafka_partitions)
        publisher = bus.publisher()
        try:
            Relay(self.store, publisher, TOPIC, name=f"{SOURCE}-relay").run(stop)
        finally:
            publisher.close()

    def _bus(self) -> Bus:
        with self._bus_lock:
            if self.bus is None:
                self.bus = build_bus(self.settings.platform)
            return self.bus


def bootstrap(
    settings: Settings,
    *,
    store: SqlEventStore | None = None,
    bus: Bus | None = None,
    clock: Clock | None = None,
) -> MembersService:
    """Build the service; `store`, `bus` and `clock` replace the real ones (tests pass them).

    The store must be a SqlEventStore: the query tables live in its database and are written in
    the transactions that append the events."""
    clock = clock or utc_now
    if store is None:
        store = SqlEventStore(create_engine(settings.database_url), SOURCE, clock=clock)
    # The query and job tables join the store's metadata: one database, created together.
    tables = define_read_tables(store.metadata)
    jobs = ImportJobs(store.engine, *define_import_tables(store.metadata))
    store.create_tables()
    codec = Codec()
    batches = partial(SqlUnitOfWork, store, tables, codec, hold_appends=True)
    runner = ImportRunner(
        batches, jobs, settings.import_batch_rows, lambda: clock().astimezone(VIETNAM).date()
    )
    return MembersService(
        settings=settings,
        store=store,
        tables=tables,
        codec=codec,
        views=Views(store, tables, codec),
        imports=Imports(runner, jobs, settings.import_dir),
        clock=clock,
        bus=bus,
    )
