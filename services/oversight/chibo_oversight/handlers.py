"""One handler per command: gather what the local copy knows, let the aggregate decide.

A handler returns the aggregates it changed, in the order they are saved; the last one is the
command's resource. Putting an overseer in charge, and the roll-call policy, may also derive
visits (DOMAIN.md §6: an overseer in charge listed as a guest on a roll call has visited); the
policy also withdraws those a corrected roll call no longer lists.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol, TypeVar

from chibo_eventsourcing.aggregate import Aggregate
from chibo_eventsourcing.store import ConcurrencyError
from chibo_oversight import commands as c
from chibo_oversight.domain import (
    Appearance,
    Assignment,
    AssignmentFacts,
    Basis,
    Charge,
    ConflictError,
    Holding,
    MeetingInfo,
    MemberInfo,
    NotFoundError,
    Report,
    Review,
    UnitInfo,
    Visit,
    VisitFacts,
    charge_for,
    visit_id_for,
)

A = TypeVar("A", bound=Aggregate)


class Directory(Protocol):
    """The service's copy of the tree, the roll, positions and meetings, and its own lists."""

    def member(self, member_id: str) -> MemberInfo | None: ...

    def unit(self, unit_id: str) -> UnitInfo | None: ...

    def lineage(self, unit_id: str, on: date) -> list[str]:
        """The unit, then its ancestors on that day, nearest first."""

    def holdings(self, member_id: str) -> list[Holding]: ...

    def meeting(self, meeting_id: str) -> MeetingInfo | None: ...

    def charges(self, overseer_id: str) -> list[Charge]: ...

    def visit_at(self, overseer_id: str, meeting_id: str) -> str | None:
        """The overseer's standing visit at the meeting (withdrawn ones are off the list)."""

    def derived_at(self, cell_id: str, meeting_id: str) -> dict[str, str]:
        """The standing visits derived from the meeting's roll calls: visit id by overseer."""

    def open_review(self, cell_id: str, period: str) -> str | None: ...

    def appearances(self, member_id: str, from_: date, last_day: date | None) -> list[Appearance]:
        """Where the member was listed as a guest on a roll call between those days."""


class Streams(Protocol):
    def find(self, kind: type[A], aggregate_id: str) -> A | None:
        """The aggregate, or None when there is no stream or it holds another kind."""

    def taken(self, stream_id: str) -> bool: ...


@dataclass(frozen=True)
class Context:
    """What handlers may use; `expected_version` is the client's If-Match, checked on load."""

    directory: Directory
    streams: Streams
    expected_version: int | None = None

    def load(self, kind: type[A], aggregate_id: str) -> A:
        found = self.streams.find(kind, aggregate_id)
        if found is None:
            raise NotFoundError(kind.__name__.lower(), aggregate_id)
        if self.expected_version is not None and self.expected_version != found.version:
            raise ConcurrencyError(aggregate_id, self.expected_version, found.version)
        return found

    def create(self, kind: type[A], aggregate_id: str) -> A:
        """What a create works on: a new aggregate, or the one the id already names (its
        domain method then answers a retry, or refuses other data); another kind's id is a
        conflict."""
        found = self.streams.find(kind, aggregate_id)
        if found is not None:
            return found
        if self.streams.taken(aggregate_id):
            raise ConflictError(f"the id {aggregate_id} is already in use")
        return kind(aggregate_id)


def references(command: c.Command) -> tuple[set[str], set[str], set[str]]:
    """The units and the members a command names, which members.events must have brought, and
    the meetings, which meetings.events must have."""
    match command:
        case c.AssignOverseer():
            units = {u for u in (command.unit_id, command.position_unit_id) if u}
            return units, {command.overseer_id}, set()
        case c.RecordVisit():
            meetings = {command.meeting_id} if command.meeting_id else set()
            return {command.cell_id}, {command.overseer_id}, meetings
        case c.OpenReview():
            return {command.cell_id}, set(), set()
    return set(), set(), set()


def new_id() -> str:
    return str(uuid.uuid4())


def assign_overseer(command: c.AssignOverseer, context: Context) -> list[Aggregate]:
    """Put an overseer in charge of a unit; their earlier guest appearances there become visits."""
    assignment = context.create(Assignment, command.assignment_id)
    basis = Basis(command.overseer_id, command.unit_id, command.position_basis, command.from_,
                  command.to, command.position_unit_id)
    assignment.assign(basis, _assignment_facts(basis, context.directory))
    if not assignment.pending:
        return [assignment]  # a retried create
    seen = context.directory.appearances(command.overseer_id, command.from_, command.to)
    return [*derived_visits(seen, context, [assignment.charge()]), assignment]


def end_assignment(command: c.EndAssignment, context: Context) -> list[Aggregate]:
    assignment = context.load(Assignment, command.assignment_id)
    assignment.end(command.on)
    return [assignment]


