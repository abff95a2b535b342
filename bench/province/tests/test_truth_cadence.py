"""Hand-checked cases of the meeting cadence and conduct rules (CR-01 … CR-10)."""

from __future__ import annotations

from datetime import date, timedelta

from bench.province.tests.handmade import CELL, Handmade, Rulebook, at


def test_a_month_without_a_regular_meeting_fails_cr01_for_the_month_quarter_and_year():
    made = Handmade()
    made.every_month(2024)
    made.meetings.pop(4)  # no meeting in May
    truth = made.truth()
    assert truth.cell(CELL, "2024-04")["CR-01"].result == "pass"
    assert truth.cell(CELL, "2024-05")["CR-01"].result == "fail"
    assert truth.cell(CELL, "2024-Q2")["CR-01"].figures == {"met": 2, "failed": 1}
    assert truth.cell(CELL, "2024")["CR-01"].figures == {"met": 11, "failed": 1}


def test_a_combined_session_counts_as_the_regular_and_the_thematic_meeting():
    made = Handmade()
    made.meeting(date(2024, 3, 3), "combined", minutes=130)
    truth = made.truth()
    assert truth.cell(CELL, "2024-03")["CR-01"].result == "pass"
    assert truth.cell(CELL, "2024-03")["CR-03"].result == "pass"  # March judges Q1
    assert truth.cell(CELL, "2024-03")["CR-05"].result == "pass"


def test_a_month_report_judges_only_the_quarter_ending_in_it():
    made = Handmade()
    made.every_month(2024)
    truth = made.truth()
    assert truth.cell(CELL, "2024-02")["CR-03"].result == "not_applicable"
    assert truth.cell(CELL, "2024-03")["CR-03"].result == "fail"
    assert truth.cell(CELL, "2024")["CR-03"].figures == {"met": 0, "failed": 4}


def test_a_regular_meeting_off_the_day_passes_cr02_only_with_a_recorded_reason():
    made = Handmade()
    made.meeting(date(2024, 1, 3))
    made.meeting(date(2024, 2, 7))
    made.meeting(date(2024, 3, 8), rescheduled_to=at(date(2024, 3, 8)),
                 reschedule_reason="Mưa bão")
    truth = made.truth()
    assert truth.cell(CELL, "2024-01")["CR-02"].result == "pass"
    assert truth.cell(CELL, "2024-02")["CR-02"].result == "fail"
    assert truth.cell(CELL, "2024-03")["CR-02"].result == "pass"
    assert truth.cell(CELL, "2024-Q1")["CR-02"].figures == {
        "checked": 3, "on_prescribed_day": 1, "with_recorded_reason": 1}


def test_the_prescribed_day_is_the_one_of_the_rulebook_in_force_on_the_meeting_day():
    made = Handmade()
    made.rulebooks += [
        Rulebook("r1", "P", date(2020, 1, 1), {"prescribed_day_exceptions": {CELL: 24}}, "2020"),
        Rulebook("r2", "P", date(2024, 7, 1), {"prescribed_day_exceptions": {}}, "2024"),
    ]
    made.meeting(date(2024, 6, 24))
    made.meeting(date(2024, 7, 24))
    made.meeting(date(2024, 8, 3))
    truth = made.truth()
    assert truth.cell(CELL, "2024-06")["CR-02"].result == "pass"
    assert truth.cell(CELL, "2024-07")["CR-02"].result == "fail"
    assert truth.cell(CELL, "2024-08")["CR-02"].result == "pass"


def test_cr04_is_pro_rata_over_the_whole_months_the_cell_existed():
    made = Handmade(cell_created=date(2024, 6, 15))
    made.meeting(date(2024, 8, 15), "thematic")
    made.meeting(date(2024, 11, 15), "thematic")
    truth = made.truth()
    # July to December: 6 whole months → floor(4 * 6 / 12) = 2 thematic meetings; by the end
    # of August 2 months, no whole quarter's worth yet; by November 5 → 1.
    assert truth.cell(CELL, "2024")["CR-04"].figures == {"held": 2, "required": 2,
                                                         "months_counted": 6}
    assert truth.cell(CELL, "2024")["CR-04"].result == "pass"
    assert truth.cell(CELL, "2024-08")["CR-04"].result == "not_applicable"
    assert truth.cell(CELL, "2024-11")["CR-04"].figures == {"held": 2, "required": 1,
                                                            "months_counted": 5}
    assert truth.cell(CELL, "2024-06")["CR-01"].result == "not_applicable"
    assert truth.cell(CELL, "2024-05")["CR-04"].result == "not_applicable"


def test_length_rules_use_the_regular_and_the_combined_minimum():
    made = Handmade()
    made.meeting(date(2024, 1, 3), minutes=89)
    made.meeting(date(2024, 2, 3), minutes=90)
    made.meeting(date(2024, 3, 3), "combined", minutes=119)
    truth = made.truth()
    assert truth.cell(CELL, "2024-01")["CR-06"].result == "fail"
    assert truth.cell(CELL, "2024-02")["CR-06"].result == "pass"
    assert truth.cell(CELL, "2024-03")["CR-06"].result == "pass"
    assert truth.cell(CELL, "2024-03")["CR-05"].result == "fail"
    assert truth.cell(CELL, "2024-Q1")["CR-05"].figures == {"checked": 1, "passed": 0,
                                                            "failed": 1}


def test_papers_and_notices_one_day_ahead_pass_and_the_same_day_fails():
    made = Handmade()
    first = made.meeting(date(2024, 1, 3))
    first.documents[0] = first.documents[0].__class__("x", "before", "T", at(date(2024, 1, 2)))
    second = made.meeting(date(2024, 2, 3))
    second.documents[0] = second.documents[0].__class__("y", "before", "T",
                                                        at(date(2024, 2, 3), 6, 0))
    second.notices[0] = second.notices[0].__class__(at(date(2024, 2, 3), 6, 0), True, ())
    truth = made.truth()
    assert truth.cell(CELL, "2024-01")["CR-07"].result == "pass"
    assert truth.cell(CELL, "2024-02")["CR-07"].result == "fail"
    assert truth.cell(CELL, "2024-01")["CR-08"].result == "pass"
    assert truth.cell(CELL, "2024-02")["CR-08"].result == "fail"


def test_notices_must_also_reach_every_overseer_in_charge_that_day():
    made = Handmade()
    from bench.province.tests.handmade import Assignment

    made.assignments.append(Assignment("as1", "o", CELL, "executive_committee_member",
                                       date(2024, 2, 1)))
    made.meeting(date(2024, 1, 3))
    made.meeting(date(2024, 2, 3))
    truth = made.truth()
    assert truth.cell(CELL, "2024-01")["CR-08"].result == "pass"  # nobody in charge yet
    assert truth.cell(CELL, "2024-02")["CR-08"].result == "fail"


def test_minutes_two_days_after_pass_and_three_days_after_fail():
    made = Handmade()
    for month, lag in ((1, 2), (2, 3)):
        meeting = made.meeting(date(2024, month, 3))
        meeting.documents[1] = meeting.documents[1].__class__(
            f"a{month}", "after", "Biên bản", at(date(2024, month, 3) + timedelta(days=lag), 9))
    no_minutes = made.meeting(date(2024, 3, 3))
    no_minutes.documents.pop()
    truth = made.truth()
    assert truth.cell(CELL, "2024-01")["CR-10"].result == "pass"
    assert truth.cell(CELL, "2024-02")["CR-10"].result == "fail"
    assert truth.cell(CELL, "2024-03")["CR-10"].result == "fail"
