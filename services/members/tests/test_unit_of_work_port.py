"""The unit-of-work port suite: the in-memory fake and the SQL adapter give the same answers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from chibo_eventsourcing.memory import MemoryEventStore
from chibo_eventsourcing.sql.engine import create_engine
from chibo_eventsourcing.sql.store import SqlEventStore
from chibo_eventsourcing.store import EventStore, Metadata
from chibo_members import commands as c
from chibo_members.handlers import HANDLERS
from chibo_members.publishing import Codec
from chibo_members.read_models.tables import define_read_tables
from chibo_members.unit_of_work import UnitOfWork
from chibo_members.unit_of_work.memory import MemoryUnitOfWork
from chibo_members.unit_of_work.sql import SqlUnitOfWork

Factory = Callable[..., UnitOfWork]
DAY = date(2020, 1, 1)


def uid(code: str) -> str:
    return c.unit_id_for_code(code)


def mid(code: str) -> str:
    return c.member_id_for_code(code)


def run(factory: Factory, command: Any, **metadata: Any) -> Any:
    uow = factory(Metadata(actor="tester", **metadata))
    with uow.transaction():
        return HANDLERS[type(command)](command, uow)


def build(factory: Factory) -> None:
    run(factory, c.CreateOrgUnit(uid("P"), "P", "Tỉnh", "provincial_committee", None, DAY))
    for commune in ("X1", "X2"):
        run(
            factory,
            c.CreateOrgUnit(uid(commune), commune, commune, "commune_committee", uid("P"), DAY),
        )
    for cell, commune in (("K1", "X1"), ("K2", "X1"), ("K3", "X2")):
        run(factory, c.CreateOrgUnit(uid(cell), cell, cell, "cell", uid(commune), DAY))
    for member, cell in (("A", "K1"), ("B", "K1"), ("C", "K2")):
        run(
            factory,
            c.RegisterMember(
                mid(member), f"Lê Văn {member}", uid(cell), "full", date(2021, 1, 1), code=member
            ),
        )
    run(factory, c.MoveOrgUnit(uid("K2"), uid("X2"), date(2023, 1, 1)))
    run(factory, c.TransferMember(mid("B"), uid("K3"), date(2023, 1, 1)))
    run(factory, c.RecordLeaving(mid("A"), "resigned", date(2024, 1, 1)))


class UnitOfWorkContract:
    """Subclasses provide `factory` (metadata → unit of work) and `store`."""

    def ask(self, factory: Factory, question: Callable[[UnitOfWork], Any]) -> Any:
        uow = factory(Metadata(actor="tester"))
        with uow.transaction():
            return question(uow)

    def test_children_are_the_units_under_a_unit_on_a_day(self, factory: Factory):
        build(factory)
        assert self.ask(factory, lambda u: u.children(uid("X1"), date(2022, 12, 31))) == sorted(
            [uid("K1"), uid("K2")]
        )
        assert self.ask(factory, lambda u: u.children(uid("X1"), date(2023, 1, 1))) == [uid("K1")]
        assert self.ask(factory, lambda u: u.children(uid("X1"), date(2019, 1, 1))) == []

    def test_cell_members_are_who_belonged_to_the_cell_on_a_day(self, factory: Factory):
        build(factory)
        assert self.ask(factory, lambda u: u.cell_members(uid("K1"), date(2022, 6, 1))) == sorted(
            [mid("A"), mid("B")]
        )
        assert self.ask(factory, lambda u: u.cell_members(uid("K1"), date(2023, 6, 1))) == [
            mid("A")
        ]
        assert self.ask(factory, lambda u: u.cell_members(uid("K1"), date(2024, 1, 1))) == []
        assert self.ask(factory, lambda u: u.cell_members(uid("K3"), date(2024, 1, 1))) == [
            mid("B")
        ]

    def test_codes_name_their_owners(self, factory: Factory):
        build(factory)
        assert self.ask(factory, lambda u: u.unit_id_for_code("K3")) == uid("K3")
        assert self.ask(factory, lambda u: u.member_id_for_code("C")) == mid("C")
        assert self.ask(factory, lambda u: u.member_id_for_code("nobody")) is None

    def test_prefetched_streams_and_codes_answer_like_loaded_ones(self, factory: Factory):
        build(factory)
        uow = factory(Metadata(actor="tester"))
        with uow.transaction():
            uow.prefetch([mid("A"), mid("Z"), uid("K1")], ["A", "Z"])
            assert uow.find_member(mid("A")).left_on == date(2024, 1, 1)  # type: ignore[union-attr]
            assert uow.find_member(mid("Z")) is None
            assert uow.find_unit(uid("K1")).code == "K1"  # type: ignore[union-attr]
            assert (uow.member_id_for_code("A"), uow.member_id_for_code("Z")) == (mid("A"), None)

    def test_a_merge_appends_every_stream_and_keys_the_answer_to_the_merged_unit(
        self, factory: Factory, store: EventStore
    ):
        build(factory)
        written = run(
            factory, c.MergeOrgUnit(uid("K3"), uid("K1"), date(2024, 6, 1)), idempotency_key="k-1"
        )
        record = store.find_idempotent("tester", "k-1")
        assert record is not None
        assert (record.stream_id, record.stream_version, record.position) == (
            uid("K3"),
            2,
            store.last_position(),
        )
        assert (written.stream_id, written.version) == (uid("K3"), 2)
        assert self.ask(factory, lambda u: u.cell_members(uid("K1"), date(2024, 6, 1))) == [
            mid("B")
        ]


class TestMemoryUnitOfWork(UnitOfWorkContract):
    @pytest.fixture
    def store(self) -> MemoryEventStore:
        return MemoryEventStore("members")

    @pytest.fixture
    def factory(self, store: MemoryEventStore) -> Factory:
        return lambda metadata: MemoryUnitOfWork(store, Codec(), metadata)


class SqlContract(UnitOfWorkContract):
    @pytest.fixture
    def store(self, url: str) -> Any:
        metadata = sa.MetaData()
        store = SqlEventStore(create_engine(url), "members", metadata=metadata)
        self.tables = define_read_tables(metadata)
        metadata.create_all(store.engine)
        yield store
        store.engine.dispose()

    @pytest.fixture(params=[False, True], ids=["append-now", "hold-appends"])
    def factory(self, store: SqlEventStore, request: pytest.FixtureRequest) -> Factory:
        return lambda metadata: SqlUnitOfWork(
            store, self.tables, Codec(), metadata, hold_appends=request.param
        )

    def test_a_failed_transaction_leaves_neither_events_nor_rows(
        self, factory: Factory, store: SqlEventStore
    ):
        build(factory)
        before = store.last_position()
        uow = factory(Metadata(actor="tester"))
        with pytest.raises(RuntimeError), uow.transaction():
            HANDLERS[c.RenameOrgUnit](c.RenameOrgUnit(uid("K1"), "Tên mới", date(2024, 1, 1)), uow)
            raise RuntimeError("the request failed after the command")
        assert store.last_position() == before
        names = self.tables.unit_names
        with store.engine.connect() as conn:
            assert (
                conn.execute(
                    sa.select(sa.func.count()).where(names.c.unit_id == uid("K1"))
                ).scalar()
                == 1
            )

    def test_held_appends_reach_the_store_at_flush_which_tells_the_last_position(
        self, store: SqlEventStore
    ):
        build(lambda metadata: SqlUnitOfWork(store, self.tables, Codec(), metadata))
        before = store.last_position()
        uow = SqlUnitOfWork(
            store, self.tables, Codec(), Metadata(actor="tester"), hold_appends=True
        )
        with uow.transaction():
            for code in ("D", "E"):
                HANDLERS[c.RegisterMember](
                    c.RegisterMember(
                        mid(code), code, uid("K1"), "full", date(2022, 1, 1), code=code
                    ),
                    uow,
                )
            assert store.last_position() == before
            assert uow.flush() == before + 2
        assert [e.type for e in store.read_all(before)] == ["members.MemberRegistered"] * 2


class TestSqliteUnitOfWork(SqlContract):
    @pytest.fixture
    def url(self, tmp_path: Path) -> str:
        return f"sqlite:///{tmp_path}/members.sqlite3"


@pytest.mark.postgres
class TestPostgresUnitOfWork(SqlContract):
    @pytest.fixture
    def url(self, fresh_postgres_url: str) -> str:
        return fresh_postgres_url
