"""One running consumer per group and database: a lock says who runs, an epoch who may write.

A projection reads rows, changes them in memory and writes them back, so two processes running
one group would lose each other's changes (Kafka would split the partitions between them, the
embedded log would give both every event). The first process to take the group's lock runs
it; any other stands by until the lock is free, that is until the first stops or dies.

The lock alone is not enough: a process can lose it without knowing (its lock connection
dropped) and keep writing, or die with a batch's transaction still open. So taking the group
also claims a new epoch in `consumer_owners`, and each batch's transaction begins by locking
the group's row at the epoch it runs under. A batch of an older epoch is refused and stores
nothing; a claim waits for the batch in flight of the previous owner to commit, so the new
owner reads the offsets that batch stored.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import re
import threading
from pathlib import Path
from typing import IO, Protocol

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.pool import NullPool

from chibo_eventsourcing.sql.engine import is_postgres
from chibo_eventsourcing.sql.tables import PlumbingTables

log = logging.getLogger(__name__)


class OwnershipLostError(RuntimeError):
    """Another process has claimed the group since this one did: this one must stop."""


def claim(conn: sa.Connection, owners: sa.Table, group: str) -> int:
    """Claim `group` for a new epoch and return it (in the caller's transaction). Waits for
    the transaction of a batch being written under the previous epoch to end."""
    dialect = postgresql if is_postgres(conn) else sqlite
    statement = (
        dialect.insert(owners)
        .values(group_id=group, epoch=1)
        .on_conflict_do_update(index_elements=["group_id"], set_={"epoch": owners.c.epoch + 1})
        .returning(owners.c.epoch)
    )
    return int(conn.execute(statement).scalar_one())


def hold(conn: sa.Connection, owners: sa.Table, group: str, epoch: int) -> None:
    """Lock `group`'s row at `epoch` until the transaction ends, or refuse: the first statement
    of every batch's transaction."""
    held = conn.execute(
        sa.select(owners.c.epoch)
        .where(owners.c.group_id == group, owners.c.epoch == epoch)
        .with_for_update()  # on SQLite the transaction itself holds the database's write lock
    ).first()
    if held is None:
        now = conn.execute(sa.select(owners.c.epoch).where(owners.c.group_id == group))
        raise OwnershipLostError(
            f"consumer group {group!r} was claimed again (epoch {now.scalar()}) since this "
            f"process claimed epoch {epoch}: another process runs it now; stopping"
        )


def start_over(conn: sa.Connection, tables: PlumbingTables, group: str) -> None:
    """Make `group` start again from offset 0, in the caller's transaction: claim it anew, so
    that a runner still running it stores nothing more (the claim first: it waits for that
    runner's batch in flight), then forget its offsets and stream versions. Tables a database
    of an earlier release lacks are skipped."""
    present = set(sa.inspect(conn).get_table_names())
    if tables.consumer_owners.name in present:
        claim(conn, tables.consumer_owners, group)
    for table in (tables.consumer_offsets, tables.consumer_streams):
        if table.name in present:
            conn.execute(sa.delete(table).where(table.c.group_id == group))


def forget(engine: sa.Engine, tables: PlumbingTables, group: str) -> None:
    """Remove all a group that will never run again (a replay's) leaves behind: its offsets,
    stream versions and claim and, on SQLite, its lock file."""
    with engine.begin() as conn:
        for table in (tables.consumer_offsets, tables.consumer_streams, tables.consumer_owners):
            conn.execute(sa.delete(table).where(table.c.group_id == group))
    path = _lock_file(engine, group)
    if path is not None:
        path.unlink(missing_ok=True)


class _Lock(Protocol):
    def try_take(self) -> bool: ...

    def release(self) -> None: ...


class GroupLock:
    """Held while this process runs `group` on `engine`'s database: a session advisory lock on
    PostgreSQL (held by a connection of its own), an exclusive `flock` of a file beside the
    database on SQLite. Either is released by the operating system or the server when the
    process dies. (An in-memory SQLite database is one process's; nothing to lock.)"""

    def __init__(self, engine: sa.Engine, group: str, retry_seconds: float = 1.0) -> None:
        self.group = group
        self.retry_seconds = retry_seconds
        self._lock = _lock_for(engine, group)

    def acquire(self, stop: threading.Event | None = None) -> bool:
        """Take the lock, standing by while another process holds it; False if `stop` is set
        first."""
        stop = stop or threading.Event()
        if self._lock.try_take():
            return True
        log.warning("another process runs consumer group %r on this database: standing by",
                    self.group)
        while not stop.wait(self.retry_seconds):
            if self._lock.try_take():
                log.warning("consumer group %r is free: taking it over", self.group)
                return True
        return False

    def release(self) -> None:
        self._lock.release()


def lock_key(group: str) -> int:
    """The advisory lock key of `group`: 64 bits of a hash of its name, as a signed bigint."""
    digest = hashlib.blake2b(f"chibo-consumer-group:{group}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _lock_for(engine: sa.Engine, group: str) -> _Lock:
    if is_postgres(engine):
        return _AdvisoryLock(engine, lock_key(group))
    path = _lock_file(engine, group)
    return _Unshared() if path is None else _FileLock(path)


def _lock_file(engine: sa.Engine, group: str) -> Path | None:
    """Where `group`'s lock lives on a SQLite file database (None elsewhere)."""
    database = engine.url.database
    if is_postgres(engine) or not database or database == ":memory:":
        return None
    return Path(f"{database}.{re.sub(r'[^A-Za-z0-9._-]', '_', group)}.lock")


class _AdvisoryLock:
    def __init__(self, engine: sa.Engine, key: int) -> None:
        # A connection of its own, never pooled: closed (or dropped unreleased) it ends its
        # session and so the lock, instead of going back to a pool still holding it.
        self.engine = sa.create_engine(engine.url, poolclass=NullPool)
        self.key = key
        self._conn: sa.Connection | None = None

    def try_take(self) -> bool:
        conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        try:
            taken = conn.execute(sa.select(sa.func.pg_try_advisory_lock(self.key))).scalar()
        except BaseException:
            conn.close()
            raise
        if not taken:
            conn.close()
            return False
        self._conn = conn
        return True

    def release(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            conn.close()  # ends the session, and so the lock, whatever state it is in


class _FileLock:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: IO[str] | None = None

    def try_take(self) -> bool:
        file = self.path.open("a")
        try:
            fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            file.close()
            return False
        self._file = file
        return True

    def release(self) -> None:
        if self._file is not None:
            with contextlib.suppress(OSError):
                self._file.close()  # closing the file releases the lock
            self._file = None


class _Unshared:
    def try_take(self) -> bool:
        return True

    def release(self) -> None:
        pass
