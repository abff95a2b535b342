"""Keeps a process's roll-up cache warm, so that the day's first visitors do not wait for it.

A cell's cached summary holds for one day (the rules judge what is due by today) and while the
shared stamps (tree, rulebooks, assignments) stand: the first roll-up after either moved
evaluates every cell, about 10 s for a province of 8,000 cells (docs/PERFORMANCE.md). The
warm-up looks once a minute and, when the day or those stamps moved since its last run, runs
the roll-ups a dashboard opens with (each top unit's, for the current year, quarter and month,
rules at the time) in the process whose requests share that cache: the single-machine runner
starts it beside the API, and `deploy/gunicorn.conf.py` in every gunicorn worker.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import date

from chibo_reporting.periods import Period
from chibo_reporting.queries import Reports
from chibo_reporting.queries.summaries import SHARED

log = logging.getLogger(__name__)

INTERVAL_SECONDS = 60.0


def periods_of(today: date) -> list[Period]:
    """The current year, quarter and month."""
    quarter = (today.month - 1) // 3 + 1
    return [Period.parse(f"{today.year}"), Period.parse(f"{today.year}-Q{quarter}"),
            Period.parse(f"{today.year}-{today.month:02d}")]


class WarmUp:
    """The warm-up of one process's `Reports`: `run` in a thread of that process."""

    def __init__(self, reports: Reports, interval: float = INTERVAL_SECONDS) -> None:
        self.reports = reports
        self.interval = interval
        self._warmed: tuple[date, tuple[str | None, ...]] | None = None

    def once(self) -> list[tuple[str, str]]:
        """Run the roll-ups if the day or the shared stamps moved since the last time; the
        (unit, period) pairs run, none when nothing moved."""
        with self.reports.snapshot() as loader:
            stamps = loader.stamps()
        today = self.reports.today()
        state = (today, tuple(stamps.get(name) for name in SHARED))
        if state == self._warmed:
            return []
        tree = self.reports.tree()
        tops = [unit for unit in sorted(tree.units)
                if tree.active(unit, today) and tree.parent(unit, today) is None]
        started, warmed = time.monotonic(), []
        for unit in tops:
            for period in periods_of(today):
                self.reports.unit(unit, period)
                warmed.append((unit, period.label))
        self._warmed = state
        if warmed:
            log.info("warmed %d roll-ups (%s) in %.1f s", len(warmed),
                     ", ".join(sorted({p for _, p in warmed})), time.monotonic() - started)
        return warmed

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                self.once()
            except Exception:  # a database away now may be back next time
                log.exception("warming the roll-ups failed; trying again in %g s", self.interval)
            stop.wait(self.interval)
