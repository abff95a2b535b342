"""The HTTP requests (API.md) that write a plan: one (method, path, body, key) per write."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bench.province.generator.rubrics import grade_for
from bench.province.plan import (
    Assignment,
    Meeting,
    Member,
    MemberChange,
    Review,
    Rulebook,
    Unit,
    UnitChange,
    Visit,
)


@dataclass(frozen=True)
class Write:
    method: str
    path: str
    body: dict[str, Any]
    key: str  # Idempotency-Key: a retried write is answered, not repeated

    @property
    def source(self) -> str:
        return SOURCES[self.path.split("/")[1].partition("?")[0]]


SOURCES = {"org-units": "members", "members": "members", "meetings": "meetings",
           "assignments": "oversight", "visits": "oversight", "reviews": "oversight",
           "rulebooks": "reporting"}


def _day(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _moment(moment: datetime) -> str:
    return moment.isoformat()


def create_unit(unit: Unit) -> Write:
    return Write("POST", "/org-units", {
        "id": unit.id, "code": unit.code, "name": unit.name, "kind": unit.kind,
        "parent_id": unit.parent_id, "effective_from": _day(unit.created_on),
    }, f"unit:{unit.id}")


def change_unit(change: UnitChange) -> Write:
    path = f"/org-units/{change.unit_id}/{change.action}"
    body: dict[str, Any] = {"effective_from": _day(change.on)}
    if change.action == "rename":
        body["name"] = change.name
    elif change.action == "move":
        body["parent_id"] = change.parent_id
    elif change.action == "merge":
        body["into_id"] = change.into_id
    else:
        body["reason"] = change.reason
    return Write("POST", path, body, f"unit:{change.unit_id}:{change.action}:{change.on}")


def register(member: Member) -> Write:
    return Write("POST", "/members", {
        "id": member.id, "code": member.code, "full_name": member.full_name,
        "birth_date": _day(member.birth_date), "gender": member.gender,
        "cell_id": member.cell_id, "status": member.status,
        "admitted_on": _day(member.admitted_on),
    }, f"member:{member.id}")


def change_member(change: MemberChange) -> Write:
    base = f"/members/{change.member_id}"
    key = f"member:{change.member_id}:{change.action}:{change.item_id or change.on}"
    on = _day(change.on)
    match change.action:
        case "transfer":
            return Write("POST", f"{base}/transfer", {"cell_id": change.cell_id,
                                                     "effective_from": on}, key)
        case "confirm_full":
            return Write("POST", f"{base}/confirm-full", {"effective_from": on}, key)
        case "exempt":
            return Write("POST", f"{base}/exemptions", {
                "id": change.item_id, "from": _day(change.from_), "to": _day(change.to),
                "reason": change.reason, "decision_ref": change.ref}, key)
        case "end_exemption":
            return Write("POST", f"{base}/exemptions/end", {"on": on,
                                                            "exemption_id": change.item_id}, key)
        case "attach":
            return Write("POST", f"{base}/attachments", {
                "id": change.item_id, "cell_id": change.cell_id, "from": _day(change.from_),
                "to": _day(change.to)}, key)
        case "position":
            return Write("POST", f"{base}/positions", {
                "id": change.item_id, "unit_id": change.unit_id, "position": change.position,
                "from": _day(change.from_), "to": _day(change.to)}, key)
        case "end_position":
            return Write("POST", f"{base}/positions/{change.item_id}/end", {"on": on}, key)
        case "leave":
            return Write("POST", f"{base}/leave", {"reason": change.reason,
                                                  "effective_from": on}, key)
    raise ValueError(f"unknown member change {change.action}")


def meeting_writes(meeting: Meeting) -> Iterator[Write]:
    """A meeting's writes in the order they happen (the correction last, days later)."""
    base, key = f"/meetings/{meeting.id}", f"meeting:{meeting.id}"
    yield Write("POST", "/meetings", {
        "id": meeting.id, "cell_id": meeting.cell_id, "kind": meeting.kind,
        "scheduled_for": _moment(meeting.scheduled_for), "place": meeting.place,
        "topic": meeting.topic, "agenda": list(meeting.agenda)}, f"{key}:schedule")
    if meeting.rescheduled_to is not None:
        yield Write("POST", f"{base}/reschedule", {
            "scheduled_for": _moment(meeting.rescheduled_to),
            "reason": meeting.reschedule_reason}, f"{key}:reschedule")
    for number, notice in enumerate(meeting.notices):
        yield Write("POST", f"{base}/notices", {
            "sent_at": _moment(notice.sent_at), "to_members": notice.to_members,
            "to_overseer_ids": list(notice.to_overseer_ids)}, f"{key}:notice:{number}")
    for document in (d for d in meeting.documents if d.phase == "before"):
        yield _document(base, document)
    if meeting.cancel_reason is not None:
        yield Write("POST", f"{base}/cancel", {"reason": meeting.cancel_reason}, f"{key}:cancel")
        return
    if not meeting.held:
        return
    assert meeting.started_at is not None and meeting.ended_at is not None
    yield Write("POST", f"{base}/held", {
        "started_at": _moment(meeting.started_at), "ended_at": _moment(meeting.ended_at),
        "place": meeting.place, "chair_id": meeting.chair_id,
        "minute_taker_id": meeting.minute_taker_id}, f"{key}:held")
    if meeting.entries is not None:
        yield Write("PUT", f"{base}/roll-call", _roll(meeting, meeting.entries), f"{key}:roll")
    if meeting.resolution_text is not None:
        votes_for, against, abstain = meeting.votes
        yield Write("POST", f"{base}/resolution", {
            "text": meeting.resolution_text, "votes_for": votes_for, "votes_against": against,
            "votes_abstain": abstain,
            "tasks": [{"id": t.id, "description": t.description, "owner_id": t.owner_id,
                       "due_on": _day(t.due_on)} for t in meeting.tasks]}, f"{key}:resolution")
    for document in (d for d in meeting.documents if d.phase == "after"):
        yield _document(base, document)
    for report in meeting.task_reports:
        yield Write("POST", f"{base}/task-reports", {"task_id": report.task_id,
                                                     "status": report.status},
                    f"{key}:task:{report.task_id}")
    if meeting.scores is not None:
        total = meeting.self_total
        assert total is not None
        yield Write("POST", f"{base}/assessment", {
            "rubric": meeting.rubric, "scores": meeting.scores, "total": total,
            "grade": grade_for(total), "assessed_on": _day(meeting.assessed_on)},
            f"{key}:assessment")
        if meeting.confirmed_total is not None:
            yield Write("POST", f"{base}/assessment/confirm", {
                "total": meeting.confirmed_total, "grade": grade_for(meeting.confirmed_total),
                "confirmed_on": _day(meeting.confirmed_on)}, f"{key}:confirm")
    if meeting.correction is not None:
        body = _roll(meeting, meeting.correction) | {"reason": meeting.correction_reason}
        yield Write("PUT", f"{base}/roll-call", body, f"{key}:correction")


