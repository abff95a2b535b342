"""The composition root: the one place that builds reporting's adapters."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

import sqlalchemy as sa

from chibo_contracts.catalog import public_registry, topic_for
from chibo_contracts.reporting import SOURCE
from chibo_eventsourcing.bus import Bus
from chibo_eventsourcing.consumer import BatchStore, ConsumerRunner
from chibo_eventsourcing.relay import Relay
from chibo_eventsourcing.repository import Repository, Written
from chibo_eventsourcing.runtime import LoopWorker, Worker, build_bus
from chibo_eventsourcing.sql.engine import create_engine, read_connection
from chibo_eventsourcing.sql.store import SqlEventStore, create_tables
from chibo_eventsourcing.sql.tables import PlumbingTables, define_plumbing
from chibo_eventsourcing.store import Metadata, utc_now
from chibo_reporting.config import Settings
from chibo_reporting.domain import UnitRulebooks
from chibo_reporting.handlers import HANDLERS, Deps
from chibo_reporting.projections import GROUP, SOURCES, ReportingProjection
from chibo_reporting.publishing import Codec, unit_of_rulebook
from chibo_reporting.queries import Reports
from chibo_reporting.queries.warm_up import WarmUp
from chibo_reporting.read_models import ReadModel, define_read_model
from chibo_reporting.read_models.upgrade import reset_if_outdated

Clock = Callable[[], datetime]
TOPICS = tuple(topic_for(source) for source in SOURCES)


@dataclass
class ReportingService:
    settings: Settings
    engine: sa.Engine
    store: SqlEventStore
    model: ReadModel
    plumbing: PlumbingTables
    bus: Bus
    clock: Clock
    reports: Reports
    repository: Repository[UnitRulebooks] = field(init=False)

    def __post_init__(self) -> None:
        self.repository = Repository(self.store, UnitRulebooks, Codec())

    def handle(self, command: Any, metadata: Metadata, if_match: int | None) -> Written:
        """Decide and append in one transaction, one publication at a time: a rulebook id is
        free or taken as the store says at the moment of the append."""
        with self.store.writing() as writing:
            deps = Deps(Repository(writing, UnitRulebooks, Codec()),
                        partial(unit_of_rulebook, writing), self.known_unit)
            return HANDLERS[type(command)](command, deps, metadata, if_match)

    def known_unit(self, unit_id: str) -> bool:
        table = self.model.units
        with read_connection(self.engine) as conn:
            return conn.execute(
                sa.select(table.c.unit_id).where(table.c.unit_id == unit_id)).first() is not None

    def relay(self) -> Relay:
        topic = topic_for(SOURCE)
        self.bus.ensure_topics([topic], self.settings.platform.kafka_partitions)
        return Relay(self.store, self.bus.publisher(), topic)

    def projector(self) -> ConsumerRunner[Any]:
        """The consumer runner of group "reporting" over every service's topic."""
        self.bus.ensure_topics(list(TOPICS), self.settings.platform.kafka_partitions)
        return ConsumerRunner(
            engine=self.engine, tables=self.plumbing, bus=self.bus, group=GROUP,
            topics=TOPICS, projection=ReportingProjection(self.model),
            registry=public_registry(), batch_size=self.settings.batch_size,
            child_writer=self.child_writer(self.engine, GROUP),
        )

    def child_writer(self, engine: sa.Engine, group: str,
                     prefix: str = "") -> Callable[[], BatchStore[Any]] | None:
        """The factory of a writer process for `group` projecting into `engine`'s read model
        (tables named with `prefix`), when batches are written from one: as
        `REPORTING_WRITER_PROCESS` says, by default on PostgreSQL."""
        in_child = self.settings.writer_process
        if in_child is None:
            in_child = engine.dialect.name == "postgresql"
        url = engine.url.render_as_string(hide_password=False)
        return partial(batch_store, url, group, prefix) if in_child else None

    def relay_worker(self) -> Worker:
        return LoopWorker("reporting-relay", lambda stop: self.relay().run(stop))

    def projector_worker(self) -> Worker:
        return LoopWorker("reporting-projector", lambda stop: self.projector().run(stop))

    def workers(self) -> list[Worker]:
        """The relay of `reporting.events` and the projector, for the single-machine runner."""
        return [self.relay_worker(), self.projector_worker()]

    def api_workers(self) -> list[Worker]:
        """What runs beside the API in every process serving it: the warm-up of its roll-up
        cache (see `queries.warm_up`), unless `REPORTING_WARM_UP` is false."""
        if not self.settings.warm_up:
            return []
        return [LoopWorker("reporting-warm-up", WarmUp(self.reports).run)]

    def ready(self) -> bool:
        try:
            with read_connection(self.engine) as conn:
                conn.execute(sa.select(1))
        except sa.exc.SQLAlchemyError:
            return False
        return True


def batch_store(database_url: str, group: str = GROUP, prefix: str = "") -> BatchStore[Any]:
    """The projector's writing half, as its writer process builds it (a replay's group writes
    into tables named with its `prefix`)."""
    metadata = sa.MetaData()
    plumbing = define_plumbing(metadata)
    return BatchStore(create_engine(database_url), plumbing, group,
                      ReportingProjection(define_read_model(metadata, prefix)))


def bootstrap(settings: Settings, *, store: SqlEventStore | None = None, bus: Bus | None = None,
              clock: Clock | None = None) -> ReportingService:
    """Build the real adapters for what is not given (tests pass their own)."""
    clock = clock or utc_now
    if store is None:
        store = SqlEventStore(create_engine(settings.database_url), SOURCE, clock=clock)
    model = define_read_model(store.metadata)
    plumbing = define_plumbing(store.metadata)
    create_tables(store.engine, store.metadata,
                  prepare=partial(reset_if_outdated, model=model, plumbing=plumbing, group=GROUP))
    return ReportingService(
        settings=settings, engine=store.engine, store=store, model=model,
        plumbing=plumbing, bus=bus or build_bus(settings.platform),
        clock=clock,
        reports=Reports(store.engine, model, clock, wait_seconds=settings.wait_seconds),
    )
