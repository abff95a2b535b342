"""meetings.events of a plan, with the figures the meetings service adds to a roll call."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from bench.province.events.base import Event
from bench.province.generator.rubrics import grade_for
from bench.province.plan import VIETNAM, Meeting, Plan
from bench.province.world import World

RUBRIC_MAX = 100.0


def meeting_events(plan: Plan, world: World | None = None) -> Iterator[Event]:
    """The meetings of every cell in the order of their days, as the meetings service's log
    grows (each meeting's life at once), with the figures the service computes."""
    known = world or World(plan, include_late=False)
    tasks: dict[str, tuple[str, date]] = {}
    for meeting in sorted(plan.meetings, key=lambda m: m.meeting_day):
        yield from _meeting(meeting, known, tasks)


def _meeting(meeting: Meeting, known: World, tasks: dict[str, tuple[str, date]]) -> Iterator[
        Event]:
    yield from _planning(meeting)
    if meeting.cancel_reason is None and meeting.started_at is not None:
        yield from _held(meeting, known, tasks)
        yield from _graded(meeting)


def _planning(meeting: Meeting) -> Iterator[Event]:
    base = {"meeting_id": meeting.id, "cell_id": meeting.cell_id}
    kind = {"kind": meeting.kind}
    planned = meeting.scheduled_for.date()
    yield _e(meeting, "MeetingScheduled", base | kind | {
        "scheduled_for": meeting.scheduled_for, "scheduled_on": planned,
        "place": meeting.place, "topic": meeting.topic, "agenda": list(meeting.agenda)})
    if meeting.rescheduled_to is not None:
        yield _e(meeting, "MeetingRescheduled", base | kind | {
            "scheduled_for": meeting.rescheduled_to,
            "scheduled_on": meeting.rescheduled_to.date(), "previous_scheduled_on": planned,
            "reason": meeting.reschedule_reason})
    day = meeting.meeting_day
    for number, notice in enumerate(meeting.notices):
        yield _e(meeting, "MeetingNoticeSent", base | {
            "notice_id": f"{meeting.id}-n{number}", "scheduled_on": day,
            "sent_at": notice.sent_at, "to_members": notice.to_members,
            "to_overseer_ids": list(notice.to_overseer_ids)})
    for document in (d for d in meeting.documents if d.phase == "before"):
        yield _document(meeting, document)
    if meeting.cancel_reason is not None:
        yield _e(meeting, "MeetingCancelled", base | kind | {
            "scheduled_on": day, "reason": meeting.cancel_reason,
            "cancelled_at": meeting.scheduled_for - timedelta(days=1)})


def _held(meeting: Meeting, known: World, tasks: dict[str, tuple[str, date]]) -> Iterator[
        Event]:
    """Held, roll call, resolution, minutes, task reports and a later correction."""
    assert meeting.started_at is not None and meeting.ended_at is not None
    base = {"meeting_id": meeting.id, "cell_id": meeting.cell_id}
    kind = {"kind": meeting.kind}
    held_on = meeting.started_at.astimezone(VIETNAM).date()
    yield _e(meeting, "MeetingHeld", base | kind | {
        "topic": meeting.topic, "scheduled_on": meeting.meeting_day, "held_on": held_on,
        "started_at": meeting.started_at, "ended_at": meeting.ended_at,
        "duration_minutes": meeting.duration_minutes, "place": meeting.place,
        "chair_id": meeting.chair_id, "minute_taker_id": meeting.minute_taker_id})
    roll = known.roll(meeting.cell_id, held_on)
    guests = [{"member_id": m, "role": r} for m, r in meeting.guests]
    voting_base = 0
    if meeting.entries is not None:
        figures = _figures(meeting.entries, roll)
        voting_base = figures["voting_base"]
        yield _e(meeting, "AttendanceRecorded", base | kind | {
            "held_on": held_on, "entries": _entries(meeting.entries), "guests": guests}
            | figures)
    if meeting.resolution_text is not None:
        votes_for, against, abstain = meeting.votes
        for task in meeting.tasks:
            tasks[task.id] = (meeting.id, task.due_on)
        yield _e(meeting, "ResolutionAdopted", base | kind | {
            "held_on": held_on, "text": meeting.resolution_text, "votes_for": votes_for,
            "votes_against": against, "votes_abstain": abstain, "voting_base": voting_base,
            "tasks": [{"task_id": t.id, "description": t.description, "owner_id": t.owner_id,
                       "due_on": t.due_on} for t in meeting.tasks]})
    for document in (d for d in meeting.documents if d.phase == "after"):
        yield _document(meeting, document)
    for report in meeting.task_reports:
        origin, due = tasks[report.task_id]
        yield _e(meeting, "TaskProgressReported", base | {
            "held_on": held_on, "task_id": report.task_id, "resolution_meeting_id": origin,
            "due_on": due, "status": report.status, "note": report.note})
    if meeting.correction is not None:
        yield _e(meeting, "AttendanceCorrected", base | kind | {
            "held_on": held_on, "entries": _entries(meeting.correction), "guests": guests,
            "reason": meeting.correction_reason, "correction": 1}
            | _figures(meeting.correction, roll))


def _graded(meeting: Meeting) -> Iterator[Event]:
    if meeting.scores is None or meeting.self_total is None or meeting.held_on is None:
        return
    base = {"meeting_id": meeting.id, "cell_id": meeting.cell_id, "kind": meeting.kind,
            "held_on": meeting.held_on, "rubric": meeting.rubric}
    own = meeting.self_total
    yield _e(meeting, "MeetingSelfAssessed", base | {
        "scores": meeting.scores, "total": own, "max_total": RUBRIC_MAX, "grade": grade_for(own),
        "assessed_on": meeting.assessed_on})
    if meeting.confirmed_total is not None:
        yield _e(meeting, "MeetingGradeConfirmed", base | {
            "total": meeting.confirmed_total, "grade": grade_for(meeting.confirmed_total),
            "self_total": own, "self_grade": grade_for(own),
            "confirmed_on": meeting.confirmed_on})


def _e(meeting: Meeting, name: str, data: dict[str, Any]) -> Event:
    return Event("meetings", meeting.id, name, data)


def _document(meeting: Meeting, document: Any) -> Event:
    return _e(meeting, "MeetingDocumentPosted", {
        "meeting_id": meeting.id, "cell_id": meeting.cell_id, "document_id": document.id,
        "phase": document.phase, "title": document.title, "posted_at": document.posted_at,
        "uri": None})


def _entries(entries: Any) -> list[dict[str, Any]]:
    return [{"member_id": e.member_id, "status": e.status, "reason": e.reason} for e in entries]


def _figures(entries: Any, roll: Any) -> dict[str, Any]:
    """What the meetings service states with a roll call (its check_roll_call figures)."""
    status = {e.member_id: e.status for e in entries}
    counted = {s: sum(1 for m in roll.required if status.get(m) == s)
               for s in ("present", "absent_excused", "absent_unexcused")}
    exempted_present = sorted(m for m in roll.exempted if status.get(m) == "present")
    voting = sorted(m for m, s in status.items() if s == "present" and m in roll.voters)
    required = len(roll.required)
    present = counted["present"] + len(exempted_present)  # exempted who come count (DOMAIN §5)
    return {
        "required": required, "present": present,
        "absent_excused": counted["absent_excused"],
        "absent_unexcused": counted["absent_unexcused"],
        "exempted_present": len(exempted_present),
        "attendance_rate": round(present / required, 4) if required else None,
        "required_member_ids": sorted(roll.required),
        "attached_member_ids": sorted(roll.attached & roll.required),
        "exempted_member_ids": sorted(roll.exempted),
        "exempted_present_member_ids": exempted_present,
        "voting_member_ids": voting, "voting_base": len(voting),
    }
