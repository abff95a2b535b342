"""CR-11 to CR-17: attendance on the required base, absences, exemptions."""

from __future__ import annotations

from datetime import date

import pytest

from chibo_reporting.rulebooks import DEFAULTS
from chibo_reporting.rules.attendance import (
    cr11_rate_on_required_base,
    cr12_rate_at_threshold,
    cr13_no_unexcused_absence,
    cr14_consecutive_excused,
    cr15_strike_off_risk,
    cr17_exemptions_never_count,
    member_flags,
)

from .builders import cell_period, meeting, member_year, rulebook


def roll_call(held_on: date, required: int, present: int, excused: int = 0, unexcused: int = 0,
              **more):
    return meeting(held_on, roll_call=True, required=required, present=present,
                   absent_excused=excused, absent_unexcused=unexcused, **more)


def test_twelve_members_one_exempted_ten_present_one_excused_is_a_rate_of_10_in_11():
    # 12 members, 1 exempted → a base of 11; 10 present, 1 absent with a reason.
    cell = cell_period("2024-03", [roll_call(date(2024, 3, 3), 11, 10, excused=1)])
    result = cr11_rate_on_required_base(cell)
    assert result.result == "pass"
    assert result.figures["required"] == 11
    assert result.figures["present"] == 10
    assert result.figures["rate"] == pytest.approx(10 / 11, abs=1e-4)  # 0.909
    assert cr12_rate_at_threshold(cell).result == "pass"  # 0.909 ≥ 0.90
    assert cr13_no_unexcused_absence(cell).result == "pass"


def test_the_period_rate_pools_meetings_and_fails_below_ninety_percent():
    cell = cell_period("2024-Q1", [roll_call(date(2024, 1, 3), 11, 10, excused=1),
                                   roll_call(date(2024, 2, 3), 11, 9, excused=2),
                                   roll_call(date(2024, 3, 3), 11, 9, unexcused=2)])
    result = cr12_rate_at_threshold(cell)
    assert result.figures["rate"] == pytest.approx(28 / 33, abs=1e-4)  # 0.8485
    assert result.result == "fail"
    assert len(result.figures["meetings_below_threshold"]) == 2
    unexcused = cr13_no_unexcused_absence(cell)
    assert (unexcused.result, unexcused.figures["absent_unexcused"]) == ("fail", 2)
    tolerant = cell_period("2024-Q1", cell.meetings, books=[rulebook(max_unexcused_absences=2)])
    assert cr13_no_unexcused_absence(tolerant).result == "pass"


def test_a_held_meeting_without_a_roll_call_fails_cr11_once_its_documents_are_due():
    result = cr11_rate_on_required_base(cell_period("2024-03", [meeting(date(2024, 3, 3))]))
    assert (result.result, result.figures["missing_roll_call"]) == ("fail", 1)


def test_four_consecutive_excused_absences_flag_cr14_and_three_do_not():
    days = [date(2024, m, 3) for m in (2, 3, 4, 5)]
    four = member_year("dv-1", 2024, runs=[days])
    three = member_year("dv-2", 2024, runs=[days[:3]])
    cell = cell_period("2024", [roll_call(date(2024, 2, 3), 11, 10, excused=1)],
                       member_years=(four, three))
    result = cr14_consecutive_excused(cell)
    assert result.result == "fail"
    assert result.figures["members"] == [
        {"member_id": "dv-1", "consecutive": 4, "meetings": [f"m-{d}" for d in days]}]
    assert cr14_consecutive_excused(cell_period("2024", cell.meetings,
                                                member_years=(three,))).result == "pass"


def test_unexcused_absences_in_three_months_are_a_strike_off_alert_and_two_a_warning():
    alert = member_year("dv-1", 2024, unexcused=[date(2024, 1, 3), date(2024, 3, 3),
                                                   date(2024, 7, 3)])
    warning = member_year("dv-2", 2024, unexcused=[date(2024, 2, 3), date(2024, 4, 3)])
    one_month = member_year("dv-3", 2024, unexcused=[date(2024, 2, 3), date(2024, 2, 20)])
    cell = cell_period("2024", [roll_call(date(2024, 7, 3), 11, 10, unexcused=1)],
                       member_years=(alert, warning, one_month))
    result = cr15_strike_off_risk(cell)
    assert result.result == "fail"
    assert result.figures["alerts"] == [{"member_id": "dv-1",
                                         "months": ["2024-01", "2024-03", "2024-07"]}]
    assert result.figures["warnings"] == [{"member_id": "dv-2", "months": ["2024-02", "2024-04"]}]
    # Two absences in one month are one month: dv-3 is below the warning level.
    assert member_flags(one_month, date(2024, 12, 31), DEFAULTS).strike_off is None
    only_warned = cell_period("2024", cell.meetings, member_years=(warning,))
    assert cr15_strike_off_risk(only_warned).result == "pass"


def test_strike_off_risk_counts_the_year_up_to_the_period_end():
    year = member_year("dv-1", 2024, unexcused=[date(2024, 1, 3), date(2024, 3, 3),
                                                  date(2024, 7, 3)])
    assert member_flags(year, date(2024, 3, 31), DEFAULTS).strike_off == "warning"
    assert member_flags(year, date(2024, 7, 31), DEFAULTS).strike_off == "alert"
    assert member_flags(year, date(2024, 7, 31), DEFAULTS).rule_ids == ["CR-15"]


def test_a_roll_call_that_counted_an_exempted_member_fails_cr17():
    exempted_and_counted = roll_call(date(2024, 3, 3), 11, 10, excused=1, exempted_miscounted=1)
    assert cr17_exemptions_never_count(cell_period("2024-03", [exempted_and_counted])).result == \
        "fail"
    fine = roll_call(date(2024, 3, 3), 11, 10, excused=1, exempted_present=1)
    result = cr17_exemptions_never_count(cell_period("2024-03", [fine]))
    assert (result.result, result.figures["exempted_present"]) == ("pass", 1)
