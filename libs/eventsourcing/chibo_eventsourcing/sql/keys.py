"""Rows by many keys, in as few statements as the database allows."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from chibo_eventsourcing.sql.engine import is_postgres

CHUNK = 500  # keys per IN (…) where there are no arrays


def one_of(conn: sa.Connection, column: sa.ColumnElement[Any],
           values: Iterable[Any]) -> Iterator[sa.ColumnElement[bool]]:
    """Conditions that `column` is one of `values`, one statement's worth each (none for no
    values). On PostgreSQL a single `= ANY(ARRAY[…])`, the keys written into the statement
    (SQLAlchemy escapes them): as a parameter, psycopg prepares a statement run five times and
    PostgreSQL then keeps one plan for any array, made from the statistics of that moment. For
    a table empty then (a replay's first batches) that plan is a scan comparing every row with
    each key in turn, seconds a batch once the table has grown (docs/PERFORMANCE.md). With the
    keys in its text, each select is planned for its own keys, and a scan hashes them. (psycopg
    remembers the texts of the last 100 statements it has not prepared, so a connection holds
    at most that many such texts; the reporting writer's peak RSS did not move.)
    Elsewhere IN (…) over chunks of at most CHUNK keys."""
    wanted = sorted(set(values))
    if not wanted:
        return
    if is_postgres(conn):
        keys = sa.bindparam(None, wanted, type_=postgresql.ARRAY(column.type),
                            literal_execute=True)
        yield column == sa.any_(keys)
        return
    for start in range(0, len(wanted), CHUNK):
        yield column.in_(wanted[start:start + CHUNK])
