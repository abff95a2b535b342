"""Attendance: CR-11 rate on the required base, CR-12 threshold, CR-13 unexcused absences,
CR-14 consecutive excused absences, CR-15 strike-off risk, CR-17 exemptions never count."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import cached_property

from chibo_reporting.facts import Absence, CellPeriod, MeetingFact, MemberYear
from chibo_reporting.rulebooks import Parameters
from chibo_reporting.rules.results import (
    FAIL,
    NOT_APPLICABLE,
    PASS,
    PENDING,
    RuleResult,
    judge,
    overall,
    plus_days,
    share,
)


def _roll_calls(cell: CellPeriod) -> list[MeetingFact]:
    return [m for m in cell.period_meetings if m.roll_call]


def cr11_rate_on_required_base(cell: CellPeriod) -> RuleResult:
    """CR-11: every held meeting has its roll call; rate = present ÷ required base."""
    states = []
    for m in cell.period_meetings:
        assert m.held_on is not None
        allowed = cell.rulebook(m.held_on).parameters.final_documents_days_after
        states.append(judge(m.roll_call, plus_days(m.held_on, allowed), cell.today))
    calls = _roll_calls(cell)
    required = sum(m.required for m in calls)
    present = sum(m.present for m in calls)
    figures = {
        "meetings": len(states), "with_roll_call": len(calls),
        "missing_roll_call": states.count(FAIL), "pending": states.count(PENDING),
        "required": required, "present": present,
        "absent_excused": sum(m.absent_excused for m in calls),
        "absent_unexcused": sum(m.absent_unexcused for m in calls),
        "exempted_present": sum(m.exempted_present for m in calls),
        "rate": share(present, required),
    }
    return RuleResult(overall(states), figures, cell.cite(cell.period_meetings, "roll_call"))


def cr12_rate_at_threshold(cell: CellPeriod) -> RuleResult:
    """CR-12: the period's rate (Σ present ÷ Σ required) reaches the quality threshold."""
    calls = [m for m in _roll_calls(cell) if m.required]
    parameters = cell.rulebook(cell.judged_on).parameters
    required = sum(m.required for m in calls)
    present = sum(m.present for m in calls)
    rate = share(present, required)
    below = [
        m.meeting_id for m in calls
        if m.present / m.required < cell.rulebook(m.held_on or cell.judged_on)
        .parameters.attendance_threshold
    ]
    figures = {"rate": rate, "present": present, "required": required,
               "threshold": parameters.attendance_threshold, "kpi": parameters.attendance_kpi,
               "meetings_below_threshold": below}
    if not calls:
        return RuleResult(NOT_APPLICABLE, figures)
    met = present / required >= parameters.attendance_threshold
    return RuleResult(PASS if met else FAIL, figures, cell.cite(calls, "roll_call"))


def cr13_no_unexcused_absence(cell: CellPeriod) -> RuleResult:
    """CR-13: unexcused absences in the period stay within the allowed number (default 0)."""
    calls = _roll_calls(cell)
    allowed = cell.rulebook(cell.judged_on).parameters.max_unexcused_absences
    unexcused = sum(m.absent_unexcused for m in calls)
    figures = {
        "absent_unexcused": unexcused, "allowed": allowed,
        "meetings": [{"meeting_id": m.meeting_id, "held_on": str(m.held_on),
                      "absent_unexcused": m.absent_unexcused}
                     for m in calls if m.absent_unexcused],
    }
    if not calls:
        return RuleResult(NOT_APPLICABLE, figures)
    result = PASS if unexcused <= allowed else FAIL
    return RuleResult(result, figures, cell.cite(calls, "roll_call"))


class MemberFlags:
    """A member's CR-14 and CR-15 standing for a calendar year up to a day (CR-17: only counted
    absences). Each half is worked out when first read: CR-14 reads the excused runs, CR-15
    the unexcused absences, and a roll-up asks both of every member-year of every cell."""

    def __init__(self, year: MemberYear, until: date, parameters: Parameters) -> None:
        self.member_id = year.member_id
        self._year, self._until, self._parameters = year, until, parameters

    @cached_property
    def longest_excused_run(self) -> tuple[Absence, ...]:
        runs = [tuple(a for a in run if a.held_on <= self._until)
                for run in self._year.excused_runs]
        return max(runs, key=len, default=())

    @property
    def consecutive_excused(self) -> bool:
        return len(self.longest_excused_run) > self._parameters.max_consecutive_excused

    @property
    def run_cell_id(self) -> str | None:
        return self.longest_excused_run[-1].cell_id if self.longest_excused_run else None

    @cached_property
    def unexcused(self) -> tuple[Absence, ...]:
        return tuple(a for a in self._year.unexcused if a.held_on <= self._until)

    @cached_property
    def unexcused_months(self) -> tuple[str, ...]:
        return tuple(sorted({a.held_on.strftime("%Y-%m") for a in self.unexcused}))

    @property
    def strike_off(self) -> str | None:
        """The level reached: "alert", "warning" or None."""
        if len(self.unexcused_months) >= self._parameters.strike_off_alert_months:
            return "alert"
        if len(self.unexcused_months) >= self._parameters.strike_off_warning_months:
            return "warning"
        return None

    @property
    def unexcused_cell_id(self) -> str | None:
        if not self.unexcused:
            return None
        return max(self.unexcused, key=lambda a: a.held_on).cell_id

    @property
    def rule_ids(self) -> list[str]:
        flagged = ["CR-14"] if self.consecutive_excused else []
        return flagged + (["CR-15"] if self.strike_off == "alert" else [])


