"""A read model whose stored layout differs from the code's is rebuilt, not migrated.

The read models are a projection of the topics: when a release changes their layout (a column
added or removed, another primary key), the outdated tables are dropped with the projector's
stored offsets and per-stream versions, and the projector replays every topic from offset 0
into the new layout. Reporting's own event store (the rulebooks) is never touched. An index
the code no longer defines is only dropped: the rows stay as they are.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa

from chibo_eventsourcing.sql.ownership import claim
from chibo_eventsourcing.sql.tables import PlumbingTables
from chibo_reporting.read_models.tables import ReadModel

log = logging.getLogger(__name__)


def outdated(conn: sa.Connection, model: ReadModel) -> list[str]:
    """Read-model tables that exist with other columns or another primary key than the code
    defines."""
    inspector = sa.inspect(conn)
    stale = []
    for table in model.all():
        if inspector.has_table(table.name):
            columns = {c["name"] for c in inspector.get_columns(table.name)}
            key = inspector.get_pk_constraint(table.name)["constrained_columns"]
            if ({c.name for c in table.columns} != columns
                    or [c.name for c in table.primary_key.columns] != key):
                stale.append(table.name)
    return stale


def unused_indexes(conn: sa.Connection, model: ReadModel) -> list[tuple[str, str]]:
    """(table, index) of the read model's own indexes (named `ix_…`) the code no longer
    defines: every insert still pays for them."""
    inspector = sa.inspect(conn)
    unused = []
    for table in model.all():
        if inspector.has_table(table.name):
            defined = {index.name for index in table.indexes}
            unused += [(table.name, index["name"]) for index in inspector.get_indexes(table.name)
                       if index["name"] and index["name"].startswith("ix_")
                       and index["name"] not in defined]
    return unused


def reset_if_outdated(conn: sa.Connection, model: ReadModel, plumbing: PlumbingTables,
                      group: str) -> bool:
    """Drop every read-model table and forget `group`'s offsets when any table is outdated;
    the caller then creates the tables afresh. `group` is claimed anew, so a projector still
    running the older release stores nothing more (it stops; see
    `chibo_eventsourcing.sql.ownership`). Otherwise drop the indexes the code no longer
    defines. Runs in the caller's (locked) transaction."""
    stale = outdated(conn, model)
    if not stale:
        for name, index in unused_indexes(conn, model):
            log.warning("dropping index %s of %s: the read model no longer uses it", index, name)
            conn.execute(sa.text(f'DROP INDEX "{index}"'))
        return False
    log.warning("read model layout changed (%s): dropping it; the projector replays every "
                "topic from the start", ", ".join(stale))
    inspector = sa.inspect(conn)
    if inspector.has_table(plumbing.consumer_owners.name):
        # First: it waits for a batch being written, and refuses the next ones before they
        # touch a table (they would wait on the dropped tables while holding the group's row).
        claim(conn, plumbing.consumer_owners, group)
    for table in reversed(model.all()):
        table.drop(conn, checkfirst=True)
    for table in (plumbing.consumer_offsets, plumbing.consumer_streams):
        if inspector.has_table(table.name):
            conn.execute(sa.delete(table).where(table.c.group_id == group))
    return True
