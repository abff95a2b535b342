"""Per-cell results for roll-ups, kept between requests while nothing they rest on changed.

A cell's result is valid for one (cell, period, rule mode, today) as long as the cell's stamp and
the shared stamps (tree, rulebooks, assignments) are those it was computed under; the projection
writer renews them in the same transaction as the facts. So a roll-up evaluates only the cells
whose facts moved since the last one, and reads the stamps and the facts from one snapshot.
Per cell, two kinds are kept: a cell's summary (its rules) and an overseer's quota in a cell
(CR-25); and, for the whole tree, who had which cell in charge over a year to date, under the
tree's and the assignments' stamps only.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from chibo_reporting.periods import Window
from chibo_reporting.queries.evaluation import Context, evaluate_cells, most_of
from chibo_reporting.queries.loading import Loader
from chibo_reporting.rulebooks import Rulebook
from chibo_reporting.rules.rollup import CellSummary

SHARED = ("tree", "rulebooks", "assignments")
_T = TypeVar("_T")
Stamps = tuple[str | None, ...]


@dataclass(frozen=True)
class _Entry:
    stamps: Stamps
    value: Any
    rulebooks: tuple[Rulebook, ...]  # those the cell's rules used (the report lists them)


class Stamped:
    """The stamps of one snapshot: `of(cell)` is what a cached result of the cell must match."""

    def __init__(self, loader: Loader, cells: list[str], total_cells: int) -> None:
        shared = loader.stamps()
        self._cells = loader.cell_stamps(None if most_of(cells, total_cells) else cells)
        self._shared = tuple(shared.get(name) for name in SHARED)

    def of(self, cell: str) -> Stamps:
        return (self._cells.get(cell), *self._shared)


class SummaryCache:
    """A bounded, least-recently-used map of per-cell results, shared by a process's requests."""

    def __init__(self, size: int = 200_000) -> None:
        self.size = size
        self.hits = self.misses = 0
        self._entries: OrderedDict[Hashable, _Entry] = OrderedDict()
        self._lock = threading.Lock()

    def _get(self, key: Hashable, stamps: Stamps, context: Context) -> Any:
        entry = self._entries.get(key)
        if entry is None or entry.stamps != stamps:
            return None
        self._entries.move_to_end(key)
        context.used.update(((r.rulebook_id, r.version), r) for r in entry.rulebooks)
        return entry.value

    def _put(self, key: Hashable, stamps: Stamps, value: Any,
             rulebooks: tuple[Rulebook, ...] = ()) -> None:
        self._entries[key] = _Entry(stamps, value, rulebooks)
        self._entries.move_to_end(key)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)

    @staticmethod
    def _key(context: Context, *parts: str) -> Hashable:
        return (*parts, context.period.label, context.mode, context.today)

    def summaries(self, loader: Loader, context: Context, cells: list[str],
                  total_cells: int) -> dict[str, CellSummary]:
        """The summary of each of `cells` (of `total_cells` in the tree) for the context."""

        def evaluate(keys: list[tuple[str, ...]]) -> list[CellSummary]:
            missing = [cell for cell, in keys]
            evaluations = evaluate_cells(loader, context, missing,
                                         everything=most_of(missing, total_cells),
                                         with_evidence=False)
            return [CellSummary.of(cell, evaluations[cell].results) for cell in missing]

        found, computed = self._cached(Stamped(loader, cells, total_cells), context, "summary",
                                       [(cell,) for cell in cells], evaluate)
        with self._lock:
            self.hits += len(cells) - computed
            self.misses += computed
        return {cell: summary for (cell,), summary in found.items()}

    def charges(self, loader: Loader, window: Window, compute: Callable[[], _T]) -> _T:
        """Who had which cell in charge over `window`, for the whole tree (the overseers' report
        and roll-ups): kept while the tree and the assignments stand, since resolving a
        province's 5,239 assignments against its 8,000 cells' ancestries takes a third of a
        second, and nothing else it rests on can change."""
        shared = loader.stamps()
        stamps = (shared.get("tree"), shared.get("assignments"))
        key = ("charges", window)
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry.stamps == stamps:
                self._entries.move_to_end(key)
                return cast(_T, entry.value)
        value = compute()
        with self._lock:
            self._put(key, stamps, value)
        return value

    def quotas(self, stamped: Stamped, context: Context, keys: list[tuple[str, str]],
               compute: Callable[[list[tuple[str, str]]], list[Any]]
               ) -> dict[tuple[str, str], Any]:
        """Overseers' CR-25 quotas in cells, by (overseer, cell)."""
        found, _ = self._cached(stamped, context, "quota", keys, compute)
        return found

    def _cached(self, stamped: Stamped, context: Context, kind: str, keys: list[Any],
                compute: Callable[[list[Any]], list[Any]]) -> tuple[dict[Any, Any], int]:
        """The value of each of `keys` (tuples ending with the cell whose stamps it rests on):
        from the cache where those stamps did not change, the others from one call of
        `compute`; and how many were computed."""
        found: dict[Any, Any] = {}
        with self._lock:
            for key in keys:
                value = self._get(self._key(context, kind, *key), stamped.of(key[-1]), context)
                if value is not None:
                    found[key] = value
        missing = [key for key in keys if key not in found]
        if not missing:
            return found, 0
        computed = compute(missing)
        with self._lock:
            for key, value in zip(missing, computed, strict=True):
                cell = key[-1]
                used = tuple(context.used[k] for k in sorted(context.used_by.get(cell, ())))
                self._put(self._key(context, kind, *key), stamped.of(cell), value, used)
                found[key] = value
        return found, len(missing)
