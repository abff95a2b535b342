"""Runs the event-store port suite against memory, SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from chibo_eventsourcing.memory import MemoryEventStore
from chibo_eventsourcing.sql.engine import create_engine
from chibo_eventsourcing.sql.store import SqlEventStore

from .store_contract import EventStoreContract


class TestMemoryStore(EventStoreContract):
    @pytest.fixture
    def store(self):
        return MemoryEventStore("test")


class TestSqliteStore(EventStoreContract):
    @pytest.fixture
    def store(self, tmp_path):
        store = SqlEventStore(create_engine(f"sqlite:///{tmp_path}/events.db"), "test")
        store.create_tables()
        yield store
        store.engine.dispose()


@pytest.mark.postgres
class TestPostgresStore(EventStoreContract):
    @pytest.fixture
    def store(self, fresh_postgres_url):
        store = SqlEventStore(create_engine(fresh_postgres_url, pool_size=10), "test")
        store.create_tables()
        yield store
        store.engine.dispose()
