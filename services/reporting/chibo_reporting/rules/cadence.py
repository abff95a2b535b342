"""Meeting cadence: CR-01 regular monthly, CR-02 prescribed day, CR-03/CR-04 thematic meetings."""

from __future__ import annotations

from collections.abc import Sequence

from chibo_reporting.facts import CellPeriod, MeetingFact
from chibo_reporting.periods import Window, clamp_day, month_window
from chibo_reporting.rules.results import (
    FAIL,
    NOT_APPLICABLE,
    PASS,
    RuleResult,
    floor_share,
    judge,
    overall,
)


def _held_in(meetings: tuple[MeetingFact, ...], window: Window,
             thematic: bool) -> list[MeetingFact]:
    return [
        m for m in meetings
        if m.held_on is not None and m.held_on in window and (m.thematic if thematic else m.regular)
    ]


def _windows(cell: CellPeriod, windows: Sequence[Window], thematic: bool) -> RuleResult:
    """Each window the cell existed through needs its quota of meetings held inside it."""
    figures: dict[str, dict[str, object]] = {}
    counted: list[MeetingFact] = []
    for window in windows:
        if not cell.covers(window):
            figures[window.label] = {"state": NOT_APPLICABLE, "reason": "cell not in existence "
                                     "for the whole window"}
            continue
        held = _held_in(cell.meetings, window, thematic)
        parameters = cell.rulebook(window.end).parameters
        required = (parameters.thematic_meetings_per_quarter if thematic
                    else parameters.regular_meetings_per_month)
        state = judge(len(held) >= required, window.end, cell.today)
        figures[window.label] = {"held": len(held), "required": required, "state": state}
        counted.extend(held)
    states = [str(f["state"]) for f in figures.values()]
    return RuleResult(
        overall(states),
        {"windows": figures, "met": states.count(PASS), "failed": states.count(FAIL)},
        cell.cite(counted, "held"),
    )


def cr01_regular_meeting_every_month(cell: CellPeriod) -> RuleResult:
    """CR-01: at least N regular meetings (a combined session counts) held in each month."""
    return _windows(cell, cell.period.months(), thematic=False)


def cr02_prescribed_day(cell: CellPeriod) -> RuleResult:
    """CR-02: each regular meeting held on the cell's prescribed day, or with a recorded reason."""
    checked, states = [], []
    for meeting in cell.period_meetings:
        if not meeting.regular or meeting.held_on is None:
            continue
        day = cell.rulebook(meeting.held_on).parameters.prescribed_day_for(cell.cell_id)
        prescribed = clamp_day(meeting.held_on.year, meeting.held_on.month, day)
        on_day = meeting.held_on == prescribed
        state = PASS if on_day or meeting.reschedule_reason else FAIL
        states.append(state)
        checked.append({
            "meeting_id": meeting.meeting_id, "held_on": meeting.held_on.isoformat(),
            "prescribed_on": prescribed.isoformat(), "on_prescribed_day": on_day,
            "recorded_reason": meeting.reschedule_reason, "state": state,
        })
    figures = {
        "checked": len(checked),
        "on_prescribed_day": sum(1 for c in checked if c["on_prescribed_day"]),
        "with_recorded_reason": sum(
            1 for c in checked if not c["on_prescribed_day"] and c["state"] == PASS
        ),
        "meetings": checked,
    }
    regular = [m for m in cell.period_meetings if m.regular]
    return RuleResult(overall(states), figures, cell.cite(regular, "held", "rescheduled"))


def cr03_thematic_meeting_every_quarter(cell: CellPeriod) -> RuleResult:
    """CR-03: at least N thematic meetings (a combined session counts) in each quarter."""
    return _windows(cell, cell.period.quarters_ending_within(), thematic=True)


def cr04_thematic_meetings_in_the_year(cell: CellPeriod) -> RuleResult:
    """CR-04: N thematic meetings a year, pro rata to date over the months the cell existed:
    as many as whole shares of the year have gone by (a quarter's worth after three months, so
    no month of a cell on its quarterly cadence fails)."""
    window = cell.period.year_to_date()
    covered = sum(1 for month in _months(window) if cell.covers(month))
    if covered == 0:
        return RuleResult(NOT_APPLICABLE, {"reason": "cell not in existence for a whole month"})
    per_year = cell.rulebook(window.end).parameters.thematic_meetings_per_year
    required = floor_share(per_year, covered, 12)
    if required == 0:
        return RuleResult(NOT_APPLICABLE, {
            "reason": "no thematic meeting due yet", "window": window.label,
            "per_year": per_year, "months_counted": covered})
    held = _held_in(cell.meetings, window, thematic=True)
    state = judge(len(held) >= required, window.end, cell.today)
    figures = {
        "window": window.label, "held": len(held), "required": required,
        "per_year": per_year, "months_counted": covered,
        "state": state,
    }
    return RuleResult(overall([state]), figures, cell.cite(held, "held"))


def _months(window: Window) -> list[Window]:
    return [month_window(window.end.year, m) for m in range(1, window.end.month + 1)]
