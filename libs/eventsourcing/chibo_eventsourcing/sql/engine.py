"""Engines configured for the event store's needs on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.pool import StaticPool

_READ_ONLY = "chibo_read_only"


def create_engine(url: str, **options: Any) -> sa.Engine:
    """An engine for `url`; SQLite gets WAL, a busy timeout and write-ahead locking."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if not url.startswith("sqlite"):
        options.setdefault("pool_pre_ping", True)
        return sa.create_engine(url, **options)
    if url in ("sqlite://", "sqlite:///:memory:"):
        options.setdefault("poolclass", StaticPool)
    engine = sa.create_engine(
        url, connect_args={"timeout": 60, "check_same_thread": False}, **options
    )
    sa.event.listen(engine, "connect", _configure_sqlite)
    sa.event.listen(engine, "begin", _begin_immediate)
    return engine


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the driver, decide where transactions begin.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _begin_immediate(connection: sa.Connection) -> None:
    # Writers take the lock up front: a deferred transaction that later writes can fail with
    # SQLITE_BUSY instead of waiting, and positions must be handed out in commit order.
    # Readers begin deferred so that, under WAL, they never wait for a writer.
    if connection.get_execution_options().get(_READ_ONLY):
        connection.exec_driver_sql("BEGIN")
    else:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def read_connection(engine: sa.Engine) -> sa.Connection:
    """A connection for reading only: on SQLite it does not take the write lock."""
    return engine.connect().execution_options(**{_READ_ONLY: True})


def is_postgres(engine: sa.Engine | sa.Connection) -> bool:
    return engine.dialect.name == "postgresql"
