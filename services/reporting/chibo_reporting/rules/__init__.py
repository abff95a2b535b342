"""The compliance rules of DOMAIN.md §7 as pure functions over plain facts (see RULES.md)."""

from __future__ import annotations

from collections.abc import Callable

from chibo_reporting.facts import CellPeriod
from chibo_reporting.rules import attendance, cadence, conduct, oversight, quality, reviews
from chibo_reporting.rules.results import RuleResult

CellRule = Callable[[CellPeriod], RuleResult]

CELL_RULES: dict[str, CellRule] = {
    "CR-01": cadence.cr01_regular_meeting_every_month,
    "CR-02": cadence.cr02_prescribed_day,
    "CR-03": cadence.cr03_thematic_meeting_every_quarter,
    "CR-04": cadence.cr04_thematic_meetings_in_the_year,
    "CR-05": conduct.cr05_combined_session,
    "CR-06": conduct.cr06_meeting_length,
    "CR-07": conduct.cr07_documents_before,
    "CR-08": conduct.cr08_notices_before,
    "CR-10": conduct.cr10_documents_after,
    "CR-11": attendance.cr11_rate_on_required_base,
    "CR-12": attendance.cr12_rate_at_threshold,
    "CR-13": attendance.cr13_no_unexcused_absence,
    "CR-14": attendance.cr14_consecutive_excused,
    "CR-15": attendance.cr15_strike_off_risk,
    "CR-17": attendance.cr17_exemptions_never_count,
    "CR-18": quality.cr18_quality_grade,
    "CR-19": quality.cr19_grade_confirmed,
    "CR-20": quality.cr20_follow_through,
    "CR-21": quality.cr21_majority_vote,
    "CR-24": oversight.cr24_overseer_assigned,
    "CR-25": oversight.cr25_visit_quota,
}
RULE_IDS = (*CELL_RULES, "CR-27")


def evaluate(cell: CellPeriod) -> dict[str, RuleResult]:
    """Every cell rule for one cell and period; CR-27 reads the others' results."""
    results = {rule_id: rule(cell) for rule_id, rule in CELL_RULES.items()}
    results["CR-27"] = reviews.cr27_remind_and_review(cell, results)
    return results
