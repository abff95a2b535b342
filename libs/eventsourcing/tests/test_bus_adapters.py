"""Runs the bus port suite against the embedded log (SQLite, PostgreSQL) and real Kafka."""

from __future__ import annotations

import pytest

from chibo_eventsourcing.kafka import KafkaBus
from chibo_eventsourcing.sql.engine import create_engine
from chibo_eventsourcing.sql.log import SqlLog

from .bus_contract import BusContract


class TestSqliteLog(BusContract):
    @pytest.fixture
    def bus(self, tmp_path):
        return SqlLog(create_engine(f"sqlite:///{tmp_path}/log.db"))


@pytest.mark.postgres
class TestPostgresLog(BusContract):
    @pytest.fixture
    def bus(self, fresh_postgres_url):
        return SqlLog(create_engine(fresh_postgres_url))


@pytest.mark.kafka
class TestKafkaBus(BusContract):
    @pytest.fixture
    def bus(self, kafka_bootstrap_servers):
        return KafkaBus(kafka_bootstrap_servers)
