"""Oversight: CR-24 every cell has an overseer in charge, CR-25 overseers' visit quotas."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from chibo_reporting.facts import Assignment, CellPeriod, Visit
from chibo_reporting.periods import Window
from chibo_reporting.rulebooks import Parameters
from chibo_reporting.rules.results import NOT_APPLICABLE, RuleResult, ceil_share, judge, overall


def _union(spans: Iterable[Window]) -> list[tuple[date, date]]:
    """Disjoint, sorted [start, end] intervals covering the same days as `spans`."""
    merged: list[tuple[date, date]] = []
    for span in sorted(spans):
        if merged and span.start <= merged[-1][1] + timedelta(days=1):
            merged[-1] = (merged[-1][0], max(merged[-1][1], span.end))
        else:
            merged.append((span.start, span.end))
    return merged


def _count(intervals: Iterable[tuple[date, date]]) -> int:
    return sum((end - start).days + 1 for start, end in intervals)


def _intersect(
    left: list[tuple[date, date]], right: list[tuple[date, date]]
) -> list[tuple[date, date]]:
    return [(max(a, c), min(b, d)) for a, b in left for c, d in right if max(a, c) <= min(b, d)]


def _active_in(cell: CellPeriod, window: Window) -> list[Window]:
    spans = []
    for span in cell.active:
        start, end = max(span.start, window.start), min(span.end, window.end)
        if start <= end:
            spans.append(Window(start, end, window.label))
    return spans


def cr24_overseer_assigned(cell: CellPeriod) -> RuleResult:
    """CR-24: on every day of the period so far that the cell existed, someone was in charge."""
    if cell.judged_on < cell.period.start:
        return RuleResult(NOT_APPLICABLE, {"reason": "the period has not started"})
    window = Window(cell.period.start, cell.judged_on, cell.period.label)
    active = _union(_active_in(cell, window))
    if not active:
        return RuleResult(NOT_APPLICABLE, {"reason": "cell not in existence in the period"})
    covering = [a for a in cell.assignments if a.overlap(window)]
    charge = _union(o for a in covering if (o := a.overlap(window)))
    days, covered = _count(active), _count(_intersect(active, charge))
    figures = {"overseers": sorted({a.overseer_id for a in covering}), "days": days,
               "covered_days": covered, "uncovered_days": days - covered}
    result = "pass" if covered == days else "fail"
    cited = tuple(dict.fromkeys(i for a in covering for i in a.evidence))  # once if cut in two
    return RuleResult(result, figures, cited)


@dataclass(frozen=True)
class Quota:
    """One overseer's visits to one cell in charge against the pro-rata yearly quota."""

    overseer_id: str
    cell_id: str
    position_basis: str
    quota: int | None  # the yearly quota for the basis; None when the rulebook sets none
    required: int
    visits: int
    counted_visits: int
    state: str
    evidence: tuple[str, ...]

    def to_json(self) -> dict[str, object]:
        return {"overseer_id": self.overseer_id, "cell_id": self.cell_id,
                "position_basis": self.position_basis, "quota": self.quota,
                "required": self.required, "visits": self.visits,
                "counted_visits": self.counted_visits, "state": self.state}


def quota(
    overseer_id: str,
    cell_id: str,
    assignments: list[Assignment],
    visits: Iterable[Visit],
    window: Window,
    *,
    parameters: Parameters,
    today: date,
    active: Iterable[Window],
) -> Quota:
    """CR-25 for one overseer and cell: counted visits in `window` (1 January to the period's
    end) ≥ the yearly quota for the latest assignment's basis x the share of the year in charge
    (days in charge while the cell existed)."""
    latest = max(assignments, key=lambda a: a.first_day)
    basis = latest.position_basis
    yearly = parameters.quota_for(basis, latest.position_level)
    charge = _union(o for a in assignments if (o := a.overlap(window)))
    in_charge = _count(_intersect(charge, _union(active)))
    year_days = 366 if window.end.year % 4 == 0 else 365
    required = ceil_share(yearly or 0, in_charge, year_days)
    mine = [v for v in visits if v.overseer_id == overseer_id and v.cell_id == cell_id
            and v.visited_on in window]
    counted = [v for v in mine if v.counts_toward_quota]
    state = NOT_APPLICABLE if yearly is None else judge(len(counted) >= required, window.end, today)
    ids = tuple(dict.fromkeys(i for a in assignments for i in a.evidence)) + tuple(
        v.event_id for v in counted)
    return Quota(overseer_id, cell_id, basis, yearly, required, len(mine), len(counted), state, ids)


def cell_quotas(cell: CellPeriod) -> list[Quota]:
    window = cell.period.year_to_date()
    parameters = cell.rulebook(cell.judged_on).parameters
    by_overseer: dict[str, list[Assignment]] = {}
    for assignment in cell.assignments:
        if assignment.overlap(window):
            by_overseer.setdefault(assignment.overseer_id, []).append(assignment)
    active = _active_in(cell, window)
    return [quota(overseer, cell.cell_id, mine, cell.visits, window, parameters=parameters,
                  today=cell.today, active=active)
            for overseer, mine in sorted(by_overseer.items())]


def cr25_visit_quota(cell: CellPeriod) -> RuleResult:
    """CR-25: each overseer in charge of the cell visited it at least their quota this year."""
    quotas = cell_quotas(cell)
    figures = {"window": cell.period.year_to_date().label,
               "overseers": [q.to_json() for q in quotas]}
    return RuleResult(overall(q.state for q in quotas), figures,
                      tuple(i for q in quotas for i in q.evidence))
