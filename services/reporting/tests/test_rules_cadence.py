"""CR-01 to CR-04: how often cells meet (pure rule functions over plain facts)."""

from __future__ import annotations

from datetime import date

from chibo_reporting.periods import Window
from chibo_reporting.rules.cadence import (
    cr01_regular_meeting_every_month,
    cr02_prescribed_day,
    cr03_thematic_meeting_every_quarter,
    cr04_thematic_meetings_in_the_year,
)

from .builders import CELL, cell_period, meeting, monthly, rulebook


def test_a_regular_meeting_in_each_of_the_twelve_months_passes_cr01():
    result = cr01_regular_meeting_every_month(cell_period("2024", monthly(2024)))
    assert result.result == "pass"
    assert result.figures["met"] == 12
    assert len(result.evidence) == 12


def test_a_month_without_a_regular_meeting_fails_cr01_and_names_the_month():
    meetings = monthly(2024, months=range(1, 13))
    without_may = [m for m in meetings if m.held_on.month != 5]
    result = cr01_regular_meeting_every_month(cell_period("2024", without_may))
    assert result.result == "fail"
    assert (result.figures["met"], result.figures["failed"]) == (11, 1)
    assert result.figures["windows"]["2024-05"] == {"held": 0, "required": 1, "state": "fail"}


def test_a_thematic_meeting_does_not_replace_the_regular_one_but_a_combined_session_does():
    thematic_in_march = [m for m in monthly(2024) if m.held_on.month != 3]
    thematic_in_march.append(meeting(date(2024, 3, 3), "thematic"))
    only_thematic = cell_period("2024-Q1", thematic_in_march)
    assert cr01_regular_meeting_every_month(only_thematic).result == "fail"
    combined_in_march = [m for m in monthly(2024) if m.held_on.month != 3]
    combined_in_march.append(meeting(date(2024, 3, 3), "combined"))
    cell = cell_period("2024-Q1", combined_in_march)
    assert cr01_regular_meeting_every_month(cell).result == "pass"
    assert cr03_thematic_meeting_every_quarter(cell).result == "pass"


def test_the_month_under_way_is_pending_not_failed():
    cell = cell_period("2026-Q1", monthly(2026, months=range(1, 3)), today=date(2026, 3, 15))
    result = cr01_regular_meeting_every_month(cell)
    assert result.result == "pass"
    assert result.figures["windows"]["2026-03"]["state"] == "pending"


def test_a_month_the_cell_did_not_exist_through_is_not_judged():
    created = (Window(date(2024, 3, 15), date.max, CELL),)
    cell = cell_period("2024-Q1", [meeting(date(2024, 3, 20))], active=created)
    result = cr01_regular_meeting_every_month(cell)
    assert result.result == "not_applicable"
    assert result.figures["windows"]["2024-03"]["state"] == "not_applicable"


def test_cr02_accepts_the_prescribed_day_or_a_recorded_reason_and_nothing_else():
    on_day = meeting(date(2025, 9, 3))
    moved_with_reason = meeting(date(2025, 10, 6), reschedule_reason="lũ lụt")
    moved_without = meeting(date(2025, 11, 5))
    assert cr02_prescribed_day(cell_period("2025-09", [on_day])).result == "pass"
    assert cr02_prescribed_day(cell_period("2025-10", [moved_with_reason])).result == "pass"
    result = cr02_prescribed_day(cell_period("2025-Q4", [moved_with_reason, moved_without]))
    assert result.result == "fail"
    assert (result.figures["checked"], result.figures["with_recorded_reason"]) == (2, 1)


def test_cr02_uses_a_cells_exception_day_from_its_rulebook():
    bi_ban = rulebook(prescribed_day_exceptions={CELL: 24})
    on_24th = meeting(date(2024, 6, 24))
    assert cr02_prescribed_day(cell_period("2024-06", [on_24th], books=[bi_ban])).result == "pass"
    assert cr02_prescribed_day(cell_period("2024-06", [on_24th])).result == "fail"


def test_three_thematic_meetings_fail_the_fourth_quarter_and_the_year():
    thematic = [meeting(date(2024, m, 10), "thematic") for m in (2, 5, 8)]
    cell = cell_period("2024", thematic)
    quarters = cr03_thematic_meeting_every_quarter(cell)
    assert quarters.result == "fail"
    assert quarters.figures["windows"]["2024-Q4"]["held"] == 0
    year = cr04_thematic_meetings_in_the_year(cell)
    assert year.result == "fail"
    assert (year.figures["held"], year.figures["required"]) == (3, 4)


def test_no_month_of_a_cell_on_its_quarterly_cadence_fails_cr04():
    """Thematic meetings on 15 February, May, August and November (found by a black-box
    audit: January, April, July and October asked for one more than a quarter's worth)."""
    thematic = [meeting(date(2025, m, 15), "thematic") for m in (2, 5, 8, 11)]
    months = {m: cr04_thematic_meetings_in_the_year(cell_period(f"2025-{m:02d}", thematic))
              for m in range(1, 13)}
    assert {m: r.result for m, r in months.items()} == {
        1: "not_applicable", 2: "not_applicable", **{m: "pass" for m in range(3, 13)}}
    assert months[1].figures["reason"] == "no thematic meeting due yet"
    # Whole quarters' worth gone by (required), against those held from 1 January: 3 and 4
    # months → 1 of 1 (rounded up, 4 months asked for 2), 7 → 2 of 2, 10 → 3 of 3, 12 → 4 of 4.
    assert [(months[m].figures["required"], months[m].figures["held"])
            for m in (3, 4, 7, 10, 12)] == [(1, 1), (1, 1), (2, 2), (3, 3), (4, 4)]
    late = [meeting(date(2025, m, 15), "thematic") for m in (5, 8, 11)]  # none in Q1
    assert cr04_thematic_meetings_in_the_year(cell_period("2025-03", late)).result == "fail"
    assert cr04_thematic_meetings_in_the_year(cell_period("2025-04", late)).result == "fail"


def test_a_combined_session_without_a_topic_is_not_the_quarters_thematic_meeting():
    """One part (no topic): a regular meeting only, as CR-05 reads it (found by the audit)."""
    single = meeting(date(2025, 3, 3), "combined", parts=1)
    quarter = cell_period("2025-Q1", [single])
    assert cr03_thematic_meeting_every_quarter(quarter).result == "fail"
    assert cr01_regular_meeting_every_month(cell_period("2025-03", [single])).result == "pass"
    both = meeting(date(2025, 3, 3), "combined", parts=2)
    assert cr03_thematic_meeting_every_quarter(cell_period("2025-Q1", [both])).result == "pass"


def test_cr04_for_a_half_year_asks_for_half_the_yearly_number():
    thematic = [meeting(date(2024, m, 10), "thematic") for m in (2, 5)]
    result = cr04_thematic_meetings_in_the_year(cell_period("2024-06", thematic))
    assert (result.result, result.figures["required"], result.figures["held"]) == ("pass", 2, 2)
