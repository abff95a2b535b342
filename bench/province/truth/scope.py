"""One cell and one period: what every rule family reads (meetings, rulebooks, existence)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from bench.province.truth.facts import Held
from bench.province.truth.periods import Period, Window
from bench.province.truth.results import grade

if TYPE_CHECKING:
    from bench.province.truth.cells import CellTruth


class Scope:
    """The facts of one cell for one period, and the rulebook in force on a day."""

    def __init__(self, truth: CellTruth, cell_id: str, period: Period, current: bool) -> None:
        self.truth, self.cell_id, self.period = truth, cell_id, period
        self.current = current
        self.today = truth.today
        self.judged_on = min(period.end, truth.today)
        self.history: list[Held] = truth.facts.held.get(cell_id, [])
        self.meetings = [m for m in self.history if m.held_on in period]
        self.calls = [m for m in self.meetings if m.roll_call]
        self.cell = truth.plan.unit(cell_id)

    def rules(self, day: date) -> dict[str, Any]:
        """The rulebook on `day` (today's under `rules=current`), over the defaults."""
        return self.truth.books.on(self.today if self.current else day)

    def covers(self, window: Window) -> bool:
        """Whether the cell existed on every day of `window`."""
        return self.cell.created_on <= window.start and (
            self.cell.ended_on is None or window.end < self.cell.ended_on)

    def in_charge(self, day: date) -> list[str]:
        """The overseers in charge of the cell on `day` (tree as of that day)."""
        return sorted({c.overseer_id for c in self.truth.facts.in_charge(self.cell_id, day)})

    def grade(self, m: Held) -> str | None:
        return grade(m.score, self.rules(m.held_on)["grade_bands"])
