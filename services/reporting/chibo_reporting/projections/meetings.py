"""meetings.events → one row per meeting with its figures, roll calls and resolution tasks.

Every meetings event names its meeting and cell, so each one also (re)states both. Dates of
notices and documents are taken in the offset they were recorded in.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from chibo_contracts import Envelope
from chibo_reporting.projections.batch import Batch, Patch, Row

Handler = Callable[[Batch, Row, Envelope], None]


def _meeting(batch: Batch, data: Row) -> Patch:
    patch = batch.patch("meetings", data["meeting_id"])
    patch.set["cell_id"] = data["cell_id"]
    if "kind" in data:
        patch.set["kind"] = data["kind"]
    return patch


def scheduled(batch: Batch, data: Row, envelope: Envelope) -> None:
    patch = _meeting(batch, data)
    patch.set |= {"status": "scheduled", "scheduled_on": data["scheduled_on"],
                  "topic": data.get("topic")}
    patch.cite("scheduled", envelope.id)


def rescheduled(batch: Batch, data: Row, envelope: Envelope) -> None:
    patch = _meeting(batch, data)
    patch.set |= {"scheduled_on": data["scheduled_on"], "reschedule_reason": data["reason"]}
    patch.add["reschedules"] = patch.add.get("reschedules", 0) + 1
    patch.cite("rescheduled", envelope.id)


def cancelled(batch: Batch, data: Row, envelope: Envelope) -> None:
    patch = _meeting(batch, data)
    cancelled_at: datetime = data["cancelled_at"]
    patch.set |= {"status": "cancelled", "cancelled_on": cancelled_at.date(),
                  "cancel_reason": data["reason"]}
    patch.cite("cancelled", envelope.id)


def notice_sent(batch: Batch, data: Row, envelope: Envelope) -> None:
    patch = _meeting(batch, data)
    day = data["sent_at"].date()
    if data["to_members"]:
        patch.keep_earliest("members_notified_on", day)
    for overseer in data["to_overseer_ids"]:
        patch.keep_earliest_by_key("overseer_notices", overseer, day)
    patch.cite("notices", envelope.id)


def document_posted(batch: Batch, data: Row, envelope: Envelope) -> None:
    patch = _meeting(batch, data)
    phase = data["phase"]
    patch.keep_earliest(f"{phase}_doc_on", data["posted_at"].date())
    patch.cite(f"documents_{phase}", envelope.id)


def held(batch: Batch, data: Row, envelope: Envelope) -> None:
    patch = _meeting(batch, data)
    patch.set |= {
        "status": "held", "held_on": data["held_on"], "scheduled_on": data["scheduled_on"],
        "started_at": data["started_at"].isoformat(), "ended_at": data["ended_at"].isoformat(),
        "duration_minutes": data["duration_minutes"], "place": data["place"],
    }
    if data.get("topic"):
        patch.set["topic"] = data["topic"]
    patch.cite("held", envelope.id)


def roll_call(batch: Batch, data: Row, envelope: Envelope) -> None:
    """The latest roll call (first record or correction) replaces the meeting's entries."""
    patch = _meeting(batch, data)
    patch.set |= {
        "roll_call": True, "corrections": data.get("correction", 0), "held_on": data["held_on"],
        "recorded_required": data["required"], "recorded_present": data["present"],
        "recorded_absent_excused": data["absent_excused"],
        "recorded_absent_unexcused": data["absent_unexcused"],
        "recorded_exempted_present": data["exempted_present"],
    }
    patch.cite("roll_call", envelope.id)
    batch.roll_calls[data["meeting_id"]] = (data, envelope.id)


def resolution_adopted(batch: Batch, data: Row, envelope: Envelope) -> None:
    patch = _meeting(batch, data)
    patch.set |= {
        "resolution": True, "votes_for": data["votes_for"],
        "votes_against": data["votes_against"], "votes_abstain": data["votes_abstain"],
        "voting_base": data["voting_base"], "tasks_total": len(data["tasks"]),
    }
    patch.cite("resolution", envelope.id)
    for task in data["tasks"]:
        adopted = batch.patch("tasks", task["task_id"])
        adopted.set |= {"meeting_id": data["meeting_id"], "cell_id": data["cell_id"],
                        "owner_id": task["owner_id"], "due_on": task["due_on"],
                        "adopted_event_id": envelope.id}
    batch.touched_resolutions.add(data["meeting_id"])


def task_progress(batch: Batch, data: Row, envelope: Envelope) -> None:
    """The status reported at the latest meeting (then the latest event) is the task's status."""
    task = batch.patch("tasks", data["task_id"])
    task.set |= {"meeting_id": data["resolution_meeting_id"], "cell_id": data["cell_id"],
                 "due_on": data["due_on"]}
    order = (data["held_on"], envelope.position or 0)
    task.keep_newest("status", order, {
        "status": data["status"], "status_held_on": data["held_on"],
        "status_position": envelope.position or 0, "reported_meeting_id": data["meeting_id"],
        "status_event_id": envelope.id,
    })
    batch.touched_resolutions.add(data["resolution_meeting_id"])
    _meeting(batch, data).cite("task_reports", envelope.id)


def self_assessed(batch: Batch, data: Row, envelope: Envelope) -> None:
    patch = _meeting(batch, data)
    patch.set |= {"rubric": data["rubric"], "self_total": data["total"],
                  "self_max": data["max_total"], "self_grade": data["grade"],
                  "assessed_on": data["assessed_on"]}
    patch.cite("assessment", envelope.id)


def grade_confirmed(batch: Batch, data: Row, envelope: Envelope) -> None:
    patch = _meeting(batch, data)
    patch.set |= {"confirmed_total": data["total"], "confirmed_grade": data["grade"],
                  "confirmed_on": data["confirmed_on"]}
    patch.cite("confirmation", envelope.id)


def finish(row: Row) -> Row:
    """Columns that follow from others: the parts of a session and the scores out of 100."""
    two_parts = row.get("kind") == "combined" and bool(row.get("topic"))
    row["parts"] = 2 if two_parts else 1
    scale = 100.0 / row["self_max"] if row.get("self_max") else 1.0
    for prefix in ("self", "confirmed"):
        total = row.get(f"{prefix}_total")
        row[f"{prefix}_score"] = None if total is None else round(total * scale, 4)
    return row


HANDLERS: dict[str, Handler] = {
    "MeetingScheduled": scheduled,
    "MeetingRescheduled": rescheduled,
    "MeetingCancelled": cancelled,
    "MeetingNoticeSent": notice_sent,
    "MeetingDocumentPosted": document_posted,
    "MeetingHeld": held,
    "AttendanceRecorded": roll_call,
    "AttendanceCorrected": roll_call,
    "ResolutionAdopted": resolution_adopted,
    "TaskProgressReported": task_progress,
    "MeetingSelfAssessed": self_assessed,
    "MeetingGradeConfirmed": grade_confirmed,
}
