"""Meeting cadence and conduct: CR-01 … CR-10."""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Any

from bench.province.truth.facts import Held
from bench.province.truth.periods import Window, month_window
from bench.province.truth.results import FAIL, NA, PASS, Expected, judge, overall
from bench.province.truth.scope import Scope


class Cadence(Scope):
    """CR-01 to CR-10 for one cell and period."""

    def windows(self, windows: list[Window], *, thematic: bool) -> Expected:
        states = []
        for window in windows:
            if not self.covers(window):
                continue
            held = [m for m in self.history if m.held_on in window
                    and (m.thematic if thematic else m.regular)]
            key = "thematic_meetings_per_quarter" if thematic else "regular_meetings_per_month"
            states.append(judge(len(held) >= self.rules(window.end)[key], window.end,
                                self.today))
        return Expected(overall(states), {"met": states.count(PASS),
                                          "failed": states.count(FAIL)})

    def cr02(self) -> Expected:
        states, on_day, with_reason = [], 0, 0
        for m in (m for m in self.meetings if m.regular):
            rules = self.rules(m.held_on)
            day = int(rules["prescribed_day_exceptions"].get(self.cell_id,
                                                             rules["prescribed_day"]))
            last = month_window(m.held_on.year, m.held_on.month).end.day
            prescribed = m.held_on.replace(day=min(day, last))
            if m.held_on == prescribed:
                on_day += 1
            elif m.reschedule_reason:
                with_reason += 1
            states.append(PASS if m.held_on == prescribed or m.reschedule_reason else FAIL)
        return Expected(overall(states), {"checked": len(states), "on_prescribed_day": on_day,
                                          "with_recorded_reason": with_reason})

    def cr04(self) -> Expected:
        year_start = date(self.period.year, 1, 1)
        months = [month_window(self.period.year, m) for m in range(1, self.period.end.month + 1)]
        covered = sum(1 for w in months if self.covers(w))
        if covered == 0:
            return Expected(NA)
        per_year = self.rules(self.period.end)["thematic_meetings_per_year"]
        required = math.floor(per_year * covered / 12 + 1e-9)  # whole shares gone by
        if required == 0:
            return Expected(NA)
        held = [m for m in self.history if year_start <= m.held_on <= self.period.end
                and m.thematic]
        state = judge(len(held) >= required, self.period.end, self.today)
        return Expected(overall([state]), {"held": len(held), "required": required,
                                           "months_counted": covered})

    def each(self, meetings: list[Held], check: Any) -> Expected:
        states = [check(m) for m in meetings]
        return Expected(overall(states), {"checked": len(states), "passed": states.count(PASS),
                                          "failed": states.count(FAIL)})

    def cr05(self, m: Held) -> str:
        return PASS if m.parts >= 2 and m.duration >= self.rules(m.held_on)[
            "combined_min_minutes"] else FAIL

    def cr06(self, m: Held) -> str:
        return PASS if m.duration >= self.rules(m.held_on)["regular_min_minutes"] else FAIL

    def cr07(self, m: Held) -> str:
        needed = self.rules(m.held_on)["documents_days_before"]
        ok = m.before_doc_on is not None and (m.held_on - m.before_doc_on).days >= needed
        return PASS if ok else FAIL

    def cr08(self, m: Held) -> str:
        needed = self.rules(m.held_on)["notice_days_before"]

        def in_time(sent: date | None) -> bool:
            return sent is not None and (m.held_on - sent).days >= needed

        late = [o for o in self.in_charge(m.held_on) if not in_time(m.overseers_notified.get(o))]
        return PASS if in_time(m.members_notified_on) and not late else FAIL

    def cr10(self, m: Held) -> str:
        deadline = m.held_on + timedelta(days=self.rules(m.held_on)["final_documents_days_after"])
        return judge(m.after_doc_on is not None and m.after_doc_on <= deadline, deadline,
                     self.today)
