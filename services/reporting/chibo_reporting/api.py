"""HTTP API: rulebooks, reports and the audit trail (views: load → command or query → dump)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial
from typing import Any, TypeVar

from flask import current_app, g

from chibo_eventsourcing.repository import Written
from chibo_reporting.access import Place, Sight, out_of_reach, reaches
from chibo_reporting.bootstrap import ReportingService
from chibo_reporting.commands import PublishRulebook
from chibo_reporting.domain import RulebookPublished, stream_for
from chibo_reporting.queries import NotFoundError, Shown
from chibo_reporting.rulebooks import NATIONAL_DEFAULT, Rulebook
from chibo_reporting.schemas import (
    OverseersQuery,
    ReportQuery,
    RulebookIn,
    RulebookList,
    RulebookOut,
    RulebookQuery,
    StreamQuery,
    UnitReportQuery,
    VerifyQuery,
    WaitQuery,
)
from chibo_web.auth import Caller
from chibo_web.commands import etag, run_command
from chibo_web.problems import ProblemError
from chibo_web.routes import Blueprint, route

rulebooks = Blueprint("rulebooks", __name__, description="Versioned rule parameters per unit")
reports = Blueprint("reports", __name__, description="Compliance reports (read side)")
audit = Blueprint("audit", __name__, description="The audit trail of every consumed event")


View = TypeVar("View", bound=Callable[..., Any])


_route = route


def _service() -> ReportingService:
    service: ReportingService = current_app.extensions["chibo"]
    return service


def _caller() -> Caller:
    caller: Caller = g.caller
    return caller


def _in_scope(unit_id: str, *days: date) -> bool:
    """Whether the unit lies in the caller's part of the tree today or on one of `days`."""
    caller = _caller()
    if caller.whole_tree:
        return True
    reports_ = _service().reports
    return reaches(caller, reports_.tree(), unit_id, (reports_.today(), *days))


def _require_scope(unit_id: str, *days: date) -> None:
    if not _in_scope(unit_id, *days):
        raise ProblemError(403, out_of_reach(f"unit {unit_id}"))


def _sight() -> Sight | None:
    """What a scoped caller sees of the tree (None: a whole-tree caller sees everything)."""
    caller = _caller()
    if caller.whole_tree:
        return None
    reports_ = _service().reports
    return Sight(caller, reports_.tree(), reports_.today())


def _shown(unit_id: str, day: date) -> tuple[bool, Shown | None]:
    """For a list-shaped report over a unit: whether the caller sees the unit at all, and
    which units below it (None: all, the unit is in reach; above the scope, the report holds
    the part of it the scope reaches; outside it or unknown, nothing)."""
    sight = _sight()
    if sight is None or sight.reaches(unit_id, day):
        return True, None
    if sight.above(unit_id):
        return True, lambda unit: sight.reaches(unit, day)
    return False, None


def _wait(query: dict[str, Any]) -> None:
    if query["wait_for"]:
        _service().reports.wait_for(query["wait_for"])


def rulebook_json(rulebook: Rulebook) -> dict[str, Any]:
    return {"id": rulebook.rulebook_id, "unit_id": rulebook.unit_id, "version": rulebook.version,
            "effective_from": rulebook.effective_from, "name": rulebook.name,
            "parameters": rulebook.parameters.to_json(), "stream_id": rulebook.stream_id}


def _published(event: RulebookPublished) -> dict[str, Any]:
    return {"id": event.rulebook_id, "unit_id": event.unit_id, "version": event.version,
            "effective_from": event.effective_from, "name": event.name,
            "parameters": event.parameters, "stream_id": stream_for(event.unit_id)}


@_route(rulebooks, "/rulebooks", "POST", body=RulebookIn, query=WaitQuery, answer=RulebookOut,
        status=201)
def publish_rulebook(query: dict[str, Any], body: dict[str, Any]) -> Any:
    """Publish a rulebook version for a unit (RulebookPublished). The unit must be known to
    reporting: `wait_for` the write that created it (its `Chibo-Position`) to publish at once."""
    _wait(query)
    _require_scope(body["unit_id"])
    command = PublishRulebook(body["unit_id"], body["effective_from"], body["parameters"],
                              body["id"], body["name"])
    service = _service()

    def render(_: Written) -> dict[str, Any]:
        series = service.repository.find(stream_for(command.unit_id))
        found = series.find(command.rulebook_id) if series else None
        assert found is not None, "a published rulebook is in its series"
        return _published(found)

    return run_command(service.store, partial(service.handle, command), render, status=201,
                       location=lambda _: f"/rulebooks/{command.rulebook_id}",
                       stream=stream_for(command.unit_id))


@_route(rulebooks, "/rulebooks/<rulebook_id>", "GET", query=WaitQuery, answer=RulebookOut)
def get_rulebook(query: dict[str, Any], rulebook_id: str) -> Any:
    """One published rulebook version (or the national default), as its publication's
    `Location` names it: `wait_for` its `Chibo-Position` to read it at once. In reach as in
    the list: its unit is in the caller's scope or above it."""
    _wait(query)
    known = {r.rulebook_id: r for r in (NATIONAL_DEFAULT, *_service().reports.rulebooks())}
    found, sight = known.get(rulebook_id), _sight()
    if sight is not None and (found is None or (found.unit_id is not None
                                                and not _governs(sight, found.unit_id))):
        raise ProblemError(403, out_of_reach(f"rulebook {rulebook_id}"))
    if found is None:
        raise NotFoundError(f"no rulebook {rulebook_id!r} is known to reporting")
    return rulebook_json(found)


