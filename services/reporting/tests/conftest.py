"""Fixtures: the service on SQLite with an embedded-log bus, producers of real events, a client."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from chibo_eventsourcing.runtime import PlatformSettings
from chibo_eventsourcing.sql.engine import create_engine
from chibo_eventsourcing.sql.log import SqlLog
from chibo_reporting.app import create_app
from chibo_reporting.bootstrap import ReportingService, bootstrap
from chibo_reporting.config import Settings
from chibo_web.auth import TokenSettings

from .support import SECRET, Client, World

NOW = datetime(2026, 3, 15, 3, 0, tzinfo=UTC)


def make_settings(tmp_path, database_url: str, **more) -> Settings:
    return Settings(platform=PlatformSettings(data_dir=tmp_path, kafka_partitions=3),
                    database_url=database_url, tokens=TokenSettings(secret=SECRET), **more)


@pytest.fixture
def bus(tmp_path) -> SqlLog:
    return SqlLog(create_engine(f"sqlite:///{tmp_path}/bus.db"))


@pytest.fixture
def settings(tmp_path) -> Settings:
    return make_settings(tmp_path, f"sqlite:///{tmp_path}/reporting.db", wait_seconds=1.0)


@pytest.fixture
def service(settings, bus) -> Iterator[ReportingService]:
    service = bootstrap(settings, bus=bus, clock=lambda: NOW)
    yield service
    service.engine.dispose()


@pytest.fixture
def app(settings, service):
    return create_app(settings, service=service)


@pytest.fixture
def client(app) -> Client:
    return Client(app)


@pytest.fixture
def world(tmp_path, bus) -> World:
    return World(str(tmp_path), bus)
