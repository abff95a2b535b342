"""How meetings are held: CR-05 combined sessions, CR-06 length, CR-07/08 before, CR-10 after."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from chibo_reporting.facts import CellPeriod, MeetingFact
from chibo_reporting.rules.results import (
    FAIL,
    PASS,
    PENDING,
    RuleResult,
    days_between,
    judge,
    overall,
    plus_days,
)

Check = Callable[[MeetingFact], tuple[str, dict[str, Any]]]


def _each(cell: CellPeriod, meetings: Iterable[MeetingFact], check: Check,
          *roles: str) -> RuleResult:
    """Judge every meeting; figures count them and list the ones that did not pass."""
    checked = [m for m in meetings if m.held_on is not None]
    states, exceptions = [], []
    for meeting in checked:
        state, detail = check(meeting)
        states.append(state)
        if state != PASS:
            exceptions.append({"meeting_id": meeting.meeting_id,
                               "held_on": str(meeting.held_on), "state": state, **detail})
    figures = {"checked": len(checked), "passed": states.count(PASS),
               "failed": states.count(FAIL), "pending": states.count(PENDING),
               "exceptions": exceptions}
    return RuleResult(overall(states), figures, cell.cite(checked, "held", *roles))


def cr05_combined_session(cell: CellPeriod) -> RuleResult:
    """CR-05: a combined regular + thematic session has two parts and lasts the minimum."""
    def check(m: MeetingFact) -> tuple[str, dict[str, Any]]:
        assert m.held_on is not None
        minimum = cell.rulebook(m.held_on).parameters.combined_min_minutes
        long_enough = m.duration_minutes is not None and m.duration_minutes >= minimum
        ok = m.parts >= 2 and long_enough
        return (PASS if ok else FAIL), {"parts": m.parts, "duration_minutes": m.duration_minutes,
                                        "min_minutes": minimum}

    combined = [m for m in cell.period_meetings if m.kind == "combined"]
    return _each(cell, combined, check)


def cr06_meeting_length(cell: CellPeriod) -> RuleResult:
    """CR-06: a regular meeting (or combined session) lasts at least the regular minimum."""
    def check(m: MeetingFact) -> tuple[str, dict[str, Any]]:
        assert m.held_on is not None
        minimum = cell.rulebook(m.held_on).parameters.regular_min_minutes
        ok = m.duration_minutes is not None and m.duration_minutes >= minimum
        return (PASS if ok else FAIL), {"duration_minutes": m.duration_minutes,
                                        "min_minutes": minimum}

    return _each(cell, [m for m in cell.period_meetings if m.regular], check)


def cr07_documents_before(cell: CellPeriod) -> RuleResult:
    """CR-07: preparation documents posted at least N days before the meeting day."""
    def check(m: MeetingFact) -> tuple[str, dict[str, Any]]:
        assert m.held_on is not None
        needed = cell.rulebook(m.held_on).parameters.documents_days_before
        lead = days_between(m.before_doc_on, m.held_on) if m.before_doc_on else None
        ok = lead is not None and lead >= needed
        return (PASS if ok else FAIL), {"days_before": lead, "required_days": needed}

    return _each(cell, cell.period_meetings, check, "documents_before")


def cr08_notices_before(cell: CellPeriod) -> RuleResult:
    """CR-08: members and every overseer in charge that day notified N days before."""
    def check(m: MeetingFact) -> tuple[str, dict[str, Any]]:
        assert m.held_on is not None
        held_on = m.held_on
        needed = cell.rulebook(held_on).parameters.notice_days_before

        def in_time(sent: Any) -> bool:
            return sent is not None and days_between(sent, held_on) >= needed

        overseers = sorted({a.overseer_id for a in cell.assignments if a.on(held_on)})
        late = [o for o in overseers if not in_time(m.overseers_notified.get(o))]
        ok = in_time(m.members_notified_on) and not late
        return (PASS if ok else FAIL), {
            "members_notified_on": str(m.members_notified_on) if m.members_notified_on else None,
            "overseers_in_charge": overseers, "overseers_not_notified_in_time": late,
            "required_days": needed,
        }

    return _each(cell, cell.period_meetings, check, "notices")


def cr10_documents_after(cell: CellPeriod) -> RuleResult:
    """CR-10: the final resolution and minutes posted within N calendar days after the meeting."""
    def check(m: MeetingFact) -> tuple[str, dict[str, Any]]:
        assert m.held_on is not None
        allowed = cell.rulebook(m.held_on).parameters.final_documents_days_after
        deadline = plus_days(m.held_on, allowed)
        ok = m.after_doc_on is not None and m.after_doc_on <= deadline
        lag = days_between(m.held_on, m.after_doc_on) if m.after_doc_on else None
        return judge(ok, deadline, cell.today), {"days_after": lag, "allowed_days": allowed}

    return _each(cell, cell.period_meetings, check, "documents_after")
