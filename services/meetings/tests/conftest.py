"""Fixtures: the service on SQLite (and on PostgreSQL for tests that ask), its bus, its roll."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from chibo_eventsourcing.runtime import PlatformSettings
from chibo_eventsourcing.sql.engine import create_engine
from chibo_eventsourcing.sql.log import SqlLog
from chibo_meetings.app import create_app
from chibo_meetings.bootstrap import MeetingsService, bootstrap
from chibo_meetings.config import Settings
from chibo_web.auth import TokenSettings

from .support import SECRET, Client, MembersFeed, catch_up


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/meetings.db"
    url: str = request.getfixturevalue("fresh_postgres_url")
    return url


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path}/meetings.db"


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
def service(settings, bus) -> Iterator[MeetingsService]:
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
def feed(tmp_path, bus) -> MembersFeed:
    return MembersFeed(f"sqlite:///{tmp_path}/members.db", bus)


@pytest.fixture
def roster(feed: MembersFeed, service: MeetingsService) -> MembersFeed:
    """The standard tree and roll, already consumed by the service."""
    feed.standard_tree()
    feed.publish()
    catch_up(service)
    return feed
