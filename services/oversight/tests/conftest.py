"""Fixtures: the service on SQLite (and on PostgreSQL for tests that ask), its bus, its world."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from chibo_eventsourcing.runtime import PlatformSettings
from chibo_eventsourcing.sql.engine import create_engine
from chibo_eventsourcing.sql.log import SqlLog
from chibo_oversight.app import create_app
from chibo_oversight.bootstrap import OversightService, bootstrap
from chibo_oversight.config import Settings
from chibo_web.auth import TokenSettings

from .support import (
    GRASSROOTS_CELL,
    OTHER_DAY,
    OTHER_MEETING,
    SECRET,
    Client,
    MeetingsFeed,
    MembersFeed,
    catch_up,
)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/oversight.db"
    url: str = request.getfixturevalue("fresh_postgres_url")
    return url


@pytest.fixture
def bus(tmp_path) -> SqlLog:
    return SqlLog(create_engine(f"sqlite:///{tmp_path}/bus.db"))


def make_settings(tmp_path, database_url: str) -> Settings:
    return Settings(
        platform=PlatformSettings(data_dir=tmp_path, kafka_partitions=3),
        database_url=database_url,
        tokens=TokenSettings(secret=SECRET),
    )


@pytest.fixture
def settings(tmp_path, database_url) -> Settings:
    return make_settings(tmp_path, database_url)


@pytest.fixture
def service(settings, bus) -> Iterator[OversightService]:
    service = bootstrap(settings, bus=bus)
    yield service
    service.engine.dispose()


@pytest.fixture
def app(settings, service):
    return create_app(settings, service=service)


@pytest.fixture
def client(app) -> Client:
    return Client(app)


@pytest.fixture
def members(tmp_path, bus) -> Iterator[MembersFeed]:
    feed = MembersFeed(f"sqlite:///{tmp_path}/members.db", bus)
    yield feed
    feed.close()


@pytest.fixture
def meetings(tmp_path, bus) -> Iterator[MeetingsFeed]:
    feed = MeetingsFeed(f"sqlite:///{tmp_path}/meetings.db", bus)
    yield feed
    feed.close()


@pytest.fixture
def world(members: MembersFeed, meetings: MeetingsFeed, service: OversightService
          ) -> OversightService:
    """The standard tree, positions and two held meetings, already consumed by the service."""
    members.world()
    members.publish()
    meetings.held()
    meetings.held(OTHER_MEETING, GRASSROOTS_CELL, OTHER_DAY)
    meetings.publish()
    catch_up(service)
    return service

