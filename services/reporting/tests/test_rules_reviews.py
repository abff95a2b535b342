"""CR-27 remind-and-review, and the CR-28 roll-up of cell results."""

from __future__ import annotations

from datetime import date

from chibo_reporting.rulebooks import DEFAULTS
from chibo_reporting.rules import evaluate
from chibo_reporting.rules.rollup import CellSummary, rollup

from .builders import cell_period, meeting, monthly, review


def test_a_month_without_a_meeting_makes_the_cell_a_candidate_and_the_case_shows_its_status():
    meetings = [m for m in monthly(2024, self_score=92.0) if m.held_on.month != 2]
    meetings.append(meeting(date(2024, 3, 15), "thematic", self_score=92.0))
    results = evaluate(cell_period("2024-Q1", meetings))
    assert results["CR-27"].result == "fail"
    assert results["CR-27"].figures["rules"] == ["CR-01"]
    assert results["CR-27"].figures["status"] == "candidate"
    explained = review("2024-Q1", explained_on=date(2024, 4, 20))
    results = evaluate(cell_period("2024-Q1", meetings, reviews=(explained,)))
    assert results["CR-27"].figures["status"] == "explained"
    assert results["CR-27"].figures["review_id"] == explained.review_id


def test_a_weak_grade_or_average_twice_running_makes_a_cell_a_candidate():
    weak = [meeting(date(2024, 1, 3), self_score=45.0)]
    assert "graded weak" in evaluate(cell_period("2024-01", weak))["CR-27"].figures["reasons"][0]
    december = meeting(date(2023, 12, 3), self_score=60.0)
    january = meeting(date(2024, 1, 3), self_score=65.0)
    result = evaluate(cell_period("2024-01", [january], earlier=(december,)))["CR-27"]
    assert result.result == "fail"
    assert result.figures["reasons"] == ["graded average 2 times running (2023-12-03, 2024-01-03)"]
    fair = meeting(date(2024, 1, 3), self_score=75.0)
    assert evaluate(cell_period("2024-01", [fair], earlier=(december,)))["CR-27"].result == "pass"


def test_the_roll_up_counts_compliant_cells_per_rule_and_pools_attendance():
    good = [meeting(date(2024, 1, 3), roll_call=True, required=11, present=10,
                    absent_excused=1, self_score=95.0)]
    poor = [meeting(date(2024, 1, 3), roll_call=True, required=20, present=15,
                    absent_excused=5, self_score=60.0)]
    cells = [CellSummary.of("a", evaluate(cell_period("2024-01", good))),
             CellSummary.of("b", evaluate(cell_period("2024-01", poor))),
             CellSummary.of("c", evaluate(cell_period("2024-01", [])))]
    totals = rollup(cells, DEFAULTS)
    assert totals["cells"] == 3
    assert totals["rules"]["CR-01"] == {"compliant": 2, "total": 3, "share": 0.6667}
    assert totals["rules"]["CR-12"]["compliant"] == 1
    assert totals["rules"]["CR-12"]["total"] == 2
    assert totals["attendance"]["average_rate"] == round(25 / 31, 4)
    assert totals["rules"]["CR-12"]["kpi_met"] is True  # 0.806 ≥ 0.80
    assert totals["grades"] == {"good": 1, "fair": 0, "average": 1, "weak": 0, "ungraded": 0}
