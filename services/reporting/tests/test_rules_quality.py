"""CR-18 to CR-21: grades, confirmation, follow-through of resolutions, majority votes."""

from __future__ import annotations

from datetime import date

from chibo_reporting.rules.quality import (
    cr18_quality_grade,
    cr19_grade_confirmed,
    cr20_follow_through,
    cr21_majority_vote,
)

from .builders import cell_period, meeting, rulebook


def test_grades_follow_the_rulebook_bands_and_a_confirmed_score_wins():
    meetings = [meeting(date(2024, 1, 3), self_score=92.0),
                meeting(date(2024, 2, 3), self_score=92.0, confirmed_score=85.0),
                meeting(date(2024, 3, 3), self_score=55.0),
                meeting(date(2024, 4, 3), self_score=40.0)]
    result = cr18_quality_grade(cell_period("2024", meetings))
    assert result.result == "pass"
    assert result.figures["grades"] == {"good": 1, "fair": 1, "average": 1, "weak": 1,
                                        "ungraded": 0}
    generous = rulebook(grade_bands={"good": 85, "fair": 60, "average": 40})
    regraded = cr18_quality_grade(cell_period("2024", meetings, books=[generous]))
    # 92 → good, 85 → good (≥ 85), 55 → average, 40 → average (≥ 40): nothing weak.
    assert regraded.figures["grades"] == {"good": 2, "fair": 0, "average": 2, "weak": 0,
                                          "ungraded": 0}


def test_a_meeting_never_assessed_fails_cr18():
    result = cr18_quality_grade(cell_period("2024-01", [meeting(date(2024, 1, 3))]))
    assert (result.result, result.figures["grades"]["ungraded"]) == ("fail", 1)


def test_confirmation_within_ten_days_of_the_self_assessment():
    on_time = meeting(date(2024, 1, 3), assessed_on=date(2024, 1, 5),
                      confirmed_on=date(2024, 1, 15), self_score=90.0)
    late = meeting(date(2024, 2, 3), assessed_on=date(2024, 2, 5),
                   confirmed_on=date(2024, 2, 16), self_score=90.0)
    assert cr19_grade_confirmed(cell_period("2024-01", [on_time])).result == "pass"
    result = cr19_grade_confirmed(cell_period("2024", [on_time, late]))
    assert (result.result, result.figures["confirmed_in_time"]) == ("fail", 1)
    waiting = meeting(date(2026, 3, 3), assessed_on=date(2026, 3, 10), self_score=90.0)
    assert cr19_grade_confirmed(cell_period("2026-03", [waiting],
                                            today=date(2026, 3, 15))).result == "not_applicable"


def test_four_of_five_tasks_done_is_the_eighty_percent_band():
    previous = meeting(date(2024, 1, 3), resolution=True, tasks_total=5, tasks_done=4)
    result = cr20_follow_through(cell_period("2024-02", [meeting(date(2024, 2, 3))],
                                             earlier=(previous,)))
    assert result.result == "pass"
    assert (result.figures["share"], result.figures["band"]) == (0.8, 0.8)
    poor = meeting(date(2024, 1, 3), resolution=True, tasks_total=6, tasks_done=2,
                   tasks_dropped=1)
    result = cr20_follow_through(cell_period("2024-02", [meeting(date(2024, 2, 3))],
                                             earlier=(poor,)))
    assert (result.result, result.figures["share"], result.figures["band"]) == ("fail", 0.4, None)


def test_cr20_measures_the_previous_resolution_even_when_all_its_tasks_were_dropped():
    older = meeting(date(2024, 1, 3), resolution=True, tasks_total=2, tasks_done=2)
    dropped = meeting(date(2024, 2, 3), resolution=True, tasks_total=3, tasks_dropped=3)
    result = cr20_follow_through(cell_period("2024-03", [meeting(date(2024, 3, 3))],
                                             earlier=(older, dropped)))
    assert (result.result, result.figures["done"], result.figures["tasks"]) == (
        "not_applicable", 0, 0)
    assert [r["meeting_id"] for r in result.figures["resolutions"]] == [dropped.meeting_id]


def test_cr20_does_not_apply_before_any_resolution_set_tasks():
    assert cr20_follow_through(cell_period("2024-02", [meeting(date(2024, 2, 3))])).result == \
        "not_applicable"


def test_seven_of_twelve_is_a_majority_and_six_of_twelve_is_not():
    seven = meeting(date(2024, 1, 3), resolution=True, votes_for=7, voting_base=12)
    six = meeting(date(2024, 2, 3), resolution=True, votes_for=6, voting_base=12)
    assert cr21_majority_vote(cell_period("2024-01", [seven])).result == "pass"
    result = cr21_majority_vote(cell_period("2024", [seven, six]))
    assert result.result == "fail"
    assert [r["state"] for r in result.figures["resolutions"]] == ["pass", "fail"]
