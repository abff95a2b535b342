"""Rubrics are data: criteria with maximum points and grade bands (Good ≥ 90 … Weak < 50)."""

from __future__ import annotations

import pytest

from chibo_meetings.domain import InvalidMeetingError, rubric_for
from chibo_meetings.domain.rubrics import REGULAR, RUBRICS, THEMATIC, Band, Criterion, Rubric


def test_the_default_rubrics_are_100_point_sheets_for_regular_and_thematic_meetings():
    assert REGULAR.max_total == THEMATIC.max_total == 100
    assert rubric_for(None, "regular") is REGULAR
    assert rubric_for(None, "thematic") is THEMATIC
    assert rubric_for(THEMATIC.id, "combined") is THEMATIC
    assert set(RUBRICS) == {REGULAR.id, THEMATIC.id}


@pytest.mark.parametrize(("total", "grade"), [
    (100, "good"), (90, "good"), (89.99, "fair"), (70, "fair"), (69.5, "average"),
    (50, "average"), (49.99, "weak"), (0, "weak"),
])
def test_grades_follow_the_default_bands(total, grade):
    assert REGULAR.grade_for(total) == grade


def test_unknown_or_unfitting_rubrics_are_refused():
    with pytest.raises(InvalidMeetingError, match="unknown rubric"):
        rubric_for("nghe-an-27", "regular")
    with pytest.raises(InvalidMeetingError, match="not for regular"):
        rubric_for(THEMATIC.id, "regular")


def test_scores_must_cover_every_criterion_within_its_maximum():
    full = {c.key: c.max_points for c in REGULAR.criteria}
    REGULAR.check_scores(full, 100, "good")
    with pytest.raises(InvalidMeetingError) as raised:
        REGULAR.check_scores({**full, "extra": 1}, 101, "good")
    assert any("extra" in m for m in raised.value.errors["scores"])
    missing = dict(full)
    missing.pop("content")
    with pytest.raises(InvalidMeetingError, match="content: missing"):
        REGULAR.check_scores(missing, 75, "fair")
    with pytest.raises(InvalidMeetingError, match="between 0 and"):
        REGULAR.check_scores({**full, "content": -1}, 74, "fair")
    with pytest.raises(InvalidMeetingError, match=r"steps of 0\.01"):
        REGULAR.check_scores({**full, "content": 24.999}, 99.999, "good")


def test_a_rubric_with_its_own_bands_grades_by_them():
    strict = Rubric("strict", "Strict", frozenset({"regular"}), (Criterion("all", "All", 10),),
                    (Band("good", 9.5), Band("weak", 0)))
    strict.check_total(9.5, "good")
    with pytest.raises(InvalidMeetingError, match="graded 'weak'"):
        strict.check_total(9, "good")
    with pytest.raises(InvalidMeetingError, match="between 0 and 10"):
        strict.check_total(11, "good")
