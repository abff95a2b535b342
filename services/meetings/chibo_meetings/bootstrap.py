"""The composition root: the one place that builds the store, the roll, the bus and the workers."""

from __future__ import annotations

import threading

import sqlalchemy as sa

from chibo_contracts.catalog import topic_for
from chibo_contracts.meetings import SOURCE
from chibo_contracts.members import SOURCE as MEMBERS
from chibo_eventsourcing.bus import Bus
from chibo_eventsourcing.consumer import ConsumerRunner
from chibo_eventsourcing.relay import Relay
from chibo_eventsourcing.repository import Written
from chibo_eventsourcing.runtime import LoopWorker, Worker, build_bus, wait_until
from chibo_eventsourcing.sql.engine import create_engine, read_connection
from chibo_eventsourcing.sql.store import SqlEventStore
from chibo_eventsourcing.store import Clock, Metadata, utc_now
from chibo_meetings import access, publishing
from chibo_meetings.commands import Command, ScheduleMeeting
from chibo_meetings.config import Settings
from chibo_meetings.domain import Meeting, MeetingNotFoundError
from chibo_meetings.domain.state import day_of
from chibo_meetings.handlers import Context, handle, references
from chibo_meetings.projections import RosterBatch, RosterProjection
from chibo_meetings.queries import MeetingFilter, Page, SqlRoster, SqlTaskIndex, list_meetings
from chibo_meetings.read_models import Tables, define_tables
from chibo_meetings.repository import MeetingRepository
from chibo_web.auth import Caller

CONSUMER_GROUP = "meetings"


class MeetingsService:
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
        self.meetings = MeetingRepository(store, tables)
        self.roster = SqlRoster(self.engine, tables)
        self.tasks = SqlTaskIndex(self.engine, tables)

    def handle(self, command: Command, metadata: Metadata, if_match: int | None) -> Written:
        """Run one command and save what it changed (the execute step of run_command)."""
        context = Context(self.meetings, self.roster, self.tasks, self.clock, if_match)
        meeting = handle(command, context)
        return self.meetings.save(meeting, metadata, expected_version=if_match)

    def await_references(self, command: Command) -> None:
        """Give members.events a moment (`reference_wait_seconds` at most) to bring the cell and
        the members a command names: one created a moment ago is most likely on its way. What
        is still unknown then, the command (or, for a scoped caller, its scope check) refuses."""
        cells, members = references(command)
        if cells or members:
            wait_until(lambda: all(self.roster.cell(c) for c in cells)
                       and self.roster.known_members(members) == members,
                       self.reference_wait_seconds)

    def meeting(self, meeting_id: str, version: int | None = None) -> Meeting:
        found = self.meetings.find(meeting_id, version)
        if found is None:
            raise MeetingNotFoundError(meeting_id)
        return found

    def render(self, written: Written) -> Meeting:
        """The meeting as the write left it, so a replayed answer equals the first one."""
        return self.meeting(written.stream_id, written.version)

    def find_meetings(
        self, caller: Caller, where: MeetingFilter, page: int, page_size: int
    ) -> Page:
        """The meetings the filter asks for, of those the caller's scope reaches."""
        narrowed = access.within_reach(caller, self.roster, where, day_of(self.clock()))
        return list_meetings(self.engine, self.tables, narrowed, page, page_size)

    def readable_meeting(self, caller: Caller, meeting_id: str) -> Meeting:
        """The meeting, if its cell lies in the caller's scope today or did on the meeting day."""
        found = self.meetings.find(meeting_id)
        if found is None or found.plan is None:
            if caller.whole_tree:
                raise MeetingNotFoundError(meeting_id)
            raise access.out_of_reach(f"meeting {meeting_id}")
        today, named = day_of(self.clock()), f"meeting {meeting_id}"
        access.require_reach(
            caller, self.roster, found.cell_id, found.meeting_on, today, named=named
        )
        return found

    def authorize_command(self, caller: Caller, command: Command) -> None:
        """Raise unless the cell the command changes lies in the caller's scope today."""
        today = day_of(self.clock())
        if isinstance(command, ScheduleMeeting):
            cell_id = command.cell_id
            access.require_reach(caller, self.roster, cell_id, today, named=f"cell {cell_id}")
            return
        meeting = self.meetings.find(command.meeting_id)
        if meeting is None or meeting.plan is None:
            if caller.whole_tree:
                return  # the handler answers 404
            raise access.out_of_reach(f"meeting {command.meeting_id}")
        named = f"meeting {meeting.id}"
        access.require_reach(caller, self.roster, meeting.cell_id, today, named=named)

    def ready(self) -> bool:
        try:
            with read_connection(self.engine) as conn:
                conn.execute(sa.select(1))
        except sa.exc.SQLAlchemyError:
            return False
        return True

    def consumer(self) -> ConsumerRunner[RosterBatch]:
        """The members.events consumer that keeps the roll (consumer group "meetings")."""
        return ConsumerRunner(
            engine=self.engine,
            tables=self.tables.plumbing,
            bus=self.bus,
            group=CONSUMER_GROUP,
            topics=[topic_for(MEMBERS)],
            projection=RosterProjection(self.tables),
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
        self.bus.ensure_topics([topic_for(MEMBERS)], self.partitions)
        self.consumer().run(stop)

    def workers(self) -> list[Worker]:
        return [
            LoopWorker("meetings-relay", self.run_relay),
            LoopWorker("meetings-members-consumer", self.run_consumer),
        ]


def bootstrap(
    settings: Settings,
    *,
    store: SqlEventStore | None = None,
    bus: Bus | None = None,
    clock: Clock | None = None,
) -> MeetingsService:
    """Build the service from settings; tests pass their own store, bus or clock."""
    clock = clock or utc_now
    if store is None:
        store = SqlEventStore(create_engine(settings.database_url), SOURCE, clock=clock)
    tables = define_tables(store.metadata)
    store.create_tables()
    return MeetingsService(
        store=store,
        tables=tables,
        bus=bus if bus is not None else build_bus(settings.platform),
        clock=clock,
        partitions=settings.platform.kafka_partitions,
        reference_wait_seconds=settings.platform.reference_wait_seconds,
    )
