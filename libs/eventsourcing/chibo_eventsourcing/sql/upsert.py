"""Multi-row upserts and inserts that read the same on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

# From this many rows on, a PostgreSQL upsert of plain columns copies them into a staging table
# first (below it, creating the table costs more than the copy saves; docs/PERFORMANCE.md).
COPY_FROM = 100
# Column types whose Python values the driver writes as they are (no bind processing but a
# check). JSON, enums and decorated types go through SQLAlchemy, and so do times: COPY would
# drop the offset of an aware time bound for a column without a zone, where INSERT converts it.
_PLAIN = (sa.String, sa.Integer, sa.Float, sa.Boolean, sa.Date)
_STAGING = "chibo_upsert_staging"


def upsert(
    conn: sa.Connection,
    table: sa.Table,
    rows: Sequence[Mapping[str, Any]],
    keys: Sequence[str],
    *,
    chunk: int = 500,
) -> None:
    """Insert `rows`, replacing the non-key columns of rows whose `keys` already exist; a key
    given twice keeps its last row. Every row must hold the same columns.

    On PostgreSQL, from `COPY_FROM` rows of plain columns on, the rows are copied into a
    temporary table and upserted from it in one statement, in half the time of the statement
    per row that the driver otherwise runs (psycopg pipelines them, but PostgreSQL still
    executes each). Below that, or with columns SQLAlchemy must convert, one statement is
    compiled once and the driver runs it for each row (one prepared statement stepped per row
    on SQLite).
    """
    if not rows:
        return
    columns = list(rows[0])
    rows = list({tuple(row[k] for k in keys): row for row in rows}.values())
    postgres = conn.dialect.name == "postgresql"
    if postgres and len(rows) >= COPY_FROM and _plain(table, columns):
        _copy_upsert(conn, table, rows, columns, keys)
        return
    statement = (postgresql if postgres else sqlite).insert(table)
    updates = {c: statement.excluded[c] for c in columns if c not in keys}
    if updates:
        statement = statement.on_conflict_do_update(index_elements=list(keys), set_=updates)
    else:
        statement = statement.on_conflict_do_nothing(index_elements=list(keys))
    for start in range(0, len(rows), chunk):
        conn.execute(statement, [dict(row) for row in rows[start : start + chunk]])


def insert_new(conn: sa.Connection, table: sa.Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert rows that are known to be new (a duplicate key fails the transaction).

    On PostgreSQL this is one COPY, several times faster than a multi-row INSERT for the
    thousands of rows a projection batch writes; elsewhere a plain INSERT of all rows. Values
    go in as the driver adapts them, so they must already be in their column's Python type.
    """
    if not rows:
        return
    columns = list(rows[0])
    if conn.dialect.name != "postgresql":
        conn.execute(sa.insert(table), [dict(row) for row in rows])
        return
    statement = f"COPY {_table(conn, table)} ({_names(conn, columns)}) FROM STDIN"
    with _cursor(conn, statement) as cursor:
        _copy(cursor, statement, rows, columns)


def _plain(table: sa.Table, columns: Sequence[str]) -> bool:
    return all(isinstance(t, _PLAIN) and not isinstance(t, (sa.Enum, sa.TypeDecorator))
               for t in (table.c[c].type for c in columns))


def _copy_upsert(conn: sa.Connection, table: sa.Table, rows: Sequence[Mapping[str, Any]],
                 columns: Sequence[str], keys: Sequence[str]) -> None:
    """The staging table has the columns' types and no constraints (NOT NULL is the target's
    to check); it lives until the end of this call, or of the transaction if it fails."""
    target, names, quote = _table(conn, table), _names(conn, columns), _quote(conn)
    updates = ", ".join(f"{quote(c)} = excluded.{quote(c)}" for c in columns if c not in keys)
    action = f"DO UPDATE SET {updates}" if updates else "DO NOTHING"
    statement = (f"INSERT INTO {target} ({names}) SELECT {names} FROM {_STAGING} "
                 f"ON CONFLICT ({_names(conn, keys)}) {action}")
    with _cursor(conn, statement) as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE {_STAGING} ON COMMIT DROP AS "
                       f"SELECT {names} FROM {target} WITH NO DATA")
        _copy(cursor, f"COPY {_STAGING} ({names}) FROM STDIN", rows, columns)
        cursor.execute(statement)
        cursor.execute(f"DROP TABLE {_STAGING}")


def _copy(cursor: Any, statement: str, rows: Sequence[Mapping[str, Any]],
          columns: Sequence[str]) -> None:
    with cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([row[c] for c in columns])


@contextmanager
def _cursor(conn: sa.Connection, statement: str) -> Iterator[Any]:
    """A cursor of the driver's own, in the connection's transaction; its errors are raised as
    the exception classes SQLAlchemy raises for the same statement (IntegrityError, …), which
    name `statement`, the one that writes the rows."""
    driver = conn.connection.driver_connection
    assert driver is not None
    errors = conn.dialect.loaded_dbapi.Error
    try:
        with driver.cursor() as cursor:
            yield cursor
    except errors as exc:
        raise sa.exc.DBAPIError.instance(statement, None, exc, errors) from exc


def _quote(conn: sa.Connection) -> Callable[[str], str]:
    return conn.dialect.identifier_preparer.quote


def _names(conn: sa.Connection, columns: Sequence[str]) -> str:
    return ", ".join(_quote(conn)(c) for c in columns)


def _table(conn: sa.Connection, table: sa.Table) -> str:
    return conn.dialect.identifier_preparer.format_table(table)
