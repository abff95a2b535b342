"""CR-28 roll-ups: per unit and period, the share of compliant cells per rule and the KPIs."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from chibo_reporting.rulebooks import Parameters
from chibo_reporting.rules.quality import GRADES
from chibo_reporting.rules.results import FAIL, NOT_APPLICABLE, PASS, RuleResult, share


@dataclass(frozen=True)
class CellSummary:
    """What a roll-up keeps of one cell's evaluation (small: roll-ups cache thousands)."""

    cell_id: str
    outcomes: Mapping[str, str]  # rule id → pass, fail or not_applicable
    present: int = 0
    required: int = 0
    grades: Mapping[str, int] = field(default_factory=dict)
    flagged: Mapping[str, frozenset[str]] = field(default_factory=dict)
    # CR-27's figures when the cell is a candidate or has a case (the reminders; a summary has
    # no event ids, the cell's report gives them).
    review: Mapping[str, Any] | None = None

    @classmethod
    def of(cls, cell_id: str, results: Mapping[str, RuleResult]) -> CellSummary:
        attendance = results["CR-11"].figures
        alerts = results["CR-15"].figures
        cr27 = results["CR-27"]
        review = None
        if cr27.result == FAIL or cr27.figures.get("review_id") is not None:
            review = dict(cr27.figures)
        return cls(
            cell_id=cell_id,
            outcomes={rule_id: result.result for rule_id, result in results.items()},
            present=int(attendance.get("present") or 0),
            required=int(attendance.get("required") or 0),
            grades=dict(results["CR-18"].figures.get("grades", {})),
            flagged={
                "CR-14": frozenset(m["member_id"] for m in results["CR-14"].figures["members"]),
                "CR-15": frozenset(m["member_id"] for m in alerts["alerts"]),
                "CR-15-warning": frozenset(m["member_id"] for m in alerts["warnings"]),
            },
            review=review,
        )


def rule_counts(cells: Iterable[CellSummary]) -> dict[str, dict[str, Any]]:
    """Per rule: cells that passed, cells judged (pass or fail) and the share."""
    # (rule, outcome) pairs counted by `Counter.update`'s C loop: a province roll-up counts
    # its 8,000 cells once for itself and once more across its children.
    pairs: Counter[tuple[str, str]] = Counter()
    for cell in cells:
        pairs.update(cell.outcomes.items())
    counts: dict[str, dict[str, Any]] = {}
    for (rule_id, outcome), n in sorted(pairs.items()):  # by rule
        entry = counts.setdefault(rule_id, {"compliant": 0, "total": 0})
        if outcome != NOT_APPLICABLE:
            entry["total"] += n
            entry["compliant"] += n if outcome == PASS else 0
    for entry in counts.values():
        entry["share"] = share(entry["compliant"], entry["total"])
    return counts


def attendance(cells: Iterable[CellSummary]) -> dict[str, Any]:
    cells = list(cells)
    present, required = sum(c.present for c in cells), sum(c.required for c in cells)
    rates = [c.present / c.required for c in cells if c.required]
    return {"average_rate": share(present, required), "present": present, "required": required,
            "cells_average_rate": round(sum(rates) / len(rates), 4) if rates else None}


def grades(cells: Iterable[CellSummary]) -> dict[str, int]:
    totals = dict.fromkeys((*GRADES, "ungraded"), 0)
    for cell in cells:
        for grade, count in cell.grades.items():
            totals[grade] += count
    return totals


def flagged_members(cells: Iterable[CellSummary]) -> dict[str, int]:
    kinds: dict[str, set[str]] = {"CR-14": set(), "CR-15": set(), "CR-15-warning": set()}
    for cell in cells:
        for kind, members in cell.flagged.items():
            kinds[kind] |= members
    return {**{k: len(v) for k, v in kinds.items()},
            "total": len(kinds["CR-14"] | kinds["CR-15"])}


def rollup(cells: list[CellSummary], parameters: Parameters) -> dict[str, Any]:
    """CR-28 over `cells`, with the unit's KPI targets (rulebook of the unit itself)."""
    rules = rule_counts(cells)
    rate = attendance(cells)
    if "CR-04" in rules:
        rules["CR-04"] |= _target(rules["CR-04"]["share"], parameters.thematic_kpi_target)
    if "CR-12" in rules:
        rules["CR-12"] |= {"kpi": parameters.attendance_kpi, "kpi_met": None
                           if rate["average_rate"] is None
                           else rate["average_rate"] >= parameters.attendance_kpi}
    if "CR-24" in rules:
        rules["CR-24"] |= _target(rules["CR-24"]["share"], parameters.overseer_coverage_target)
    return {"cells": len(cells), "rules": rules, "attendance": rate, "grades": grades(cells),
            "members_flagged": flagged_members(cells)}


def _target(value: float | None, target: float) -> dict[str, Any]:
    return {"target": target, "target_met": None if value is None else value >= target}
