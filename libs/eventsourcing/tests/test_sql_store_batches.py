"""The SQL store's batch operations: reads inside a caller's transaction, several streams at once,
many appends with one heads query and one insert (what bulk imports use), and a writing
transaction (a decision resting on more than the stream it appends to)."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from chibo_contracts.envelope import verify_chain
from chibo_eventsourcing.runtime import wait_until
from chibo_eventsourcing.sql.engine import create_engine
from chibo_eventsourcing.sql.store import SqlEventStore
from chibo_eventsourcing.store import ConcurrencyError, Metadata, NewEvent

META = Metadata(actor="tester", correlation_id="c-1")


def events(*names: str) -> list[NewEvent]:
    return [NewEvent(type=f"test.{name}", data={"name": name}) for name in names]


class SqlBatchContract:
    """Subclasses provide a `store` fixture returning a fresh, empty SqlEventStore."""

    def test_a_read_inside_the_callers_transaction_sees_its_uncommitted_append(
        self, store: SqlEventStore
    ):
        with store.engine.begin() as conn:
            store.append("s-1", 0, events("A"), META, connection=conn)
            assert [e.type for e in store.load("s-1", connection=conn)] == ["test.A"]
        assert [e.type for e in store.load("s-1")] == ["test.A"]

    def test_several_streams_load_in_one_call_leaving_out_empty_ones(self, store: SqlEventStore):
        store.append("s-1", 0, events("A", "B"), META)
        store.append("s-2", 0, events("C"), META)
        loaded = store.load_streams(["s-2", "s-1", "nothing"])
        assert {k: [e.type for e in v] for k, v in loaded.items()} == {
            "s-1": ["test.A", "test.B"],
            "s-2": ["test.C"],
        }
        assert loaded["s-1"] == store.load("s-1")

    def test_many_appends_chain_like_single_ones_and_follow_each_other_per_stream(
        self, store: SqlEventStore
    ):
        store.append("s-1", 0, events("A"), META)
        stored = store.append_many(
            [("s-1", 1, events("B")), ("s-2", 0, events("C", "D")), ("s-1", 2, events("E"))], META
        )
        assert [[e.stream_version for e in batch] for batch in stored] == [[2], [1, 2], [3]]
        assert [e.position for batch in stored for e in batch] == [2, 3, 4, 5]
        assert verify_chain(store.load("s-1")) == []
        assert verify_chain(store.load("s-2")) == []

    def test_many_appends_are_all_or_nothing(self, store: SqlEventStore):
        store.append("s-1", 0, events("A"), META)
        with pytest.raises(ConcurrencyError) as error:
            store.append_many([("s-2", 0, events("B")), ("s-1", 0, events("C"))], META)
        assert error.value.stream_id == "s-1"
        assert store.last_position() == 1
        with store.engine.begin() as conn:
            store.append("s-3", 0, events("D"), META, connection=conn)
            with pytest.raises(ConcurrencyError):
                store.append_many(
                    [("s-4", 0, events("E")), ("s-3", 0, events("F"))], META, connection=conn
                )
        assert [e.stream_id for e in store.read_all()] == ["s-1", "s-3"]

    def test_many_appends_record_the_idempotency_key_with_the_last_event(
        self, store: SqlEventStore
    ):
        keyed = Metadata(actor="tester", idempotency_key="k-1", request_hash="h")
        store.append_many([("s-1", 0, events("A")), ("s-2", 0, events("B"))], keyed)
        record = store.find_idempotent("tester", "k-1")
        assert record is not None
        assert (record.stream_id, record.stream_version, record.position) == ("s-2", 1, 2)

    def test_a_writing_transaction_reads_its_own_appends_and_keeps_all_or_nothing(
        self, store: SqlEventStore
    ):
        with pytest.raises(RuntimeError), store.writing() as writing:
            writing.append("s-1", 0, events("A"), META)
            writing.append("s-2", 0, events("B"), META)
            assert [e.type for e in writing.load("s-1")] == ["test.A"]
            raise RuntimeError("the decision fails after its appends")
        assert store.last_position() == 0
        with store.writing() as writing:
            writing.append("s-1", 0, events("A"), META)
        assert [e.type for e in store.load("s-1")] == ["test.A"]


class TestSqliteBatches(SqlBatchContract):
    @pytest.fixture
    def store(self, tmp_path):
        store = SqlEventStore(create_engine(f"sqlite:///{tmp_path}/events.db"), "test")
        store.create_tables()
        yield store
        store.engine.dispose()


@pytest.mark.postgres
class TestPostgresBatches(SqlBatchContract):
    @pytest.fixture
    def store(self, fresh_postgres_url):
        store = SqlEventStore(create_engine(fresh_postgres_url), "test")
        store.create_tables()
        yield store
        store.engine.dispose()


@pytest.mark.postgres
def test_a_writing_transaction_holds_every_other_append_until_it_ends(fresh_postgres_url):
    """What it read stays true until it commits: another writer, of another stream, waits."""
    store = SqlEventStore(create_engine(fresh_postgres_url), "test")
    store.create_tables()
    waiting = sa.text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
    try:
        with store.writing() as writing:
            other = threading.Thread(target=store.append, args=("s-2", 0, events("B"), META))
            other.start()
            with store.engine.connect() as watcher:
                assert wait_until(lambda: watcher.execute(waiting).scalar() == 1, 30)
            assert writing.load("s-2") == []
            writing.append("s-1", 0, events("A"), META)
        other.join(30)
        assert [e.stream_id for e in store.read_all()] == ["s-1", "s-2"]
    finally:
        store.engine.dispose()
