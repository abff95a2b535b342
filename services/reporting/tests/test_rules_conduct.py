"""CR-05 to CR-10: how meetings are held, prepared and followed up."""

from __future__ import annotations

from datetime import date

from chibo_reporting.rules.conduct import (
    cr05_combined_session,
    cr06_meeting_length,
    cr07_documents_before,
    cr08_notices_before,
    cr10_documents_after,
)

from .builders import assignment, cell_period, meeting, rulebook


def test_a_combined_session_needs_two_parts_and_120_minutes():
    good = meeting(date(2024, 3, 3), "combined", duration_minutes=125)
    short = meeting(date(2024, 6, 3), "combined", duration_minutes=100)
    one_part = meeting(date(2024, 9, 3), "combined", duration_minutes=150, parts=1)
    result = cr05_combined_session(cell_period("2024", [good, short, one_part]))
    assert result.result == "fail"
    assert (result.figures["checked"], result.figures["passed"]) == (3, 1)
    assert [e["meeting_id"] for e in result.figures["exceptions"]] == [short.meeting_id,
                                                                       one_part.meeting_id]
    assert cr05_combined_session(cell_period("2024-Q1", [good])).result == "pass"


def test_cr05_does_not_apply_without_a_combined_session():
    assert cr05_combined_session(cell_period("2024", [meeting(date(2024, 1, 3))])).result == \
        "not_applicable"


def test_a_regular_meeting_of_89_minutes_is_too_short_and_one_of_90_is_not():
    assert cr06_meeting_length(cell_period(
        "2024-01", [meeting(date(2024, 1, 3), duration_minutes=90)])).result == "pass"
    result = cr06_meeting_length(cell_period(
        "2024-01", [meeting(date(2024, 1, 3), duration_minutes=89)]))
    assert result.result == "fail"
    assert result.figures["exceptions"][0]["min_minutes"] == 90


def test_documents_posted_the_day_before_are_in_time_and_the_same_day_are_not():
    in_time = meeting(date(2024, 2, 3), before_doc_on=date(2024, 2, 2))
    same_day = meeting(date(2024, 3, 3), before_doc_on=date(2024, 3, 3))
    none = meeting(date(2024, 4, 3))
    assert cr07_documents_before(cell_period("2024-02", [in_time])).result == "pass"
    result = cr07_documents_before(cell_period("2024", [in_time, same_day, none]))
    assert result.result == "fail"
    assert [e["days_before"] for e in result.figures["exceptions"]] == [0, None]


def test_the_overseer_in_charge_must_be_notified_as_well_as_the_members():
    held = date(2024, 5, 3)
    both = meeting(held, members_notified_on=date(2024, 5, 1),
                   overseers_notified={"uv-1": date(2024, 5, 1)})
    members_only = meeting(held, members_notified_on=date(2024, 5, 1))
    assigned = (assignment("uv-1"),)
    assert cr08_notices_before(cell_period("2024-05", [both], assignments=assigned)).result == \
        "pass"
    result = cr08_notices_before(cell_period("2024-05", [members_only], assignments=assigned))
    assert result.result == "fail"
    assert result.figures["exceptions"][0]["overseers_not_notified_in_time"] == ["uv-1"]
    # Without an overseer in charge that day, notifying the members is enough.
    assert cr08_notices_before(cell_period("2024-05", [members_only])).result == "pass"


def test_minutes_within_two_calendar_days_pass_on_the_third_fail_and_before_the_deadline_wait():
    two_days = meeting(date(2024, 1, 3), after_doc_on=date(2024, 1, 5))
    three_days = meeting(date(2024, 2, 3), after_doc_on=date(2024, 2, 6))
    assert cr10_documents_after(cell_period("2024-01", [two_days])).result == "pass"
    assert cr10_documents_after(cell_period("2024-02", [three_days])).result == "fail"
    yesterday = meeting(date(2026, 3, 14))
    waiting = cr10_documents_after(cell_period("2026-03", [yesterday], today=date(2026, 3, 15)))
    assert (waiting.result, waiting.figures["pending"]) == ("not_applicable", 1)


def test_conduct_rules_use_the_rulebook_in_force_on_the_meeting_day():
    stricter = rulebook(2, date(2024, 7, 1), regular_min_minutes=120)
    meetings = [meeting(date(2024, m, 3), duration_minutes=100) for m in range(1, 13)]
    at_time = cr06_meeting_length(cell_period("2024", meetings, books=[rulebook(1), stricter]))
    assert (at_time.figures["passed"], at_time.figures["failed"]) == (6, 6)
