"""The query side: each report reads one consistent snapshot of the read models.

The tree and the rulebooks are cached between requests and rebuilt only when the projection
changed them; roll-ups reuse the summaries of cells whose facts did not change (`summaries`).
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from functools import partial
from typing import Any

import sqlalchemy as sa

from chibo_eventsourcing.sql.engine import is_postgres, read_connection
from chibo_reporting.access import Sight
from chibo_reporting.periods import Period
from chibo_reporting.queries import audit, reports
from chibo_reporting.queries.evaluation import AT_TIME, Context, most_of
from chibo_reporting.queries.loading import Loader
from chibo_reporting.queries.subjects import Subjects
from chibo_reporting.queries.summaries import SummaryCache
from chibo_reporting.read_models import ReadModel
from chibo_reporting.read_models.tree import Tree
from chibo_reporting.rulebooks import Rulebook, RulebookIndex

VIETNAM = timezone(timedelta(hours=7))
NotFoundError = reports.NotFoundError


# Objects a report may leave behind (in the caches) before it runs the young generations'
# collection itself: a cold province roll-up leaves millions, and the first collections after
# it walk them all (94 ms measured), in whichever request comes next.
LEFT_BEHIND = 50_000


@contextmanager
def _allocating() -> Iterator[None]:
    """Pause the cyclic garbage collector while a report builds its facts: a province roll-up
    allocates a few hundred thousand acyclic objects, and the collector's passes over them cost
    a third of the time. Reference counting still frees everything as usual; what a report
    left behind in large numbers is collected at its own end, not in the next report."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
            if gc.get_count()[0] > LEFT_BEHIND:
                gc.collect(1)


Shown = Callable[[str], bool]


def _readable(sight: Sight, subjects: Subjects, stream_id: str, source: str) -> bool:
    return sight.sees(subjects.places(source, stream_id))


class WaitTimedOutError(TimeoutError):
    """The projection did not reach the awaited positions in time."""


@dataclass
class _Cached:
    tree: tuple[str | None, Tree] | None = None
    index: tuple[str | None, RulebookIndex] | None = None


