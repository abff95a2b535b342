"""The ground truth of a plan: every report the reporting service must give, computed here
from the plan alone (DOMAIN.md §5 to §7 and the interpretations in `truth.cells`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

from bench.province.plan import Plan
from bench.province.truth.cells import CellTruth
from bench.province.truth.facts import Facts, gather
from bench.province.truth.periods import Period, periods
from bench.province.truth.results import Expected
from bench.province.truth.rollups import member_expected, overseer_entries, reminder_items, rollup

VIETNAM = timezone(timedelta(hours=7))


def today_in_vietnam() -> date:
    return datetime.now(VIETNAM).date()


@dataclass
class Truth:
    plan: Plan
    facts: Facts
    today: date
    periods: list[Period]
    cells: dict[tuple[str, str], dict[str, Expected]] = field(default_factory=dict)
    _engine: CellTruth | None = None

    @property
    def engine(self) -> CellTruth:
        if self._engine is None:
            self._engine = CellTruth(self.facts, self.today)
        return self._engine

    def cell(self, cell_id: str, label: str, *, current: bool = False) -> dict[str, Expected]:
        key = (cell_id, label + (":current" if current else ""))
        if key not in self.cells:
            self.cells[key] = self.engine.evaluate(cell_id, Period.parse(label), current=current)
        return self.cells[key]

    def cells_of(self, label: str) -> list[str]:
        """Cells that existed on some day of the period."""
        period = Period.parse(label)
        return [c.id for c in self.plan.cells() if c.created_on <= period.end
                and (c.ended_on is None or c.ended_on > period.start)]

    def unit(self, unit_id: str, label: str, tree_as_of: date | None = None) -> dict[str, Any]:
        period = Period.parse(label)
        day = tree_as_of or period.end
        world = self.facts.world
        cells = world.cells_under(unit_id, day)
        answer = rollup([self.cell(c, label) for c in cells])
        entries = overseer_entries(self.engine, unit_id, period, day)
        answer["overseers"] = {
            "assigned_cells_share": answer["rules"].get("CR-24", {}).get("share"),
            "quota_met": sum(1 for e in entries.values() if e["met"]), "total": len(entries),
        }
        children = {}
        for child in self.children(unit_id, day):
            below = world.cells_under(child, day)
            children[child] = rollup([self.cell(c, label) for c in below])
        answer["children"] = children
        return answer

    def children(self, unit_id: str, day: date) -> list[str]:
        world = self.facts.world
        return sorted(u.id for u in self.plan.units
                      if world.active(u.id, day) and world.parent(u.id, day) == unit_id)

    def overseers(self, unit_id: str, label: str,
                  tree_as_of: date | None = None) -> dict[str, dict[str, Any]]:
        period = Period.parse(label)
        return overseer_entries(self.engine, unit_id, period, tree_as_of or period.end)

    def member(self, member_id: str, label: str) -> dict[str, Any]:
        return member_expected(self.engine, member_id, Period.parse(label))

    def reminders(self, unit_id: str, label: str) -> dict[str, dict[str, Any]]:
        period = Period.parse(label)
        cells = self.facts.world.cells_under(unit_id, period.end)
        return reminder_items({c: self.cell(c, label) for c in cells})

    def committees(self, label: str) -> list[str]:
        """Every committee that has cells below it at the period's end."""
        day = Period.parse(label).end
        world = self.facts.world
        return [u.id for u in self.plan.units if u.kind != "cell" and world.active(u.id, day)]

    def flagged_members(self) -> list[str]:
        """Members with a CR-14 or CR-15 flag, or a warning, in some year of the plan."""
        found = set()
        for label in (p.label for p in self.periods if p.kind == "year"):
            for cell in self.cells_of(label):
                figures = self.cell(cell, label)
                found |= set(figures["CR-14"].figures["members"])
                found |= set(figures["CR-15"].figures["alerts"])
                found |= set(figures["CR-15"].figures["warnings"])
        return sorted(found)


def expected(plan: Plan, today: date | None = None,
             labels: Iterable[str] | None = None) -> Truth:
    """The truth object; cell results are computed on demand and memoised."""
    chosen = periods(plan.config) if labels is None else [Period.parse(x) for x in labels]
    return Truth(plan, gather(plan), today or today_in_vietnam(), chosen)


__all__ = ["Expected", "Truth", "expected"]
