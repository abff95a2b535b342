"""Oversight: CR-24 (someone in charge every day) and CR-25 (visit quotas, pro rata)."""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Any

from bench.province.truth.facts import active_days
from bench.province.truth.periods import Window
from bench.province.truth.results import FAIL, NA, PASS, Expected, judge, overall
from bench.province.truth.scope import Scope


class Oversight(Scope):
    """CR-24 and CR-25 for one cell and period."""

    def cr24(self) -> Expected:
        if self.judged_on < self.period.start:
            return Expected(NA)
        span = active_days(self.truth.plan, self.cell_id, self.period.start, self.judged_on)
        if span is None:
            return Expected(NA)
        days = (span[1] - span[0]).days + 1
        covers = [c for c in self.covering() if c.start <= self.judged_on
                  and (c.last is None or c.last >= self.period.start)]
        covered = sum(1 for n in range(days)
                      if any(c.on(span[0] + timedelta(days=n)) for c in covers))
        figures = {"overseers": sorted({c.overseer_id for c in covers}), "days": days,
                   "covered_days": covered, "uncovered_days": days - covered}
        return Expected(PASS if covered == days else FAIL, figures)

    def cr25(self) -> Expected:
        quotas = overseer_quotas(self)
        return Expected(overall(q["state"] for q in quotas), {"overseers": quotas})


def overseer_quotas(scope: Scope) -> list[dict[str, Any]]:
    """CR-25 per overseer in charge of the cell at some time from 1 January to the period end."""
    window = Window(date(scope.period.year, 1, 1), scope.period.end, "ytd")
    by_overseer: dict[str, list[Any]] = {}
    for cover in scope.covering():
        if cover.start <= window.end and (cover.last is None or cover.last >= window.start):
            by_overseer.setdefault(cover.overseer_id, []).append(cover)
    span = active_days(scope.truth.plan, scope.cell_id, window.start, window.end)
    rules = scope.rules(scope.judged_on)
    year_days = 366 if window.end.year % 4 == 0 else 365
    visits = scope.truth.facts.visits.get(scope.cell_id, [])
    found = []
    for overseer, covers in sorted(by_overseer.items()):
        basis = max(covers, key=lambda c: c.start).basis
        yearly = rules["overseer_quotas"].get(basis)
        in_charge = 0
        if span is not None:
            in_charge = sum(1 for n in range((span[1] - span[0]).days + 1)
                            if any(c.on(span[0] + timedelta(days=n)) for c in covers))
        required = math.ceil((yearly or 0) * in_charge / year_days - 1e-9)
        mine = [v for v in visits if v.overseer_id == overseer and v.visited_on in window]
        counted = sum(1 for v in mine if v.counts)
        state = NA if yearly is None else judge(counted >= required, window.end, scope.today)
        found.append({"overseer_id": overseer, "position_basis": basis, "quota": yearly,
                      "required": required, "visits": len(mine), "counted_visits": counted,
                      "state": state})
    return found
