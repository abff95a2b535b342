"""Per-cell summaries for roll-ups, kept between requests while nothing they rest on changed.

A summary is valid for one (cell, period, rule mode, today) as long as the cell's stamp and the
shared stamps (tree, rulebooks, assignments) are those it was computed under; the projection
writer renews them in the same transaction as the facts. So a roll-up evaluates only the cells
whose facts moved since the last one, and reads the stamps and the facts from one snapshot.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date

from chibo_reporting.queries.evaluation import Context, evaluate_cells
from chibo_reporting.queries.loading import Loader
from chibo_reporting.rulebooks import Rulebook
from chibo_reporting.rules.rollup import CellSummary

SHARED = ("tree", "rulebooks", "assignments")
Stamps = tuple[str | None, ...]


@dataclass(frozen=True)
class _Entry:
    stamps: Stamps
    summary: CellSummary
    rulebooks: tuple[Rulebook, ...]  # those the cell's rules used (the report lists them)


class SummaryCache:
    """A bounded, least-recently-used map of cell summaries, shared by a process's requests."""

    def __init__(self, size: int = 50_000) -> None:
        self.size = size
        self.hits = self.misses = 0
        self._entries: OrderedDict[tuple[str, str, str, date], _Entry] = OrderedDict()
        self._lock = threading.Lock()

    def summaries(self, loader: Loader, context: Context, cells: list[str],
                  total_cells: int) -> dict[str, CellSummary]:
        """The summary of each of `cells` (of `total_cells` in the tree) for the context."""
        everything = len(cells) * 2 >= total_cells > 0
        shared = loader.stamps()
        stamps_now = loader.cell_stamps(None if everything else cells)
        shared_now = tuple(shared.get(name) for name in SHARED)

        def key(cell: str) -> tuple[str, str, str, date]:
            return (cell, context.period.label, context.mode, context.today)

        def stamps(cell: str) -> Stamps:
            return (stamps_now.get(cell), *shared_now)

        found: dict[str, CellSummary] = {}
        with self._lock:
            for cell in cells:
                entry = self._entries.get(key(cell))
                if entry is None or entry.stamps != stamps(cell):
                    continue
                self._entries.move_to_end(key(cell))
                found[cell] = entry.summary
                context.used.update(((r.rulebook_id, r.version), r) for r in entry.rulebooks)
            self.hits += len(found)
        missing = [cell for cell in cells if cell not in found]
        if not missing:
            return found
        evaluations = evaluate_cells(loader, context, missing,
                                     everything=len(missing) * 2 >= total_cells,
                                     with_evidence=False)
        with self._lock:
            self.misses += len(missing)
            for cell, evaluation in evaluations.items():
                summary = CellSummary.of(cell, evaluation.results)
                used = tuple(context.used[k] for k in sorted(context.used_by.get(cell, ())))
                self._entries[key(cell)] = _Entry(stamps(cell), summary, used)
                self._entries.move_to_end(key(cell))
                found[cell] = summary
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return found
