"""A second process that stores each folded batch while the consumer prepares the next one.

A projector spends about half its time polling, decoding and folding and half writing; in one
Python process those halves take turns on one core. Here the writing half runs in a child
process with its own database connection, one batch at a time, so the two halves overlap.

The child is started with "spawn" (the parent has threads: Kafka's, the supervisor's) from a
factory that pickles by reference: a module-level function, or a `functools.partial` of one.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import signal
import traceback
from collections.abc import Callable, Mapping
from typing import Any, Protocol

import sqlalchemy as sa

from chibo_eventsourcing.bus import TopicPartition
from chibo_eventsourcing.sql.ownership import OwnershipLostError

# Errors that the rows of one event can cause; anything else (a lost connection) is not the
# data's fault, so it propagates and the batch is retried from the stored offsets.
DATA_ERRORS = (sa.exc.IntegrityError, sa.exc.DataError)
GC_THRESHOLDS = (100_000, 50, 100)  # the writer process's; Python's default is (700, 10, 10)


class StoresBatches(Protocol):
    def store(
        self,
        state: Any,
        versions: Mapping[str, int],
        next_offsets: Mapping[TopicPartition, int],
        epoch: int,
    ) -> None:
        """Write the folded `state` with the offsets and stream versions, in one transaction,
        as the group's owner of `epoch`."""


class WriteRefusedError(Exception):
    """The database refused the batch for its data: find the event at fault one at a time."""


class WriterFailedError(RuntimeError):
    """The writer process could not store the batch for another reason, or is gone."""


class ChildWriter:
    """Stores batches in a child process built by `factory`; one batch in flight at a time."""

    def __init__(self, factory: Callable[[], StoresBatches], name: str = "writer") -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, child_end = context.Pipe()
        self._process = context.Process(
            target=_serve, args=(factory, child_end), name=name, daemon=True
        )
        self._process.start()
        child_end.close()

    def submit(
        self,
        state: Any,
        versions: Mapping[str, int],
        next_offsets: Mapping[TopicPartition, int],
        epoch: int,
    ) -> None:
        try:
            self._conn.send((state, dict(versions), dict(next_offsets), epoch))
        except (BrokenPipeError, EOFError, OSError) as exc:
            raise WriterFailedError(f"the writer process is gone: {exc!r}") from exc

    def result(self) -> None:
        """Wait for the batch submitted last; raise `WriteRefusedError`, `OwnershipLostError`
        or `WriterFailedError`."""
        try:
            outcome, detail = self._conn.recv()
        except (EOFError, OSError) as exc:
            self._process.join(timeout=5)
            raise WriterFailedError(
                f"the writer process exited (exit code {self._process.exitcode})"
            ) from exc
        if outcome == "refused":
            raise WriteRefusedError(detail)
        if outcome == "lost":
            raise OwnershipLostError(detail)
        if outcome == "failed":
            raise WriterFailedError(f"the writer process failed to store a batch:\n{detail}")

    def close(self) -> None:
        with contextlib.suppress(BrokenPipeError, OSError):
            self._conn.send(None)
        self._process.join(timeout=10)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join(timeout=5)
        self._conn.close()


def _serve(factory: Callable[[], StoresBatches], conn: Any) -> None:
    """In the child: store each batch received and answer how it went, until told to stop."""
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.SIG_IGN)  # the parent finishes its batch, then stops us
    store = factory()
    # Each batch allocates and drops millions of short-lived objects (rows, parameters): with
    # the default thresholds the collector runs thousands of times a batch, and each full
    # collection walks the whole heap. Startup objects are frozen out of it; -11 % on the
    # replay benchmark (docs/PERFORMANCE.md).
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    while True:
        try:
            job = conn.recv()
        except EOFError:  # the parent is gone
            return
        if job is None:
            return
        try:
            store.store(*job)
        except DATA_ERRORS as exc:
            outcome = ("refused", repr(exc))
        except OwnershipLostError as exc:
            outcome = ("lost", str(exc))
        except Exception:  # noqa: BLE001 - reported to the parent, which raises it
            outcome = ("failed", traceback.format_exc())
        else:
            outcome = ("ok", "")
        try:
            conn.send(outcome)
        except OSError:  # the parent is gone (killed): its successor reads what was stored
            return
        if outcome[0] == "failed":
            return
