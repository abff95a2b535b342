"""pytest fixtures giving tests a real Kafka broker and PostgreSQL server; they fail, never skip."""

from __future__ import annotations

import uuid
import warnings
from collections.abc import Iterator
from contextlib import AbstractContextManager, ExitStack

import psycopg
import pytest

from chibo_infra.errors import InfrastructureUnavailable
from chibo_infra.kafka import kafka_bootstrap
from chibo_infra.postgres import create_database, drop_database, redact_url
from chibo_infra.postgres import postgres_url as resolve_postgres_url


def _enter_or_fail(stack: ExitStack, resource: AbstractContextManager[str]) -> str:
    try:
        return stack.enter_context(resource)
    except InfrastructureUnavailable as exc:
        message = str(exc)
    # Failing outside the except block keeps pytest from printing the message twice (chained).
    pytest.fail(message, pytrace=False)


@pytest.fixture(scope="session")
def kafka_bootstrap_servers() -> Iterator[str]:
    """host:port of a real Kafka broker shared by the whole session."""
    with ExitStack() as stack:
        yield _enter_or_fail(stack, kafka_bootstrap())


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """postgresql+psycopg:// URL of a real PostgreSQL database shared by the whole session."""
    with ExitStack() as stack:
        yield _enter_or_fail(stack, resolve_postgres_url())


@pytest.fixture
def fresh_postgres_url(postgres_url: str) -> Iterator[str]:
    """URL of a new, empty database on the session's server, dropped after the test."""
    name = f"test_{uuid.uuid4().hex[:12]}"
    yield _create_or_fail(postgres_url, name)
    _drop_quietly(postgres_url, name)


def _create_or_fail(postgres_url: str, name: str) -> str:
    try:
        return create_database(postgres_url, name)
    except psycopg.Error as exc:
        problem = f"cannot create a test database on {redact_url(postgres_url)}: {exc}"
    pytest.fail(problem, pytrace=False)


def _drop_quietly(postgres_url: str, name: str) -> None:
    try:
        drop_database(postgres_url, name)
    except psycopg.Error as exc:
        warnings.warn(f"could not drop test database {name}: {exc}", stacklevel=1)


@pytest.fixture
def unique_name() -> str:
    """A short unique string for topic, group or table names."""
    return uuid.uuid4().hex[:10]
