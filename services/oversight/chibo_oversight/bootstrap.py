"""The composition root: the one place that builds the store, the tables, the bus and workers."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta, timezone
from typing import Any, TypeVar

import sqlalchemy as sa

from chibo_contracts.catalog import topic_for
from chibo_contracts.meetings import SOURCE as MEETINGS
from chibo_contracts.members import SOURCE as MEMBERS
from chibo_contracts.oversight import SOURCE
from chibo_eventsourcing.aggregate import Aggregate
from chibo_eventsourcing.bus import Bus
from chibo_eventsourcing.consumer import ConsumerRunner
from chibo_eventsourcing.relay import Relay
from chibo_eventsourcing.repository import Written
from chibo_eventsourcing.runtime import LoopWorker, Worker, build_bus, wait_until
from chibo_eventsourcing.sql.engine import create_engine, is_postgres, read_connection
from chibo_eventsourcing.sql.store import SqlEventStore
from chibo_eventsourcing.store import Clock, Metadata, utc_now
from chibo_oversight import access, publishing
from chibo_oversight import commands as c
from chibo_oversight.config import Settings
from chibo_oversight.domain import Assignment, NotFoundError, Review, Visit
from chibo_oversight.handlers import Context, handle, references
from chibo_oversight.projections import CopyBatch, CopyProjection, RollCall
from chibo_oversight.queries import (
    AssignmentFilter,
    Page,
    ReviewFilter,
    Sight,
    SqlDirectory,
    VisitFilter,
    list_assignments,
    list_reviews,
    list_visits,
)
from chibo_oversight.read_models import Tables, define_tables, upgrade
from chibo_oversight.repository import SqlStreams, row_of
from chibo_web.auth import Caller

CONSUMER_GROUP = "oversight"
POLICY_ACTOR = "oversight-visit-policy"
# Commands check the lists, then append: on PostgreSQL one writer at a time does both, so two
# conflicting writes (overlapping assignments, two visits to a meeting) never both succeed.
# SQLite's write transactions (BEGIN IMMEDIATE) already serialise them.
WRITE_LOCK_KEY = 0x4F767277  # "Ovrw"

VIETNAM = timezone(timedelta(hours=7), "ICT")  # no daylight saving: "today" is the day there

A = TypeVar("A", bound=Aggregate)


class OversightService:
    """What the API, the relay and the consumer share; `app.extensions["chibo"]` holds it."""

    def __init__(
        self, *, store: SqlEventStore, tables: Tables, bus: Bus, clock: Clock, partitions: int,
        reference_wait_seconds: float = 0.0,
    ) -> None:
        self.store = store
        self.reference_wait_seconds = reference_wait_seconds
        self.engine = store.engine
        self.tables = tables
        self.bus = bus
        self.clock = clock
        self.partitions = partitions

    def today(self) -> date:
        return self.clock().astimezone(VIETNAM).date()

    def await_references(self, command: c.Command) -> None:
        """Give members.events and meetings.events a moment (`reference_wait_seconds` at most)
        to bring the unit, the member and the meeting a command names: one created a moment ago
        is most likely on its way. What is still unknown then, the command (or, for a scoped
        caller, its scope check) refuses."""
        units, members, meetings = references(command)
        if not (units or members or meetings):
            return

        def received() -> bool:
            with read_connection(self.engine) as conn:
                directory = self._directory(conn)
                return (all(directory.unit(u) for u in units)
                        and all(directory.member(m) for m in members)
                        and all(directory.meeting(m) for m in meetings))

        wait_until(received, self.reference_wait_seconds)

    def handle(self, command: c.Command, metadata: Metadata, if_match: int | None) -> Written:
        """Run one command in one transaction (the execute step of run_command)."""
        with self._writing() as (streams, directory):
            changed = handle(command, Context(directory, streams, if_match))
            written = streams.save_all(changed, metadata, if_match)
        assert written is not None, "every client command changes its resource"
        return written

    def react(self, conn: sa.Connection, roll_calls: list[RollCall]) -> None:
        """The visit policy, inside the consumer's transaction: effect and offsets commit
        together, and a redelivered or corrected roll call finds its visits already made.
        `roll_calls`: each meeting's latest in the batch."""
        _lock(conn)
        streams, directory = SqlStreams(self.store, self.tables, conn), self._directory(conn)
        context = Context(directory, streams)
        for call in roll_calls:
            metadata = Metadata(POLICY_ACTOR, call.correlation_id, causation_id=call.event_id)
            command = c.FollowRollCall(call.meeting_id, call.cell_id, call.appearances)
            for visit in handle(command, context):
                streams.save(visit, metadata)

    def resource(self, kind: type[A], resource_id: str, version: int | None = None) -> Any:
        """The resource as its list row shows it (at `version` when given)."""
        with read_connection(self.engine) as conn:
            found = SqlStreams(self.store, self.tables, conn).find(kind, resource_id, version)
        if found is None:
            raise NotFoundError(kind.__name__.lower(), resource_id)
        return row_of(found)

    def renderer(self, kind: type[A]) -> Callable[[Written], Any]:
        """The resource as the write left it, so a replayed answer equals the first one."""
        return lambda written: self.resource(kind, written.stream_id, written.version)

    def assignments(self, where: AssignmentFilter, page: int, page_size: int) -> Page:
        with read_connection(self.engine) as conn:
            return list_assignments(conn, self.tables, where, page, page_size)

    def visits(self, where: VisitFilter, page: int, page_size: int) -> Page:
        with read_connection(self.engine) as conn:
            return list_visits(conn, self.tables, where, page, page_size, today=self.today())

    def reviews(self, where: ReviewFilter, page: int, page_size: int) -> Page:
        with read_connection(self.engine) as conn:
            return list_reviews(conn, self.tables, where, page, page_size, today=self.today())

    def authorize_command(self, caller: Caller, command: c.Command) -> None:
        """403 unless the caller has the role and its scope reaches, on today's tree, the unit
        the command changes; a missing resource answers a scoped caller as one out of reach."""
        access.require_role(caller, command)
        if caller.whole_tree:
            return  # the handler answers 404 for what does not exist
        unit_id, named = self._place(command)
        if unit_id is None:
            raise access.out_of_reach(named)
        self.authorize(caller, unit_id, named=named)

    def authorize(
        self, caller: Caller, unit_id: str, on: date | None = None, *, named: str
    ) -> None:
        """403 (detail naming `named`) unless the caller's scope reaches the unit, on `on` or
        today."""
        if caller.whole_tree:
            return
        with read_connection(self.engine) as conn:
            directory = self._directory(conn)
            days = [self.today()] if on is None else [on, self.today()]
            access.require_reach(caller, directory.reach, unit_id, days, named)

    def sight(self, caller: Caller) -> Sight | None:
        """What the caller may list (None: everything): the scope's subtree, dated."""
        if caller.whole_tree:
            return None
        with read_connection(self.engine) as conn:
            directory = self._directory(conn)
            roots = directory.unit_ids(caller.scope)
            return access.sight_of(caller, directory.tree_below(roots), roots, self.today())

    def ready(self) -> bool:
        try:
            with read_connection(self.engine) as conn:
                conn.execute(sa.select(1))
        except sa.exc.SQLAlchemyError:
            return False
        return True

    def consumer(self) -> ConsumerRunner[CopyBatch]:
        """The members.events + meetings.events consumer (group "oversight")."""
        return ConsumerRunner(
            engine=self.engine,
            tables=self.tables.plumbing,
            bus=self.bus,
            group=CONSUMER_GROUP,
            topics=[topic_for(MEMBERS), topic_for(MEETINGS)],
            projection=CopyProjection(self.tables, self.react),
            registry=publishing.registry(),
        )

    def run_relay(self, stop: threading.Event) -> None:
        topic = topic_for(SOURCE)
        self.bus.ensure_topics([topic], self.partitions)
        publisher = self.bus.publisher()
        try:
            Relay(self.store, publisher, topic).run(stop)
        finally:
            publisher.close()

    def run_consumer(self, stop: threading.Event) -> None:
        self.bus.ensure_topics([topic_for(MEMBERS), topic_for(MEETINGS)], self.partitions)
        self.consumer().run(stop)

    def workers(self) -> list[Worker]:
        return [
            LoopWorker("oversight-relay", self.run_relay),
            LoopWorker("oversight-consumer", self.run_consumer),
        ]

    def _directory(self, conn: sa.Connection) -> SqlDirectory:
        return SqlDirectory(conn, self.tables)

    @contextmanager
    def _writing(self) -> Iterator[tuple[SqlStreams, SqlDirectory]]:
        with self.engine.begin() as conn:
            _lock(conn)
            yield SqlStreams(self.store, self.tables, conn), self._directory(conn)

    def _place(self, command: c.Command) -> tuple[str | None, str]:
        """The unit a command changes (None: its resource does not exist) and what the request
        named, for the answer when it is out of reach."""
        match command:
            case c.AssignOverseer():
                return command.unit_id, f"unit {command.unit_id}"
            case c.RecordVisit() | c.OpenReview():
                return command.cell_id, f"cell {command.cell_id}"
            case c.EndAssignment():
                row = self._row(Assignment, command.assignment_id)
                return (row["unit_id"] if row else None), f"assignment {command.assignment_id}"
            case c.WithdrawVisit():
                row = self._row(Visit, command.visit_id)
                return (row["cell_id"] if row else None), f"visit {command.visit_id}"
            case c.RecordExplanation() | c.CloseReview():
                row = self._row(Review, command.review_id)
                return (row["cell_id"] if row else None), f"review {command.review_id}"
        raise AssertionError(f"no place for {type(command).__name__}")

    def _row(self, kind: type[A], resource_id: str) -> Any:
        try:
            return self.resource(kind, resource_id)
        except NotFoundError:
            return None


def _lock(conn: sa.Connection) -> None:
    if is_postgres(conn):
        conn.execute(sa.select(sa.func.pg_advisory_xact_lock(WRITE_LOCK_KEY)))


def bootstrap(
    settings: Settings,
    *,
    store: SqlEventStore | None = None,
    bus: Bus | None = None,
    clock: Clock | None = None,
) -> OversightService:
    """Build the service from settings; tests pass their own store, bus or clock."""
    clock = clock or utc_now
    if store is None:
        store = SqlEventStore(create_engine(settings.database_url), SOURCE, clock=clock)
    tables = define_tables(store.metadata)
    store.create_tables()
    with store.engine.begin() as conn:
        upgrade(conn, tables)
    return OversightService(
        store=store,
        tables=tables,
        bus=bus if bus is not None else build_bus(settings.platform),
        clock=clock,
        partitions=settings.platform.kafka_partitions,
        reference_wait_seconds=settings.platform.reference_wait_seconds,
    )

