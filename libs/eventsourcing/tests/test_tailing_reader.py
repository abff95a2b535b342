"""A tailing reader never skips an event whose lower position commits after a higher one."""

from __future__ import annotations

import threading

import pytest

from chibo_eventsourcing.sql.engine import create_engine
from chibo_eventsourcing.sql.store import SqlEventStore
from chibo_eventsourcing.store import Metadata, NewEvent

META = Metadata(actor="tester")


def tail(store: SqlEventStore, cursor: int) -> tuple[list[str], int]:
    seen = store.read_all(cursor, 1000)
    return [e.stream_id for e in seen], (seen[-1].position or cursor) if seen else cursor


def late_commit_scenario(store: SqlEventStore) -> None:
    """Writer A appends and holds its transaction open while writer B tries to append."""
    release_a = threading.Event()
    a_inserted = threading.Event()

    def writer_a() -> None:
        with store.engine.begin() as conn:
            store.append("stream-a", 0, [NewEvent("test.A", {})], META, connection=conn)
            a_inserted.set()
            release_a.wait(30)

    def writer_b() -> None:
        store.append("stream-b", 0, [NewEvent("test.B", {})], META)

    thread_a = threading.Thread(target=writer_a)
    thread_a.start()
    assert a_inserted.wait(30)
    thread_b = threading.Thread(target=writer_b)
    thread_b.start()
    # Give B every chance to commit ahead of A; if positions could commit out of order, the
    # reader below would see B now and skip A for ever.
    thread_b.join(timeout=1.0)

    seen, cursor = tail(store, 0)
    assert seen in ([], ["stream-a"]), f"reader saw {seen} while A was uncommitted"
    release_a.set()
    thread_a.join(30)
    thread_b.join(30)
    later, cursor = tail(store, cursor)
    assert seen + later == ["stream-a", "stream-b"]


def test_sqlite_reader_never_skips_a_late_committing_lower_position(tmp_path):
    store = SqlEventStore(create_engine(f"sqlite:///{tmp_path}/e.db"), "test")
    store.create_tables()
    late_commit_scenario(store)


@pytest.mark.postgres
def test_postgres_reader_never_skips_a_late_committing_lower_position(fresh_postgres_url):
    store = SqlEventStore(create_engine(fresh_postgres_url), "test")
    store.create_tables()
    late_commit_scenario(store)
