"""A member-year's runs of excused absences (CR-14) and unexcused absences, folded again from
where a batch's changes begin: the result is the whole year's fold, whatever the changes."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from chibo_reporting.projections import derived

EXCUSED, UNEXCUSED, PRESENT = "absent_excused", "absent_unexcused", "present"


def row(day: int, status: str, counted: bool = True, meeting: str | None = None
        ) -> dict[str, Any]:
    held_on = date(2025, 1, 1) + timedelta(days=day)
    return {"member_id": "m", "meeting_id": meeting or f"mt-{day:03}", "cell_id": "c",
            "held_on": held_on, "status": status, "counted": counted}


def stored(rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The member-year row the writer keeps for `rows`: none without a counted absence."""
    runs, unexcused = derived.member_year(rows)
    if not runs and not unexcused:
        return None
    return {"member_id": "m", "year": 2025, "excused_runs": runs, "unexcused": unexcused}


def refold(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> tuple[Any, Any]:
    """What the writer computes: resume from the stored row and the changes, then fold the
    rows from the start it names (as stored after the batch)."""
    old = {r["meeting_id"]: r for r in before}
    new = {r["meeting_id"]: r for r in after}
    changes = [[old.get(m), new.get(m)] for m in sorted(old.keys() | new.keys())
               if old.get(m) != new.get(m)]
    start, folded = derived.resume(stored(before), changes)
    rows = [r for r in after if start is None or derived.row_key(r) >= start]
    return start, derived.member_year(rows, folded)


def test_with_no_absence_stored_it_folds_from_the_first_change():
    before = [row(10, PRESENT), row(40, PRESENT)]
    after = [*before, row(70, EXCUSED), row(100, EXCUSED)]
    start, folded = refold(before, after)
    assert start == ("2025-03-12", "mt-070")
    assert folded == derived.member_year(after)
    assert folded == ([[["2025-03-12", "c", "mt-070", EXCUSED],
                        ["2025-04-11", "c", "mt-100", EXCUSED]]], [])


def test_after_an_unexcused_absence_it_folds_from_the_first_change_with_the_stored_runs():
    before = [row(10, EXCUSED), row(40, PRESENT), row(70, UNEXCUSED), row(80, PRESENT)]
    after = [*before, row(100, EXCUSED)]
    start, folded = refold(before, after)
    assert start == ("2025-04-11", "mt-100")
    assert folded == derived.member_year(after)
    assert [len(run) for run in folded[0]] == [1, 1]


def test_after_an_excused_absence_it_folds_from_that_absence_so_its_run_can_go_on():
    # No presence since the last absence: the new one joins its run (two in a row) …
    before = [row(10, PRESENT), row(40, EXCUSED), row(50, EXCUSED, counted=False)]
    after = [*before, row(70, EXCUSED)]
    start, folded = refold(before, after)
    assert start == ("2025-02-10", "mt-040")
    assert folded == ([[["2025-02-10", "c", "mt-040", EXCUSED],
                        ["2025-03-12", "c", "mt-070", EXCUSED]]], [])
    # … and with a presence between them, it starts a run of its own.
    before.append(row(60, PRESENT))
    after = [*before, row(70, EXCUSED)]
    assert refold(before, after)[1] == derived.member_year(after)
    assert [len(run) for run in refold(before, after)[1][0]] == [1, 1]


def test_a_change_at_or_before_the_last_absence_folds_the_whole_year():
    before = [row(10, EXCUSED), row(40, EXCUSED), row(70, UNEXCUSED)]
    for after in ([row(10, EXCUSED), row(25, PRESENT), *before[1:]],  # splits a run
                  [*before[:2], row(70, EXCUSED)]):  # the last absence itself changes
        start, folded = refold(before, after)
        assert start is None
        assert folded == derived.member_year(after)


statuses = st.sampled_from([PRESENT, PRESENT, EXCUSED, UNEXCUSED])
rows_of_a_year = st.dictionaries(
    st.integers(0, 364), st.tuples(statuses, st.sampled_from([True, True, False])),
    max_size=24)


@settings(max_examples=400, deadline=None)
@given(rows_of_a_year, rows_of_a_year, st.integers(0, 365), st.booleans())
def test_folding_again_from_where_it_resumes_equals_folding_the_whole_year(
        before_days, changed_days, cut, late_only):
    """Any rows before, any changes (in a year's usual order: only after a cut day) after."""
    def rows(days: dict[int, tuple[str, bool]]) -> list[dict[str, Any]]:
        return [row(day, status, counted) for day, (status, counted) in days.items()]

    if late_only:
        changed_days = {d: v for d, v in changed_days.items() if d >= cut}
    after_days = before_days | changed_days
    for day in [d for d in changed_days if d % 5 == 0]:
        after_days.pop(day)  # some rows go (a member taken off a corrected roll call)
    before, after = rows(before_days), rows(after_days)
    if before_days == after_days:
        return  # nothing changed: the writer recomputes nothing
    assert refold(before, after)[1] == derived.member_year(after)
