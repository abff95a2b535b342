"""Meeting quality and the review list: CR-18 … CR-21 and CR-27."""

from __future__ import annotations

from datetime import timedelta

from bench.province.truth.facts import Held
from bench.province.truth.results import FAIL, GRADES, NA, PASS, Expected, judge, overall, share
from bench.province.truth.scope import Scope


class Quality(Scope):
    """CR-18 to CR-21 and CR-27 for one cell and period."""

    def cr18(self) -> Expected:
        counts = dict.fromkeys((*GRADES, "ungraded"), 0)
        states = []
        for m in self.meetings:
            counts[self.grade(m) or "ungraded"] += 1
            allowed = self.rules(m.held_on)["final_documents_days_after"]
            states.append(judge(m.score is not None, m.held_on + timedelta(days=allowed),
                                self.today))
        return Expected(overall(states), {"grades": counts, "ungraded_overdue": states.count(FAIL)})

    def cr19(self) -> Expected:
        states = []
        for m in self.meetings:
            if m.assessed_on is None:
                continue
            deadline = m.assessed_on + timedelta(
                days=self.rules(m.assessed_on)["grade_confirmation_days"])
            on_time = m.confirmed_on is not None and m.confirmed_on <= deadline
            states.append(judge(on_time, deadline, self.today))
        return Expected(overall(states), {"assessed": len(states),
                                          "confirmed_in_time": states.count(PASS)})

    def cr20(self) -> Expected:
        chosen: dict[str, Held] = {}
        for meeting in self.meetings:
            earlier = [p for p in self.history if p.held_on < meeting.held_on and p.tasks > 0]
            if earlier:
                chosen[earlier[-1].id] = earlier[-1]
        done = sum(m.tasks_done for m in chosen.values())
        base = sum(m.live_tasks for m in chosen.values())
        figures = {"done": done, "tasks": base, "share": share(done, base)}
        if not base:
            return Expected(NA, figures)
        bands = self.rules(self.judged_on)["follow_through_bands"]
        return Expected(PASS if any(done / base >= b for b in bands) else FAIL, figures)

    def cr21(self) -> Expected:
        adopted = [m for m in self.meetings if m.resolution]
        if not adopted:
            return Expected(NA, {"resolutions": []})
        states = [PASS if m.voting_base > 0 and m.votes_for > self.rules(m.held_on)[
            "resolution_majority"] * m.voting_base else FAIL for m in adopted]
        return Expected(overall(states), {"resolutions": [m.id for m in adopted]})

    def cr27(self, results: dict[str, Expected]) -> Expected:
        """A candidate for failing a watched rule or for its grades; the status of its latest
        case for the period (`candidate` without one)."""
        watched = self.rules(self.judged_on)["review_rules"]
        rules = [r for r in watched if r in results and results[r].result == FAIL]
        if self.grade_reasons() and "CR-18" not in rules:
            rules.append("CR-18")
        cases = sorted((r for r in self.truth.plan.reviews
                        if r.cell_id == self.cell_id and r.period == self.period.label),
                       key=lambda r: (r.reminded_on, r.id))
        status = cases[-1].status if cases else ("candidate" if rules else None)
        return Expected(FAIL if rules else PASS, {"rules": sorted(rules), "status": status})

    def grade_reasons(self) -> list[str]:
        reasons = [m.id for m in self.meetings if self.grade(m) == "weak"]
        needed = self.rules(self.judged_on)["review_average_streak"]
        streak = 0
        for m in self.history:
            if m.held_on > self.period.end or m.score is None:
                continue
            streak = streak + 1 if self.grade(m) == "average" else 0
            if needed and streak >= needed and m.held_on in self.period:
                reasons.append(m.id)
        return reasons
