"""Multi-row upserts that read the same on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite


def upsert(
    conn: sa.Connection,
    table: sa.Table,
    rows: Sequence[Mapping[str, Any]],
    keys: Sequence[str],
    *,
    chunk: int = 500,
) -> None:
    """Insert `rows`, replacing the non-key columns of rows whose `keys` already exist.

    Every row must hold the same columns. One statement runs for all rows: it compiles once
    and the driver batches the rows (multi-row VALUES on PostgreSQL through SQLAlchemy's
    insertmanyvalues, one prepared statement stepped per row on SQLite). Compiling a literal
    multi-row VALUES statement per chunk instead costs more than the writing itself.
    """
    if not rows:
        return
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table)
    updates = {c: statement.excluded[c] for c in rows[0] if c not in keys}
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
    driver = conn.connection.driver_connection
    assert driver is not None
    names = ", ".join(f'"{c}"' for c in columns)
    statement = f'COPY "{table.name}" ({names}) FROM STDIN'
    errors = conn.dialect.loaded_dbapi.Error
    try:
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row([row[c] for c in columns])
    except errors as exc:
        # The same exception classes SQLAlchemy raises for an INSERT (IntegrityError, …).
        raise sa.exc.DBAPIError.instance(statement, None, exc, errors) from exc
