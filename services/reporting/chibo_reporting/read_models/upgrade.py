"""A read model whose stored layout differs from the code's is rebuilt, not migrated.

The read models are a projection of the topics: when a release changes their layout (a column
added or removed, another primary key), the outdated tables are dropped with the projector's
stored offsets and per-stream versions, and the projector replays every topic from offset 0
into the new layout. Reporting's own event store (the rulebooks) is never touched. An index
the code no longer defines is only dropped: the rows stay as they are.

The layout has a version, recorded beside the read model. A release whose `LAYOUT_VERSION` is
higher replays even when the columns are the same (what the projector writes into them
changed); a release whose version is lower refuses to start rather than reset a newer
release's read model (during a rolling deployment an older process restarting would
otherwise drop it, and the two releases would take turns replaying).
"""

from __future__ import annotations

import hashlib
import logging

import sqlalchemy as sa

from chibo_eventsourcing.sql.ownership import start_over
from chibo_eventsourcing.sql.tables import PlumbingTables
from chibo_eventsourcing.sql.upsert import upsert
from chibo_reporting.read_models.tables import ReadModel

log = logging.getLogger(__name__)

# Raise LAYOUT_VERSION whenever the read model's tables, or what the projector writes into
# them, change; the fingerprint of the tables is checked by a test, which says when to.
# 2: a meeting's `present` counts exempted members who came (DOMAIN §5);
# 3: attendance is indexed by cell for its counted absences only (a new index needs the replay)
# 4: oversight.VisitWithdrawn deletes its visit and keeps its place in `withdrawn_visits` (a
#    release before it dead-lettered the event: the replay applies it)
LAYOUT_VERSION = 4
LAYOUT_FINGERPRINT = "afaa7eccd3a5c220142866e98b7c37c182c7f51300c6ee84ad6eea3f26d801b4"

_LAYOUT = sa.Table(
    "read_model_layout", sa.MetaData(),
    sa.Column("name", sa.String(40), primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
)


class NewerLayoutError(RuntimeError):
    """The read model was laid out by a newer release than this one."""


def fingerprint(model: ReadModel) -> str:
    """A digest of the tables as the code defines them: columns, types, keys, indexes."""
    digest = hashlib.sha256()
    for table in sorted(model.all(), key=lambda t: t.name):
        digest.update(f"table {table.name}\n".encode())
        for column in table.columns:
            digest.update(f"{column.name} {column.type!r} null={column.nullable} "
                          f"key={column.primary_key}\n".encode())
        for index in sorted(table.indexes, key=lambda i: i.name or ""):
            names = ",".join(c.name for c in index.columns)
            where = index.dialect_options["postgresql"]["where"]
            partial = "" if where is None else f" where {where}"
            digest.update(f"index {index.name} ({names}) unique={index.unique}{partial}\n"
                          .encode())
    return digest.hexdigest()


def stored_layout_version(conn: sa.Connection) -> int:
    """The layout version recorded beside the read model; 0 before any was."""
    if not sa.inspect(conn).has_table(_LAYOUT.name):
        return 0
    version = conn.execute(sa.select(_LAYOUT.c.version)
                           .where(_LAYOUT.c.name == "reporting")).scalar()
    return int(version or 0)


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
    """Bring the read model to this release's layout (see the module's docstring): refuse a
    newer one, reset an older or different one, and record the version. True if reset."""
    stored = stored_layout_version(conn)
    if stored > LAYOUT_VERSION:
        raise NewerLayoutError(
            f"the reporting read model was laid out by a newer release (layout {stored}; this "
            f"release has layout {LAYOUT_VERSION}): stop this process — an older release must "
            "not run beside a newer one")
    reasons = outdated(conn, model)
    if stored == 0 and sa.inspect(conn).has_table(model.meetings.name):
        stored = 1  # laid out by a release from before the version was recorded: layout 1
    if 0 < stored < LAYOUT_VERSION:
        reasons.append(f"layout {stored} → {LAYOUT_VERSION}")
    reset = _reset_if(reasons, conn, model, plumbing, group)
    _LAYOUT.create(conn, checkfirst=True)
    upsert(conn, _LAYOUT, [{"name": "reporting", "version": LAYOUT_VERSION}], ["name"])
    return reset


def _reset_if(stale: list[str], conn: sa.Connection, model: ReadModel,
              plumbing: PlumbingTables, group: str) -> bool:
    """Drop every read-model table and forget `group`'s offsets when there is a reason to
    (`stale`); the caller then creates the tables afresh. `group` is claimed anew, so a
    projector still running the older release stores nothing more (it stops; see
    `chibo_eventsourcing.sql.ownership`). Otherwise drop the indexes the code no longer
    defines. Runs in the caller's (locked) transaction."""
    if not stale:
        for name, index in unused_indexes(conn, model):
            log.warning("dropping index %s of %s: the read model no longer uses it", index, name)
            conn.execute(sa.text(f'DROP INDEX "{index}"'))
        return False
    log.warning("read model layout changed (%s): dropping it; the projector replays every "
                "topic from the start", ", ".join(stale))
    # Before the drops: the claim waits for a batch being written and refuses the next ones
    # before they touch a table (they would wait on the dropped tables holding the group's row).
    start_over(conn, plumbing, group)
    for table in reversed(model.all()):
        table.drop(conn, checkfirst=True)
    return True
