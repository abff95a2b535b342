"""The event-store port suite: every adapter must pass exactly these tests."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from chibo_contracts.envelope import verify_chain
from chibo_eventsourcing.store import (
    ConcurrencyError,
    EventStore,
    IdempotencyConflictError,
    Metadata,
    NewEvent,
)

META = Metadata(actor="tester", correlation_id="c-1")


def events(*names: str) -> list[NewEvent]:
    return [NewEvent(type=f"test.{name}", data={"name": name, "tên": "Nguyễn"}) for name in names]


class EventStoreContract:
    """Subclasses provide a `store` fixture returning a fresh, empty store."""

    def test_appended_events_load_back_in_version_order_with_envelope_fields(
        self, store: EventStore
    ):
        store.append("s-1", 0, events("A", "B"), META)
        store.append("s-1", 2, events("C"), Metadata(actor="other", correlation_id="c-2"))
        loaded = store.load("s-1")
        assert [e.type for e in loaded] == ["test.A", "test.B", "test.C"]
        assert [e.stream_version for e in loaded] == [1, 2, 3]
        assert [e.actor for e in loaded] == ["tester", "tester", "other"]
        assert loaded[0].data == {"name": "A", "tên": "Nguyễn"}
        assert loaded[0].source == store.source
        assert store.load("s-1", up_to_version=2) == loaded[:2]

    def test_an_unknown_stream_loads_empty(self, store: EventStore):
        assert store.load("nope") == []

    def test_a_stale_expected_version_is_a_concurrency_error(self, store: EventStore):
        store.append("s-1", 0, events("A"), META)
        with pytest.raises(ConcurrencyError):
            store.append("s-1", 0, events("B"), META)
        with pytest.raises(ConcurrencyError):
            store.append("s-1", 5, events("B"), META)
        assert [e.type for e in store.load("s-1")] == ["test.A"]

    def test_positions_are_global_increasing_and_read_all_pages_through_them(
        self, store: EventStore
    ):
        store.append("s-1", 0, events("A", "B"), META)
        store.append("s-2", 0, events("C"), META)
        store.append("s-1", 2, events("D"), META)
        everything = store.read_all(0, 100)
        positions = [e.position for e in everything]
        assert positions == sorted(positions) and len(set(positions)) == 4
        assert [e.type for e in everything] == ["test.A", "test.B", "test.C", "test.D"]
        assert store.read_all(positions[1], 2) == everything[2:4]
        assert store.last_position() == positions[-1]

    def test_each_stream_is_a_valid_hash_chain(self, store: EventStore):
        store.append("s-1", 0, events("A", "B"), META)
        store.append("s-1", 2, events("C"), META)
        chain = store.load("s-1")
        assert verify_chain(chain) == []
        assert chain[1].prev_hash == chain[0].hash

    def test_parallel_appends_with_the_same_expected_version_let_exactly_one_win(
        self, store: EventStore
    ):
        store.append("s-1", 0, events("A"), META)
        outcomes: list[str] = []
        barrier = threading.Barrier(8)

        def contender(n: int) -> None:
            barrier.wait()
            try:
                store.append("s-1", 1, events(f"B{n}"), META)
                outcomes.append("won")
            except ConcurrencyError:
                outcomes.append("lost")

        threads = [threading.Thread(target=contender, args=(n,)) for n in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(outcomes) == ["lost"] * 7 + ["won"]
        assert len(store.load("s-1")) == 2

    def test_an_idempotency_key_records_what_the_first_request_appended(self, store: EventStore):
        meta = Metadata(actor="alice", idempotency_key="k-1", request_hash="h-1")
        stored = store.append("s-1", 0, events("A", "B"), meta)
        record = store.find_idempotent("alice", "k-1")
        assert record is not None
        assert (record.stream_id, record.stream_version, record.request_hash) == ("s-1", 2, "h-1")
        assert record.position == stored[-1].position
        assert store.find_idempotent("bob", "k-1") is None
        with pytest.raises(IdempotencyConflictError):
            store.append("s-2", 0, events("C"), meta)
        assert store.load("s-2") == []

    def test_cursors_start_at_zero_and_keep_the_saved_position(self, store: EventStore):
        assert store.load_cursor("relay") == 0
        store.save_cursor("relay", 7)
        store.save_cursor("relay", 9)
        assert store.load_cursor("relay") == 9


StoreFactory = Callable[[], EventStore]
