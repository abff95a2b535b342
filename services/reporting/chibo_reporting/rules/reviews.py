"""CR-27 remind-and-review: cells breaching the review rules, graded Weak, or Average running."""

from __future__ import annotations

from collections.abc import Mapping

from chibo_reporting.facts import CellPeriod
from chibo_reporting.rules.quality import grade_of
from chibo_reporting.rules.results import FAIL, PASS, RuleResult

_WHAT = {
    "CR-01": "a month without a regular meeting",
    "CR-02": "a regular meeting off the prescribed day without a reason",
    "CR-03": "a quarter without a thematic meeting",
    "CR-12": "attendance below the threshold",
    "CR-13": "absences without a reason",
    "CR-18": "a meeting without a quality grade",
    "CR-19": "a grade not confirmed in time",
    "CR-21": "a resolution without a majority",
}


def _grade_reasons(cell: CellPeriod) -> list[str]:
    reasons = [f"graded weak on {m.held_on}" for m in cell.period_meetings
               if grade_of(cell, m) == "weak"]
    streak_needed = cell.rulebook(cell.judged_on).parameters.review_average_streak
    graded = sorted(
        {m.meeting_id: m for m in (*cell.earlier, *cell.meetings)
         if m.held_on and m.held_on <= cell.period.end and m.score is not None}.values(),
        key=lambda m: (m.held_on, m.meeting_id),
    )
    streak: list[str] = []
    for meeting in graded:
        streak = [*streak, str(meeting.held_on)] if grade_of(cell, meeting) == "average" else []
        if streak_needed and len(streak) >= streak_needed and meeting.held_on in cell.period:
            reasons.append(f"graded average {len(streak)} times running ({', '.join(streak)})")
    return reasons


def cr27_remind_and_review(cell: CellPeriod, results: Mapping[str, RuleResult]) -> RuleResult:
    """CR-27: whether the cell is a remind-and-review candidate, and how far its case got."""
    watched = cell.rulebook(cell.judged_on).parameters.review_rules
    rules = [r for r in watched if r in results and results[r].result == FAIL]
    reasons = [f"{r}: {_WHAT.get(r, 'not met')}" for r in rules]
    grade_reasons = _grade_reasons(cell)
    if grade_reasons and "CR-18" not in rules:
        rules.append("CR-18")
    reasons += grade_reasons
    cases = sorted((r for r in cell.reviews if r.period == cell.period.label),
                   key=lambda r: (r.reminded_on or cell.period.start, r.review_id))
    status = cases[-1].status if cases else ("candidate" if rules else None)
    figures = {"rules": sorted(rules), "reasons": reasons, "status": status,
               "review_id": cases[-1].review_id if cases else None,
               "outcome": cases[-1].outcome if cases else None}
    rested_on = [*(i for case in cases for i in case.evidence),
                 *(i for rule in rules if rule in results for i in results[rule].evidence)]
    return RuleResult(FAIL if rules else PASS, figures, tuple(dict.fromkeys(rested_on)))
