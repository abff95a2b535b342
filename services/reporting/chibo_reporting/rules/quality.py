"""Meeting quality: CR-18 score and grade, CR-19 confirmation, CR-20 follow-through, CR-21 vote."""

from __future__ import annotations

from typing import Any

from chibo_reporting.facts import CellPeriod, MeetingFact
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

GRADES = ("good", "fair", "average", "weak")


def grade_of(cell: CellPeriod, meeting: MeetingFact) -> str | None:
    """The meeting's grade on the bands of the rulebook in force on its day."""
    assert meeting.held_on is not None
    return cell.rulebook(meeting.held_on).parameters.grade(meeting.score)


def grade_counts(cell: CellPeriod) -> dict[str, int]:
    counts = dict.fromkeys((*GRADES, "ungraded"), 0)
    for meeting in cell.period_meetings:
        counts[grade_of(cell, meeting) or "ungraded"] += 1
    return counts


def cr18_quality_grade(cell: CellPeriod) -> RuleResult:
    """CR-18: every held meeting has a quality score, graded on the rulebook's bands."""
    states, scores = [], []
    for m in cell.period_meetings:
        assert m.held_on is not None
        allowed = cell.rulebook(m.held_on).parameters.final_documents_days_after
        states.append(judge(m.score is not None, plus_days(m.held_on, allowed), cell.today))
        scores.append({"meeting_id": m.meeting_id, "score": m.score, "grade": grade_of(cell, m),
                       "confirmed": m.confirmed_score is not None,
                       "recorded_grade": m.recorded_grade})
    figures = {"grades": grade_counts(cell), "ungraded_overdue": states.count(FAIL),
               "meetings": scores}
    return RuleResult(overall(states), figures,
                      cell.cite(cell.period_meetings, "assessment", "confirmation"))


def cr19_grade_confirmed(cell: CellPeriod) -> RuleResult:
    """CR-19: the superior committee confirms a self-assessed grade within N days of it."""
    states, late = [], []
    assessed = [m for m in cell.period_meetings if m.assessed_on is not None]
    for m in assessed:
        assert m.assessed_on is not None
        allowed = cell.rulebook(m.assessed_on).parameters.grade_confirmation_days
        deadline = plus_days(m.assessed_on, allowed)
        on_time = m.confirmed_on is not None and m.confirmed_on <= deadline
        state = judge(on_time, deadline, cell.today)
        states.append(state)
        if state != PASS:
            late.append({"meeting_id": m.meeting_id, "assessed_on": str(m.assessed_on),
                         "confirmed_on": str(m.confirmed_on) if m.confirmed_on else None,
                         "allowed_days": allowed, "state": state})
    figures = {"assessed": len(assessed), "confirmed_in_time": states.count(PASS),
               "pending": states.count(PENDING), "exceptions": late}
    return RuleResult(overall(states), figures,
                      cell.cite(assessed, "assessment", "confirmation"))


def _previous_resolutions(cell: CellPeriod) -> list[MeetingFact]:
    """For each meeting of the period, the cell's latest earlier meeting that set tasks."""
    history = sorted(
        {m.meeting_id: m for m in (*cell.earlier, *cell.meetings) if m.held_on}.values(),
        key=lambda m: (m.held_on, m.meeting_id),
    )
    chosen: dict[str, MeetingFact] = {}
    for meeting in cell.period_meetings:
        assert meeting.held_on is not None
        # The previous resolution that set tasks, even if all were dropped since: then there
        # is nothing to measure, rather than an older resolution to fall back on.
        earlier = [p for p in history if p.held_on and p.held_on < meeting.held_on
                   and p.tasks_total > 0]
        if earlier:
            chosen[earlier[-1].meeting_id] = earlier[-1]
    return list(chosen.values())


def cr20_follow_through(cell: CellPeriod) -> RuleResult:
    """CR-20: share of the previous resolution's tasks done, banded (90/80/70/60/50 %)."""
    resolutions = _previous_resolutions(cell)
    done = sum(m.tasks_done for m in resolutions)
    base = sum(m.tasks_total - m.tasks_dropped for m in resolutions)
    bands = cell.rulebook(cell.judged_on).parameters.follow_through_bands
    rate = share(done, base)
    figures: dict[str, Any] = {
        "resolutions": [{"meeting_id": m.meeting_id, "held_on": str(m.held_on),
                         "tasks": m.tasks_total - m.tasks_dropped, "done": m.tasks_done}
                        for m in resolutions],
        "done": done, "tasks": base, "share": rate, "bands": list(bands),
    }
    if not base:
        return RuleResult(NOT_APPLICABLE, figures)
    reached = [b for b in bands if done / base >= b]
    figures["band"] = max(reached) if reached else None
    return RuleResult(PASS if reached else FAIL, figures,
                      cell.cite(resolutions, "resolution", "tasks"))


def cr21_majority_vote(cell: CellPeriod) -> RuleResult:
    """CR-21: a resolution is adopted only with more than half of the voting base in favour."""
    adopted = [m for m in cell.period_meetings if m.resolution]
    states, checked = [], []
    for m in adopted:
        assert m.held_on is not None
        majority = cell.rulebook(m.held_on).parameters.resolution_majority
        ok = m.voting_base > 0 and m.votes_for > majority * m.voting_base
        states.append(PASS if ok else FAIL)
        checked.append({"meeting_id": m.meeting_id, "votes_for": m.votes_for,
                        "voting_base": m.voting_base, "share": share(m.votes_for, m.voting_base),
                        "majority": majority, "state": states[-1]})
    if not adopted:
        return RuleResult(NOT_APPLICABLE, {"resolutions": []})
    return RuleResult(overall(states), {"resolutions": checked},
                      cell.cite(adopted, "resolution"))