def member_flags(year: MemberYear, until: date, parameters: Parameters) -> MemberFlags:
    """CR-14 and CR-15 for one member over 1 January … `until`."""
    return MemberFlags(year, until, parameters)


def cell_member_flags(cell: CellPeriod) -> list[MemberFlags]:
    """The flags of members whose last counted absence (of the flagged kind) was in this cell."""
    parameters = cell.rulebook(cell.judged_on).parameters
    return [member_flags(year, cell.judged_on, parameters) for year in cell.member_years]


def cr14_consecutive_excused(cell: CellPeriod) -> RuleResult:
    """CR-14: no member absent with a reason more than N consecutive meetings in the year."""
    flagged = [f for f in cell_member_flags(cell)
               if f.consecutive_excused and f.run_cell_id == cell.cell_id]
    parameters = cell.rulebook(cell.judged_on).parameters
    figures = {
        "allowed_consecutive": parameters.max_consecutive_excused,
        "members": [{"member_id": f.member_id, "consecutive": len(f.longest_excused_run),
                     "meetings": [a.meeting_id for a in f.longest_excused_run]}
                    for f in flagged],
    }
    if not _roll_calls(cell):
        return RuleResult(NOT_APPLICABLE, figures)
    return RuleResult(FAIL if flagged else PASS, figures,
                      _roll_calls_of(cell, (a for f in flagged for a in f.longest_excused_run)))


def cr15_strike_off_risk(cell: CellPeriod) -> RuleResult:
    """CR-15: members who missed activities without a reason in N months of the year."""
    flags = [f for f in cell_member_flags(cell)
             if f.strike_off and f.unexcused_cell_id == cell.cell_id]
    parameters = cell.rulebook(cell.judged_on).parameters
    figures = {
        "alert_months": parameters.strike_off_alert_months,
        "warning_months": parameters.strike_off_warning_months,
        "alerts": [{"member_id": f.member_id, "months": list(f.unexcused_months)}
                   for f in flags if f.strike_off == "alert"],
        "warnings": [{"member_id": f.member_id, "months": list(f.unexcused_months)}
                     for f in flags if f.strike_off == "warning"],
    }
    if not _roll_calls(cell):
        return RuleResult(NOT_APPLICABLE, figures)
    return RuleResult(FAIL if figures["alerts"] else PASS, figures,
                      _roll_calls_of(cell, (a for f in flags for a in f.unexcused)))


def _roll_calls_of(cell: CellPeriod, absences: Iterable[Absence]) -> tuple[str, ...]:
    """The roll-call events of the absences' meetings held by this cell (a run can begin in a
    cell the member has since left; those roll calls are not cited here)."""
    wanted = {a.meeting_id for a in absences}
    return cell.cite((m for m in cell.meetings if m.meeting_id in wanted), "roll_call")


def cr17_exemptions_never_count(cell: CellPeriod) -> RuleResult:
    """CR-17: no roll call counts a member during a valid exemption in its required base.

    The figures of every other rule already leave such members out; a failure says that a roll
    call (e.g. recorded before a back-dated exemption) should be corrected.
    """
    calls = _roll_calls(cell)
    miscounted = [{"meeting_id": m.meeting_id, "held_on": str(m.held_on),
                   "exempted_counted": m.exempted_miscounted}
                  for m in calls if m.exempted_miscounted]
    figures = {"exempted_present": sum(m.exempted_present for m in calls),
               "exempted_left_out_of_base": sum(m.exempted_miscounted for m in calls),
               "roll_calls_to_correct": miscounted}
    if not calls:
        return RuleResult(NOT_APPLICABLE, figures)
    return RuleResult(FAIL if miscounted else PASS, figures,
                      cell.cite(calls, "roll_call", "exemptions"))
