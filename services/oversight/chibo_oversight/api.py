"""The oversight HTTP API: each view loads its input, builds a command, runs it, dumps it."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

from flask import current_app, g

from chibo_eventsourcing.aggregate import Aggregate
from chibo_oversight import commands as c
from chibo_oversight.access import out_of_reach
from chibo_oversight.bootstrap import OversightService
from chibo_oversight.domain import Assignment, NotFoundError, Review, Visit
from chibo_oversight.handlers import new_id
from chibo_oversight.queries import AssignmentFilter, ReviewFilter, VisitFilter
from chibo_oversight.schemas import requests as rq
from chibo_oversight.schemas import responses as rs
from chibo_web.commands import etag, run_command
from chibo_web.routes import Blueprint, route

assignments = Blueprint(
    "assignments", __name__, url_prefix="/assignments",
    description="Superior committee members put in charge of grassroots organisations and cells.",
)
visits = Blueprint(
    "visits", __name__, url_prefix="/visits",
    description="Overseers' visits to cell meetings, recorded by hand or derived from roll calls.",
)
reviews = Blueprint(
    "reviews", __name__, url_prefix="/reviews",
    description="Remind-and-review cases (CR-27): reminded, explained, fixed.",
)

Answer = tuple[Any, int, dict[str, str]]
View = TypeVar("View", bound=Callable[..., Any])


_route = route


def _service() -> OversightService:
    service: OversightService = current_app.extensions["chibo"]
    return service


def _write(command: c.Command, kind: type[Aggregate], path: str | None = None) -> Answer:
    """Run a write the Chibo way; `path` (a created resource's collection) makes it a 201."""
    service = _service()
    service.await_references(command)
    service.authorize_command(g.caller, command)
    return run_command(
        service.store, partial(service.handle, command), service.renderer(kind),
        status=201 if path else 200,
        location=(lambda written: f"{path}/{written.stream_id}") if path else None,
    )


def _read(kind: type[Aggregate], resource_id: str, unit: str, day: str) -> Answer:
    """One resource with its ETag, if the caller's scope reaches its unit on its day or today;
    for a scoped caller a missing resource answers as one out of reach."""
    service, named = _service(), f"{kind.__name__.lower()} {resource_id}"
    try:
        row = service.resource(kind, resource_id)
    except NotFoundError:
        if g.caller.whole_tree:
            raise
        raise out_of_reach(named) from None
    service.authorize(g.caller, row[unit], row[day], named=named)
    return row, 200, {"ETag": etag(row["version"])}


def _listing(query: dict[str, Any]) -> tuple[int, int, dict[str, Any]]:
    """Page, page size and the filter, narrowed to what the caller's scope reaches."""
    page, size = query.pop("page"), query.pop("page_size")
    return page, size, {**query, "sight": _service().sight(g.caller)}


@_route(assignments, "", "GET", query=rq.AssignmentQuery, answer=rs.AssignmentPage)
def list_assignments(query: dict[str, Any]) -> Any:
    """Assignments by overseer, unit and day in force, oldest first (within the scope, and
    an overseer's own)."""
    page, size, where = _listing(query)
    return _service().assignments(AssignmentFilter(**where), page, size)


@_route(assignments, "", body=rq.AssignSchema, answer=rs.AssignmentOut, status=201)
def assign(body: dict[str, Any]) -> Answer:
    """Put a superior committee member in charge of a grassroots organisation or a cell."""
    command = c.AssignOverseer(body.pop("id") or new_id(), **body)
    return _write(command, Assignment, "/assignments")


@_route(assignments, "/<assignment_id>", "GET", answer=rs.AssignmentOut)
def get_assignment(assignment_id: str) -> Answer:
    return _read(Assignment, assignment_id, "unit_id", "from_date")


@_route(assignments, "/<assignment_id>/end", body=rq.EndAssignmentSchema,
        answer=rs.AssignmentOut)
def end_assignment(body: dict[str, Any], assignment_id: str) -> Answer:
    """End an assignment; `on` is the last day in charge."""
    return _write(c.EndAssignment(assignment_id, **body), Assignment)


@_route(visits, "", "GET", query=rq.VisitQuery, answer=rs.VisitPage)
def list_visits(query: dict[str, Any]) -> Any:
    """Visits by overseer, cell (or unit above the cells), meeting and day, oldest first
    (within the scope, and an overseer's own)."""
    page, size, where = _listing(query)
    return _service().visits(VisitFilter(**where), page, size)


@_route(visits, "", body=rq.VisitSchema, answer=rs.VisitOut, status=201)
def record_visit(body: dict[str, Any]) -> Answer:
    """Record a visit; it counts toward the quota only if the overseer was in charge then."""
    issues, follow_ups = tuple(body.pop("issues")), tuple(body.pop("follow_ups"))
    command = c.RecordVisit(body.pop("id"), issues=issues, follow_ups=follow_ups, **body)
    return _write(command, Visit, "/visits")


@_route(visits, "/<visit_id>", "GET", answer=rs.VisitOut)
def get_visit(visit_id: str) -> Answer:
    return _read(Visit, visit_id, "cell_id", "visited_on")


@_route(visits, "/<visit_id>/withdraw", body=rq.WithdrawVisitSchema, answer=rs.VisitOut)
def withdraw_visit(body: dict[str, Any], visit_id: str) -> Answer:
    """Take back a visit recorded by hand; it no longer counts toward the quota. A visit
    derived from a roll call is withdrawn by correcting the roll call."""
    return _write(c.WithdrawVisit(visit_id, **body), Visit)


@_route(reviews, "", "GET", query=rq.ReviewQuery, answer=rs.ReviewPage)
def list_reviews(query: dict[str, Any]) -> Any:
    """Cases of every cell below a unit (tree as of today), by status, oldest reminder first
    (within the scope)."""
    page, size, where = _listing(query)
    return _service().reviews(ReviewFilter(**where), page, size)


@_route(reviews, "", body=rq.OpenReviewSchema, answer=rs.ReviewOut, status=201)
def open_review(body: dict[str, Any]) -> Answer:
    """Remind a cell of the rules it breached in a period (status `reminded`)."""
    rule_ids = tuple(body.pop("rule_ids"))
    command = c.OpenReview(body.pop("id") or new_id(), rule_ids=rule_ids, **body)
    return _write(command, Review, "/reviews")


@_route(reviews, "/<review_id>", "GET", answer=rs.ReviewOut)
def get_review(review_id: str) -> Answer:
    return _read(Review, review_id, "cell_id", "reminded_on")


@_route(reviews, "/<review_id>/explanation", body=rq.ExplanationSchema, answer=rs.ReviewOut)
def record_explanation(body: dict[str, Any], review_id: str) -> Answer:
    """Record the cell's explanation (status `explained`)."""
    return _write(c.RecordExplanation(review_id, **body), Review)


@_route(reviews, "/<review_id>/close", body=rq.CloseReviewSchema, answer=rs.ReviewOut)
def close_review(body: dict[str, Any], review_id: str) -> Answer:
    """Close the case with an outcome: fixed, not_fixed or withdrawn (status `fixed`, the
    last step of CR-27, or `closed` when it ended otherwise)."""
    return _write(c.CloseReview(review_id, **body), Review)
