"""The meetings HTTP API: each view loads its body, builds a command, runs it, dumps the meeting."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

from flask import current_app, g
from marshmallow import Schema

from chibo_meetings import commands as c
from chibo_meetings.bootstrap import MeetingsService
from chibo_meetings.domain import RUBRICS
from chibo_meetings.handlers import new_id
from chibo_meetings.queries import MeetingFilter
from chibo_meetings.schemas import requests as rq
from chibo_meetings.schemas import responses as rs
from chibo_web.commands import etag, run_command
from chibo_web.problems import ProblemError
from chibo_web.routes import Blueprint, route

blp = Blueprint(
    "meetings", __name__, url_prefix="/meetings",
    description="Cell meetings: plan, hold, roll call, resolution, assessment and grade.",
)
rubrics = Blueprint(
    "rubrics", __name__, url_prefix="/rubrics", description="Meeting quality rubrics."
)

Answer = tuple[Any, int, dict[str, str]]
View = TypeVar("View", bound=Callable[..., Any])


def _route(
    rule: str,
    method: str = "POST",
    *,
    blueprint: Blueprint = blp,
    answer: type[Schema] = rs.MeetingSchema,
    **options: Any,
) -> Callable[[View], View]:
    """The shared route decorator with this module's defaults (meetings blueprint and schema)."""
    return route(blueprint, rule, method, answer=answer, **options)


def _service() -> MeetingsService:
    service: MeetingsService = current_app.extensions["chibo"]
    return service


def _write(command: c.Command, *, created: bool = False) -> Answer:
    service = _service()
    service.await_references(command)
    service.authorize_command(g.caller, command)
    return run_command(
        service.store, partial(service.handle, command), service.render,
        status=201 if created else 200,
        location=(lambda written: f"/meetings/{written.stream_id}") if created else None,
    )


@_route("", "GET", query=rq.MeetingQuerySchema, answer=rs.MeetingPageSchema)
def list_meetings(query: dict[str, Any]) -> Any:
    """List meetings by cell, period (`from`, `to`: meeting days) and kind, oldest first; only
    meetings held while their cell lay in the token's part of the tree."""
    page, page_size = query.pop("page"), query.pop("page_size")
    return _service().find_meetings(g.caller, MeetingFilter(**query), page, page_size)


@_route("", body=rq.ScheduleMeetingSchema, status=201)
def schedule(body: dict[str, Any]) -> Answer:
    """Schedule a meeting of a cell (a thematic meeting needs its topic)."""
    meeting_id = body.pop("id") or new_id()
    command = c.ScheduleMeeting(meeting_id, agenda=tuple(body.pop("agenda")), **body)
    return _write(command, created=True)


@_route("/<meeting_id>", "GET")
def get_meeting(meeting_id: str) -> Answer:
    """The meeting's whole record; the ETag is its version, for If-Match."""
    meeting = _service().readable_meeting(g.caller, meeting_id)
    return meeting, 200, {"ETag": etag(meeting.version)}


@_route("/<meeting_id>/reschedule", body=rq.RescheduleSchema)
def reschedule(body: dict[str, Any], meeting_id: str) -> Answer:
    """Move a meeting that has not been held, with a reason."""
    return _write(c.RescheduleMeeting(meeting_id, **body))


@_route("/<meeting_id>/cancel", body=rq.CancelSchema)
def cancel(body: dict[str, Any], meeting_id: str) -> Answer:
    """Cancel a meeting that has not been held; nothing can be recorded on it afterwards."""
    return _write(c.CancelMeeting(meeting_id, **body))


@_route("/<meeting_id>/notices", body=rq.NoticeSchema)
def send_notice(body: dict[str, Any], meeting_id: str) -> Answer:
    """Record that members and/or overseers were notified of the meeting."""
    overseers = tuple(body.pop("to_overseer_ids"))
    command = c.SendNotice(meeting_id, notice_id=body.pop("id"), to_overseer_ids=overseers, **body)
    return _write(command)


@_route("/<meeting_id>/documents", body=rq.DocumentSchema)
def post_document(body: dict[str, Any], meeting_id: str) -> Answer:
    """Record a document posted before the meeting, or after it (minutes, final resolution)."""
    return _write(c.PostDocument(meeting_id, document_id=body.pop("id"), **body))


@_route("/<meeting_id>/held", body=rq.HeldSchema)
def record_held(body: dict[str, Any], meeting_id: str) -> Answer:
    """Record that the meeting took place: start, end, place, chair and minute-taker."""
    return _write(c.RecordMeetingHeld(meeting_id, **body))


@_route("/<meeting_id>/roll-call", "PUT", body=rq.RollCallSchema)
def record_roll_call(body: dict[str, Any], meeting_id: str) -> Answer:
    """Record the roll call (every member required that day), or correct it as a whole."""
    entries, guests = tuple(body["entries"]), tuple(body["guests"])
    return _write(c.RecordRollCall(meeting_id, entries, guests, body["reason"]))


@_route("/<meeting_id>/resolution", body=rq.ResolutionSchema)
def adopt_resolution(body: dict[str, Any], meeting_id: str) -> Answer:
    """Record the resolution: text, vote tally (within the voting base) and tasks."""
    return _write(c.AdoptResolution(meeting_id, tasks=tuple(body.pop("tasks")), **body))


@_route("/<meeting_id>/task-reports", body=rq.TaskReportSchema)
def report_task(body: dict[str, Any], meeting_id: str) -> Answer:
    """Report, at this meeting, the progress of a task of an earlier resolution of the cell."""
    return _write(c.ReportTaskProgress(meeting_id, **body))


@_route("/<meeting_id>/assessment", body=rq.AssessmentSchema)
def assess(body: dict[str, Any], meeting_id: str) -> Answer:
    """Record the cell's self-assessment on a rubric (scores add up, grade fits the total)."""
    return _write(c.AssessMeeting(meeting_id, **body))


@_route("/<meeting_id>/assessment/confirm", body=rq.ConfirmSchema)
def confirm(body: dict[str, Any], meeting_id: str) -> Answer:
    """Record the superior committee's confirmation of the grade."""
    return _write(c.ConfirmGrade(meeting_id, **body))


@_route("", "GET", answer=rs.RubricListSchema, blueprint=rubrics)
def list_rubrics() -> Any:
    """The rubric catalogue: criteria with maximum points, and the grade bands."""
    return {"items": list(RUBRICS.values())}


@_route("/<rubric_id>", "GET", answer=rs.RubricOut, blueprint=rubrics)
def get_rubric(rubric_id: str) -> Any:
    """One rubric of the catalogue."""
    if rubric_id not in RUBRICS:
        raise ProblemError(404, f"no rubric {rubric_id}")
    return RUBRICS[rubric_id]
