"""Oversight: CR-24 (someone in charge every day) and CR-25 (visit quotas, pro rata)."""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Any

from bench.province.truth.facts import Cover, active_days
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
        charged = [self.truth.facts.in_charge(self.cell_id, day) for day in _days(span)]
        covered = sum(1 for covers in charged if covers)
        figures = {"overseers": sorted({c.overseer_id for covers in charged for c in covers}),
                   "days": len(charged), "covered_days": covered,
                   "uncovered_days": len(charged) - covered}
        return Expected(PASS if covered == len(charged) else FAIL, figures)

    def cr25(self) -> Expected:
        quotas = overseer_quotas(self)
        return Expected(overall(q["state"] for q in quotas), {"overseers": quotas})


def _days(span: tuple[date, date]) -> list[date]:
    return [span[0] + timedelta(days=n) for n in range((span[1] - span[0]).days + 1)]


def charges(scope: Scope) -> dict[str, tuple[set[Cover], int]]:
    """Per overseer in charge of the cell on some day from 1 January to the period end that it
    existed: the assignments that had it in their charge, and the number of those days."""
    span = active_days(scope.truth.plan, scope.cell_id, date(scope.period.year, 1, 1),
                       scope.period.end)
    found: dict[str, tuple[set[Cover], int]] = {}
    for day in _days(span) if span else []:
        covers = scope.truth.facts.in_charge(scope.cell_id, day)
        for overseer in {c.overseer_id for c in covers}:
            mine, days = found.get(overseer, (set(), 0))
            found[overseer] = (mine | {c for c in covers if c.overseer_id == overseer}, days + 1)
    return found


def overseer_quotas(scope: Scope, charged: dict[str, tuple[set[Cover], int]] | None = None
                    ) -> list[dict[str, Any]]:
    """CR-25 per overseer in charge of the cell at some time from 1 January to the period end
    (`charged`: the scope's `charges`, when the caller has them already)."""
    window = Window(date(scope.period.year, 1, 1), scope.period.end, "ytd")
    rules = scope.rules(scope.judged_on)
    year_days = 366 if window.end.year % 4 == 0 else 365
    visits = scope.truth.facts.visits.get(scope.cell_id, [])
    found = []
    if charged is None:
        charged = charges(scope)
    for overseer, (covers, in_charge) in sorted(charged.items()):
        basis = max(covers, key=lambda c: (c.start, c.basis)).basis
        yearly = rules["overseer_quotas"].get(basis)
        required = math.ceil((yearly or 0) * in_charge / year_days - 1e-9)
        mine = [v for v in visits if v.overseer_id == overseer and v.visited_on in window]
        counted = sum(1 for v in mine if v.counts)
        state = NA if yearly is None else judge(counted >= required, window.end, scope.today)
        found.append({"overseer_id": overseer, "position_basis": basis, "quota": yearly,
                      "required": required, "visits": len(mine), "counted_visits": counted,
                      "state": state})
    return found
