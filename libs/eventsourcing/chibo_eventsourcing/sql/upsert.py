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
    """Insert `rows`, replacing the non-key columns of rows whose `keys` already exist."""
    if not rows:
        return
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    for start in range(0, len(rows), chunk):
        batch = rows[start : start + chunk]
        statement = dialect.insert(table).values(list(batch))
        updates = {c: statement.excluded[c] for c in batch[0] if c not in keys}
        if updates:
            statement = statement.on_conflict_do_update(index_elements=list(keys), set_=updates)
        else:
            statement = statement.on_conflict_do_nothing(index_elements=list(keys))
        conn.execute(statement)
