"""Hand-checked cases of the quality rules (CR-18 … CR-21) and the review list (CR-27)."""

from __future__ import annotations

from datetime import date, timedelta

from bench.province.tests.handmade import CELL, Handmade, Task, TaskReport


def test_the_grade_is_the_confirmed_total_else_the_cells_own():
    made = Handmade()
    made.meeting(date(2024, 1, 3), scores={"all": 92.0}, confirmed_total=85.0)
    made.meeting(date(2024, 2, 3), scores={"all": 65.0}, confirmed_total=None,
                 confirmed_on=None)
    made.meeting(date(2024, 3, 3), scores=None, assessed_on=None, confirmed_total=None)
    truth = made.truth()
    grades = truth.cell(CELL, "2024-Q1")["CR-18"].figures["grades"]
    assert grades == {"good": 0, "fair": 1, "average": 1, "weak": 0, "ungraded": 1}
    assert truth.cell(CELL, "2024-03")["CR-18"].result == "fail"


def test_a_grade_confirmed_ten_days_after_the_assessment_is_in_time_and_eleven_is_not():
    made = Handmade()
    made.meeting(date(2024, 1, 3), confirmed_on=date(2024, 1, 13))
    made.meeting(date(2024, 2, 3), confirmed_on=date(2024, 2, 14))
    made.meeting(date(2024, 3, 3), confirmed_total=None, confirmed_on=None)
    truth = made.truth()
    assert truth.cell(CELL, "2024-01")["CR-19"].result == "pass"
    assert truth.cell(CELL, "2024-02")["CR-19"].result == "fail"
    assert truth.cell(CELL, "2024-03")["CR-19"].result == "fail"
    assert truth.cell(CELL, "2024-Q1")["CR-19"].figures == {"assessed": 3, "confirmed_in_time": 1}


def test_follow_through_is_the_share_done_of_the_previous_resolutions_live_tasks():
    made = Handmade()
    tasks = tuple(Task(f"t{n}", "Việc", "a", date(2024, 2, 1)) for n in range(4))
    made.meeting(date(2024, 1, 3), resolution_text="NQ", votes=(4, 0, 0), tasks=tasks)
    made.meeting(date(2024, 2, 3), task_reports=[
        TaskReport("t0", "done"), TaskReport("t1", "in_progress"), TaskReport("t2", "dropped"),
        TaskReport("t3", "done")])
    made.meeting(date(2024, 3, 3), task_reports=[TaskReport("t1", "overdue")])
    truth = made.truth()
    figures = truth.cell(CELL, "2024-02")["CR-20"].figures
    assert figures == {"done": 2, "tasks": 3, "share": 0.6667}
    assert truth.cell(CELL, "2024-02")["CR-20"].result == "pass"  # 66.7 % ≥ the 50 % band
    assert truth.cell(CELL, "2024-01")["CR-20"].result == "not_applicable"


def test_the_previous_resolution_is_the_latest_that_set_tasks_even_if_all_were_dropped():
    made = Handmade()
    made.meeting(date(2024, 1, 3), resolution_text="NQ", votes=(4, 0, 0),
                 tasks=(Task("t1", "Việc", "a", date(2024, 2, 1)),))
    made.meeting(date(2024, 2, 3), resolution_text="NQ", votes=(4, 0, 0),
                 tasks=(Task("t2", "Việc", "a", date(2024, 3, 1)),),
                 task_reports=[TaskReport("t1", "done")])
    made.meeting(date(2024, 3, 3), task_reports=[TaskReport("t2", "dropped")])
    truth = made.truth()
    assert truth.cell(CELL, "2024-02")["CR-20"].figures == {"done": 1, "tasks": 1, "share": 1.0}
    assert truth.cell(CELL, "2024-03")["CR-20"].result == "not_applicable"


def test_a_resolution_needs_more_than_half_of_the_voting_base():
    made = Handmade()
    made.meeting(date(2024, 1, 3), resolution_text="NQ", votes=(2, 2, 0))
    made.meeting(date(2024, 2, 3), resolution_text="NQ", votes=(3, 1, 0))
    made.meeting(date(2024, 3, 3), resolution_text="NQ", votes=(3, 0, 0),
                 absent={"d": "absent_excused"})
    truth = made.truth()
    assert truth.cell(CELL, "2024-01")["CR-21"].result == "fail"
    assert truth.cell(CELL, "2024-02")["CR-21"].result == "pass"
    assert truth.cell(CELL, "2024-03")["CR-21"].result == "pass"  # 3 of the 3 present


def test_graded_average_twice_running_puts_the_cell_on_the_review_list():
    made = Handmade()
    made.every_month(2024)
    for meeting in made.meetings[4:6]:
        meeting.scores, meeting.confirmed_total = {"all": 60.0}, 60.0
    truth = made.truth()
    assert truth.cell(CELL, "2024-05")["CR-27"].result == "pass"  # one average so far
    assert truth.cell(CELL, "2024-06")["CR-27"].figures["rules"] == ["CR-03", "CR-18"]
    assert truth.cell(CELL, "2024-07")["CR-27"].figures["rules"] == []
    assert truth.reminders("P", "2024-06")[CELL] == {"rules": ["CR-03", "CR-18"],
                                                     "status": "candidate"}


def test_a_weak_grade_puts_the_cell_on_the_review_list():
    made = Handmade()
    made.meeting(date(2024, 1, 3), scores={"all": 40.0}, confirmed_total=40.0,
                 confirmed_on=date(2024, 1, 3) + timedelta(days=1))
    truth = made.truth()
    assert truth.cell(CELL, "2024-01")["CR-27"].figures["rules"] == ["CR-18"]