@_route(rulebooks, "/rulebooks", "GET", query=RulebookQuery, answer=RulebookList)
def list_rulebooks(query: dict[str, Any]) -> Any:
    """The national default and the published versions (of one unit, or of all) that apply
    within the caller's scope: of the units it reaches and of the units above it."""
    service, sight = _service(), _sight()
    headers = {}
    if query["unit_id"]:
        series = service.repository.find(stream_for(query["unit_id"]))
        items = [_published(p) for p in series.published] if series else []
        headers["ETag"] = etag(series.version if series else 0)  # what If-Match guards
    else:
        items = [rulebook_json(r) for r in service.reports.rulebooks()]
    if sight is not None:
        items = [i for i in items if _governs(sight, i["unit_id"])]
    every = [rulebook_json(NATIONAL_DEFAULT), *items]
    page, size = query["page"], query["page_size"]
    return {"items": every[(page - 1) * size:page * size], "page": page, "page_size": size,
            "total": len(every)}, 200, headers


def _governs(sight: Sight, unit_id: str) -> bool:
    """Whether a scoped caller sees the rulebooks of a unit: in its reach, or above it (their
    rules apply to it), as the audit trail places a rulebook series."""
    return sight.sees([Place(unit_id, governs=True)])


def _ready_for(query: dict[str, Any], unit_id: str | None, day: date) -> None:
    """Wait for the awaited positions, then check the unit is within the caller's reach."""
    _wait(query)
    if unit_id is not None:
        _require_scope(unit_id, day)


def _tree_day(query: dict[str, Any]) -> date:
    day: date = query["tree_as_of"] or query["period"].end
    return day


@_route(reports, "/reports/cells/<cell_id>", "GET", query=ReportQuery)
def cell_report(query: dict[str, Any], cell_id: str) -> Any:
    """Per rule: result, figures and evidence for one cell and period."""
    _ready_for(query, cell_id, query["period"].end)
    return _service().reports.cell(cell_id, query["period"], query["rules"])


@_route(reports, "/reports/units/<unit_id>", "GET", query=UnitReportQuery)
def unit_report(query: dict[str, Any], unit_id: str) -> Any:
    """Roll-up over every cell below the unit in the tree as of `tree_as_of`."""
    _ready_for(query, unit_id, _tree_day(query))
    return _service().reports.unit(unit_id, query["period"], _tree_day(query), query["rules"])


@_route(reports, "/reports/overseers", "GET", query=OverseersQuery)
def overseers_report(query: dict[str, Any]) -> Any:
    """Per overseer in charge at or below the unit: cells, visits, quota, met or not (of the
    assignments and cells within the caller's scope)."""
    _wait(query)
    unit_id, period, day, mode = query["unit_id"], query["period"], _tree_day(query), query["rules"]
    seen, shown = _shown(unit_id, day)
    if not seen:
        return _service().reports.nothing(unit_id, period, mode, overseers=[])
    return _service().reports.overseers(unit_id, period, day, mode, shown)


@_route(reports, "/reports/reminders", "GET", query=OverseersQuery)
def reminders_report(query: dict[str, Any]) -> Any:
    """The remind-and-review candidates (CR-27) below the unit (within the caller's scope)."""
    _wait(query)
    unit_id, period, day, mode = query["unit_id"], query["period"], _tree_day(query), query["rules"]
    seen, shown = _shown(unit_id, day)
    if not seen:
        return _service().reports.nothing(unit_id, period, mode, tree_as_of=day.isoformat(),
                                          items=[])
    return _service().reports.reminders(unit_id, period, day, mode, shown)


@_route(reports, "/reports/members/<member_id>", "GET", query=ReportQuery)
def member_report(query: dict[str, Any], member_id: str) -> Any:
    """A member's attendance history in the period and flags (CR-14, CR-15); in reach when one
    of the member's cells in the period is."""
    _ready_for(query, None, query["period"].end)
    refused = ProblemError(403, out_of_reach(f"member {member_id}"))
    try:
        answer = _service().reports.member(member_id, query["period"], query["rules"])
    except NotFoundError:
        if _caller().whole_tree:
            raise
        raise refused from None
    cells = {answer["cell_id"], *(c["cell_id"] for c in answer["cells"])} - {None}
    if not any(_in_scope(c, query["period"].end) for c in cells) and not _caller().whole_tree:
        raise refused
    return answer


@_route(audit, "/audit/streams/<path:stream_id>", "GET", query=StreamQuery)
def stream_history(query: dict[str, Any], stream_id: str) -> Any:
    """The full ordered history of one stream, with actor and time, if what it is about lies
    in the caller's scope (today or on its day)."""
    _wait(query)
    sight = _sight()
    try:
        return _service().reports.stream(stream_id, query["source"], sight)
    except NotFoundError:
        if sight is None:
            raise
        raise ProblemError(403, out_of_reach(f"stream {stream_id}")) from None


@_route(audit, "/audit/verify", "GET", query=VerifyQuery)
def verify(query: dict[str, Any]) -> Any:
    """Re-verify the hash chain of every stream of a source (that the caller's scope
    reaches); or, with `limit`, a page of them in the order of their ids, from `after` on: walk
    a large trail page by page, each answer's `next` as the following `after`, until `next`
    is null."""
    _wait(query)
    return _service().reports.verify(query["source"], _sight(), after=query["after"],
                                     limit=query["limit"])