def _roll(meeting: Meeting, entries: tuple[Any, ...]) -> dict[str, Any]:
    return {
        "entries": [{"member_id": e.member_id, "status": e.status, "reason": e.reason}
                    for e in entries],
        "guests": [{"member_id": m, "role": role} for m, role in meeting.guests],
    }


def _document(base: str, document: Any) -> Write:
    return Write("POST", f"{base}/documents", {
        "id": document.id, "phase": document.phase, "title": document.title,
        "posted_at": _moment(document.posted_at)}, f"document:{document.id}")


def assign(assignment: Assignment) -> Write:
    return Write("POST", "/assignments", {
        "id": assignment.id, "overseer_id": assignment.overseer_id,
        "unit_id": assignment.unit_id, "position_basis": assignment.position_basis,
        "from": _day(assignment.from_), "to": _day(assignment.to)},
        f"assignment:{assignment.id}")


def end_assignment(assignment: Assignment) -> Write:
    return Write("POST", f"/assignments/{assignment.id}/end", {"on": _day(assignment.ended_on)},
                 f"assignment:{assignment.id}:end")


def visit(made: Visit) -> Write:
    return Write("POST", "/visits", {
        "id": made.id, "overseer_id": made.overseer_id, "cell_id": made.cell_id,
        "meeting_id": made.meeting_id, "visited_on": _day(made.visited_on),
        "comments": made.comments, "issues": [made.issues] if made.issues else [],
        "follow_ups": [made.follow_ups] if made.follow_ups else []}, f"visit:{made.id}")


def review_writes(review: Review) -> Iterator[Write]:
    key = f"review:{review.id}"
    yield Write("POST", "/reviews", {
        "id": review.id, "cell_id": review.cell_id, "period": review.period,
        "rule_ids": list(review.rule_ids), "reminded_on": _day(review.reminded_on),
        "note": "Đề nghị chi bộ giải trình và khắc phục"}, f"{key}:open")
    if review.explained_on is not None:
        yield Write("POST", f"/reviews/{review.id}/explanation", {
            "text": "Chi bộ đã kiểm điểm, rút kinh nghiệm",
            "received_on": _day(review.explained_on)}, f"{key}:explanation")
    if review.closed_on is not None:
        yield Write("POST", f"/reviews/{review.id}/close", {
            "outcome": review.outcome, "closed_on": _day(review.closed_on)}, f"{key}:close")


def publish(rulebook: Rulebook, wait_for: str | None = None) -> Write:
    """The rulebook, published once reporting has applied `wait_for` (`<source>:<position>`:
    its unit must be known to reporting)."""
    query = f"?wait_for={wait_for}" if wait_for else ""
    return Write("POST", f"/rulebooks{query}", {
        "id": rulebook.id, "unit_id": rulebook.unit_id,
        "effective_from": _day(rulebook.effective_from), "parameters": rulebook.parameters,
        "name": rulebook.name}, f"rulebook:{rulebook.id}")
