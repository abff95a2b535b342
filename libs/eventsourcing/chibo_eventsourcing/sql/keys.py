"""Rows by many keys, in as few statements as the database allows."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from chibo_eventsourcing.sql.engine import is_postgres

CHUNK = 500  # keys per IN (…) where there are no array parameters


def one_of(conn: sa.Connection, column: sa.ColumnElement[Any],
           values: Iterable[Any]) -> Iterator[sa.ColumnElement[bool]]:
    """Conditions that `column` is one of `values`, one statement's worth each (none for no
    values). On PostgreSQL a single `= ANY(array)` parameter: the statement's text does not
    change with the number of keys, so neither SQLAlchemy nor the driver parses it again.
    Elsewhere IN (…) over chunks of at most CHUNK keys."""
    wanted = sorted(set(values))
    if not wanted:
        return
    if is_postgres(conn):
        yield column == sa.any_(sa.bindparam(None, wanted, type_=postgresql.ARRAY(column.type)))
        return
    for start in range(0, len(wanted), CHUNK):
        yield column.in_(wanted[start:start + CHUNK])