class Reports:
    def __init__(self, engine: sa.Engine, model: ReadModel, clock: Callable[[], datetime],
                 *, wait_seconds: float = 10.0) -> None:
        self.engine = engine
        self.model = model
        self.clock = clock
        self.wait_seconds = wait_seconds
        self._cache = _Cached()
        self._lock = threading.Lock()
        self.summaries = SummaryCache()

    def today(self) -> date:
        return self.clock().astimezone(VIETNAM).date()

    @contextmanager
    def snapshot(self) -> Iterator[Loader]:
        """A loader over one transaction (REPEATABLE READ on PostgreSQL)."""
        with read_connection(self.engine) as conn:
            reader = conn
            if is_postgres(conn):
                reader = conn.execution_options(isolation_level="REPEATABLE READ")
            with reader.begin():
                yield Loader(reader, self.model)

    def _current(self, loader: Loader) -> tuple[Tree, RulebookIndex]:
        """The tree and the rulebooks, rebuilt only when the projection renewed their stamps."""
        stamps = loader.stamps()
        with self._lock:
            tree, rulebooks = stamps.get("tree"), stamps.get("rulebooks")
            if self._cache.tree is None or self._cache.tree[0] != tree:
                self._cache.tree = (tree, loader.tree())
            if self._cache.index is None or self._cache.index[0] != rulebooks:
                self._cache.index = (rulebooks, loader.rulebook_index())
            return self._cache.tree[1], self._cache.index[1]

    def context(self, loader: Loader, period: Period,
                mode: str = AT_TIME) -> tuple[Context, dict[str, int]]:
        positions = loader.positions()
        tree, index = self._current(loader)
        return Context(period, self.today(), mode, tree, index), positions

    def _report(self, period: Period, mode: str,
                build: Callable[[Loader, Context], dict[str, Any]]) -> dict[str, Any]:
        with self.snapshot() as loader, _allocating():
            context, positions = self.context(loader, period, mode)
            answer = build(loader, context)
        return {**answer, "positions": positions, "today": context.today.isoformat()}

    def cell(self, cell_id: str, period: Period, mode: str = AT_TIME) -> dict[str, Any]:
        return self._report(period, mode,
                            lambda loader, ctx: reports.cell_report(loader, ctx, cell_id))

    def unit(self, unit_id: str, period: Period, tree_as_of: date | None = None,
             mode: str = AT_TIME) -> dict[str, Any]:
        day = tree_as_of or period.end
        return self._report(period, mode,
                            lambda loader, ctx: reports.unit_report(loader, ctx, unit_id, day,
                                                                    self.summaries))

    def overseers(self, unit_id: str, period: Period, tree_as_of: date | None = None,
                  mode: str = AT_TIME, shown: Shown | None = None) -> dict[str, Any]:
        """`shown(unit)` (None: all) keeps the assignments and cells a scoped caller sees."""
        day = tree_as_of or period.end
        return self._report(period, mode, lambda loader, ctx: reports.overseers_report(
            loader, ctx, unit_id, day, cache=self.summaries, shown=shown))

    def member(self, member_id: str, period: Period, mode: str = AT_TIME) -> dict[str, Any]:
        return self._report(period, mode,
                            lambda loader, ctx: reports.member_report(loader, ctx, member_id))

    def reminders(self, unit_id: str, period: Period, tree_as_of: date | None = None,
                  mode: str = AT_TIME, shown: Shown | None = None) -> dict[str, Any]:
        """`shown(cell)` (None: all) keeps the cells a scoped caller sees."""
        day = tree_as_of or period.end
        return self._report(period, mode, lambda loader, ctx: reports.reminders_report(
            loader, ctx, unit_id, day, cache=self.summaries, shown=shown))

    def nothing(self, unit_id: str, period: Period, mode: str,
                **empty: Any) -> dict[str, Any]:
        """A list-shaped report over a unit the caller cannot see at all: no items, and no
        rulebook (the unit's own would tell of a part of the tree outside the scope)."""
        with self.snapshot() as loader:
            positions = loader.positions()
        return {"unit_id": unit_id, "period": period.label, "rules_mode": mode,
                "rulebook": None, **empty, "rulebooks_used": [], "positions": positions,
                "today": self.today().isoformat()}

    def stream(self, stream_id: str, source: str | None = None,
               sight: Sight | None = None) -> dict[str, Any]:
        """A stream's history; with a scoped caller's `sight`, only of the sources whose
        stream it may read (none: NotFoundError)."""
        with self.snapshot() as loader:
            readable = None
            if sight is not None:
                subjects = Subjects(loader.conn, self.model)
                readable = partial(_readable, sight, subjects, stream_id)
            return audit.stream_history(loader.conn, self.model, stream_id, source, readable)

    def verify(self, source: str, sight: Sight | None = None, *, after: str | None = None,
               limit: int | None = None) -> dict[str, Any]:
        """Verify the chains of a source's streams (with a `sight`: those it may read, of the
        streams reporting can place; one it cannot is for whole-tree tokens only), or a page of
        them (`audit.verify_source`)."""
        with self.snapshot() as loader:
            streams = None
            if sight is not None:
                subjects = Subjects(loader.conn, self.model)
                units = sight.candidates()
                subjects.preload(source, None if units is None or most_of(
                    units, len(sight.tree.units)) else units)
                streams = [stream for stream in subjects.streams(source)
                           if _readable(sight, subjects, stream, source)]
            return audit.verify_source(loader.conn, self.model, source, streams, after=after,
                                       limit=limit)

    def rulebooks(self) -> list[Rulebook]:
        """Every published rulebook version, by unit then version."""
        with self.snapshot() as loader:
            return sorted(loader.rulebooks(), key=lambda r: (r.unit_id or "", r.version))

    def tree(self) -> Tree:
        with self.snapshot() as loader:
            return self._current(loader)[0]

    def applied(self, source: str, position: int) -> bool:
        """Whether the projection has applied the event at `position` of `source`."""
        table = self.model.audit_events
        with read_connection(self.engine) as conn:
            found = conn.execute(
                sa.select(table.c.event_id)
                .where(table.c.source == source, table.c.position == position).limit(1)
            ).first()
        return found is not None

    def wait_for(self, targets: Sequence[tuple[str, int]], timeout: float | None = None) -> None:
        """Return once every (source, position) is applied; raise WaitTimedOutError after
        `timeout` seconds (the settings' bound by default, never more)."""
        bound = self.wait_seconds if timeout is None else min(timeout, self.wait_seconds)
        deadline = time.monotonic() + bound
        pending = list(targets)
        while pending:
            pending = [t for t in pending if not self.applied(*t)]
            if not pending:
                return
            if time.monotonic() >= deadline:
                waiting = ", ".join(f"{s}:{p}" for s, p in pending)
                raise WaitTimedOutError(
                    f"the projection has not applied {waiting} after {bound:g} s; retry later")
            time.sleep(0.05)
