"""Attendance: CR-11 … CR-17 (the base, the rate, absences, runs, strike-off risk)."""

from __future__ import annotations

from datetime import date, timedelta
from functools import cached_property

from bench.province.truth.facts import Counted
from bench.province.truth.results import FAIL, NA, PASS, Expected, judge, overall, share
from bench.province.truth.scope import Scope


class Attendance(Scope):
    """CR-11 to CR-17 for one cell and period."""

    def cr11(self) -> Expected:
        states = []
        for m in self.meetings:
            allowed = self.rules(m.held_on)["final_documents_days_after"]
            states.append(judge(m.roll_call, m.held_on + timedelta(days=allowed), self.today))
        required = sum(m.required for m in self.calls)
        present = sum(m.present for m in self.calls)
        return Expected(overall(states), {
            "meetings": len(states), "with_roll_call": len(self.calls),
            "missing_roll_call": states.count(FAIL), "required": required, "present": present,
            "absent_excused": sum(m.absent_excused for m in self.calls),
            "absent_unexcused": sum(m.absent_unexcused for m in self.calls),
            "exempted_present": sum(m.exempted_present for m in self.calls),
            "rate": share(present, required),
        })

    def cr12(self) -> Expected:
        calls = [m for m in self.calls if m.required]
        required = sum(m.required for m in calls)
        present = sum(m.present for m in calls)
        figures = {"rate": share(present, required), "present": present, "required": required}
        if not calls:
            return Expected(NA, figures)
        threshold = self.rules(self.judged_on)["attendance_threshold"]
        return Expected(PASS if present / required >= threshold else FAIL, figures)

    def cr13(self) -> Expected:
        unexcused = sum(m.absent_unexcused for m in self.calls)
        if not self.calls:
            return Expected(NA, {"absent_unexcused": unexcused})
        allowed = self.rules(self.judged_on)["max_unexcused_absences"]
        return Expected(PASS if unexcused <= allowed else FAIL, {"absent_unexcused": unexcused})

    @cached_property
    def member_rows(self) -> dict[str, list[Counted]]:
        """Members with a counted entry in this cell this year, with all their counted rows."""
        first = date(self.period.year, 1, 1)
        rows = self.truth.facts.member_rows
        members = {m for day, m in self.truth.facts.cell_rows.get(self.cell_id, ())
                   if first <= day <= self.judged_on}
        return {m: [r for r in rows[m] if first <= r.held_on <= self.judged_on]
                for m in sorted(members)}

    def cr14(self) -> Expected:
        allowed = self.rules(self.judged_on)["max_consecutive_excused"]
        flagged = []
        for member, rows in self.member_rows.items():
            run = longest_excused_run(rows)
            if len(run) > allowed and run[-1].cell_id == self.cell_id:
                flagged.append(member)
        if not self.calls:
            return Expected(NA, {"members": flagged})
        return Expected(FAIL if flagged else PASS, {"members": flagged})

    def cr15(self) -> Expected:
        rules = self.rules(self.judged_on)
        alerts, warnings = [], []
        for member, rows in self.member_rows.items():
            unexcused = [r for r in rows if r.status == "absent_unexcused"]
            if not unexcused or latest(unexcused).cell_id != self.cell_id:
                continue
            months = len({(r.held_on.year, r.held_on.month) for r in unexcused})
            if months >= rules["strike_off_alert_months"]:
                alerts.append(member)
            elif months >= rules["strike_off_warning_months"]:
                warnings.append(member)
        figures = {"alerts": alerts, "warnings": warnings}
        if not self.calls:
            return Expected(NA, figures)
        return Expected(FAIL if alerts else PASS, figures)

    def cr17(self) -> Expected:
        figures = {"exempted_present": sum(m.exempted_present for m in self.calls),
                   "exempted_left_out_of_base": sum(m.exempted_in_base for m in self.calls)}
        if not self.calls:
            return Expected(NA, figures)
        return Expected(FAIL if figures["exempted_left_out_of_base"] else PASS, figures)


def longest_excused_run(rows: list[Counted]) -> list[Counted]:
    """The first longest run of consecutive counted meetings missed with a reason."""
    longest: list[Counted] = []
    current: list[Counted] = []
    for row in rows:
        if row.status == "absent_excused":
            current.append(row)
            continue
        if len(current) > len(longest):
            longest = current
        current = []
    return current if len(current) > len(longest) else longest


def latest(rows: list[Counted]) -> Counted:
    """The latest row by day (the first of that day in meeting-id order)."""
    last_day = max(r.held_on for r in rows)
    return next(r for r in rows if r.held_on == last_day)