def record_visit(command: c.RecordVisit, context: Context) -> list[Aggregate]:
    """Record a visit by hand; it counts when the overseer was in charge of the cell that day."""
    meeting_id = command.meeting_id
    default_id = visit_id_for(command.overseer_id, meeting_id) if meeting_id else new_id()
    visit = context.create(Visit, command.visit_id or default_id)
    report = Report(command.overseer_id, command.cell_id, command.visited_on, meeting_id,
                    command.comments, command.issues, command.follow_ups)
    visit.record(report, _visit_facts(report, context.directory))
    return [visit]


def withdraw_visit(command: c.WithdrawVisit, context: Context) -> list[Aggregate]:
    visit = context.load(Visit, command.visit_id)
    visit.withdraw(command.reason)
    return [visit]


def follow_roll_call(command: c.FollowRollCall, context: Context) -> list[Aggregate]:
    """The visit policy: withdraw the derived visits of overseers the roll call no longer
    lists, and derive those of the guests in charge."""
    listed = {seen.member_id for seen in command.appearances}
    derived = context.directory.derived_at(command.cell_id, command.meeting_id)
    unlisted = [context.load(Visit, visit_id)
                for overseer_id, visit_id in sorted(derived.items()) if overseer_id not in listed]
    for visit in unlisted:
        visit.unlist()
    return [*unlisted, *derived_visits(command.appearances, context)]


def open_review(command: c.OpenReview, context: Context) -> list[Aggregate]:
    """Remind a cell of the rules it breached in a period (CR-27)."""
    review = context.create(Review, command.review_id)
    open_case = context.directory.open_review(command.cell_id, command.period)
    review.open(context.directory.unit(command.cell_id), command.cell_id, command.period,
                command.rule_ids, command.reminded_on, note=command.note, open_case=open_case)
    return [review]


def record_explanation(command: c.RecordExplanation, context: Context) -> list[Aggregate]:
    review = context.load(Review, command.review_id)
    review.explain(command.text, command.received_on)
    return [review]


def close_review(command: c.CloseReview, context: Context) -> list[Aggregate]:
    review = context.load(Review, command.review_id)
    review.close(command.outcome, command.closed_on, command.note)
    return [review]


def derived_visits(
    appearances: Iterable[Appearance], context: Context, extra: Sequence[Charge] = ()
) -> list[Visit]:
    """One visit per overseer in charge and meeting, unless one is already recorded (a
    withdrawn one is made again in its stream)."""
    d, made = context.directory, {}
    for seen in appearances:
        visit_id = visit_id_for(seen.member_id, seen.meeting_id)
        if visit_id in made or d.visit_at(seen.member_id, seen.meeting_id) is not None:
            continue
        lineage = d.lineage(seen.cell_id, seen.held_on)
        charge = charge_for([*d.charges(seen.member_id), *extra], lineage, seen.held_on)
        if charge is None:
            continue
        visit = _unmade(visit_id, context.streams)
        if visit is not None:
            visit.derive(seen, charge)
            made[visit_id] = visit
    return list(made.values())


def _assignment_facts(basis: Basis, d: Directory) -> AssignmentFacts:
    return AssignmentFacts(
        d.member(basis.overseer_id), d.unit(basis.unit_id),
        d.lineage(basis.unit_id, basis.from_)[1:], d.holdings(basis.overseer_id),
        d.charges(basis.overseer_id),
    )


def _visit_facts(report: Report, d: Directory) -> VisitFacts:
    meeting_id = report.meeting_id
    lineage = d.lineage(report.cell_id, report.visited_on)
    return VisitFacts(
        d.member(report.overseer_id), d.unit(report.cell_id),
        d.meeting(meeting_id) if meeting_id else None,
        d.visit_at(report.overseer_id, meeting_id) if meeting_id else None,
        charge_for(d.charges(report.overseer_id), lineage, report.visited_on),
    )


def _unmade(visit_id: str, streams: Streams) -> Visit | None:
    """The visit to derive in `visit_id`'s stream: a new one, or one withdrawn; None when the
    stream holds a standing visit or another kind."""
    found = streams.find(Visit, visit_id)
    if found is None:
        return None if streams.taken(visit_id) else Visit(visit_id)
    return None if found.standing else found


HANDLERS: dict[type, Callable[[Any, Context], list[Aggregate]]] = {
    c.AssignOverseer: assign_overseer,
    c.EndAssignment: end_assignment,
    c.RecordVisit: record_visit,
    c.WithdrawVisit: withdraw_visit,
    c.FollowRollCall: follow_roll_call,
    c.OpenReview: open_review,
    c.RecordExplanation: record_explanation,
    c.CloseReview: close_review,
}


def handle(command: c.Command, context: Context) -> list[Aggregate]:
    """Run the command's handler; the caller saves what it returns, in order."""
    return HANDLERS[type(command)](command, context)
