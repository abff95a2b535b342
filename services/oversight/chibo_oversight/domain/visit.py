"""The Visit aggregate: a superior committee member attending a cell's meeting (DOMAIN.md §6).

A visit is recorded by hand, or derived from a roll call that lists an overseer in charge of the
cell as a guest. It counts toward the overseer's quota when, on that day, they were in charge of
the cell or of a unit above it; a visit by anyone else is kept, marked as not counting.

A visit is withdrawn when the meeting's corrected roll call no longer lists its overseer (a
derived visit), or by committee staff with a reason (one recorded by hand). A withdrawn visit
no longer counts, and its stream may hold the overseer's visit to that meeting again.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from chibo_eventsourcing.aggregate import Aggregate
from chibo_oversight.domain.errors import ConflictError, InvalidError
from chibo_oversight.domain.events import VisitMade, VisitWithdrawn
from chibo_oversight.domain.facts import Appearance, Charge, MeetingInfo, MemberInfo, UnitInfo

# Derived visits get the id uuid5(overseer/meeting): however often a roll call is delivered or
# corrected, it names the one stream an overseer's visit to that meeting can live in.
VISIT_NAMESPACE = uuid.UUID("5f0c7d1e-3a52-4c43-9a51-6f7665727369")
UNLISTED = "the meeting's corrected roll call no longer lists the overseer as a guest"


def visit_id_for(overseer_id: str, meeting_id: str) -> str:
    return str(uuid.uuid5(VISIT_NAMESPACE, f"{overseer_id}/{meeting_id}"))


def charge_for(charges: Iterable[Charge], lineage: Sequence[str], day: date) -> Charge | None:
    """The assignment a visit on `day` counts for: active that day, for the cell or a unit
    above it (`lineage`: the cell first, then its ancestors), the nearest unit first."""
    rank = {unit_id: depth for depth, unit_id in enumerate(lineage)}
    fitting = [c for c in charges if c.unit_id in rank and c.active_on(day)]
    if not fitting:
        return None
    return min(fitting, key=lambda c: (rank[c.unit_id], c.from_, c.assignment_id))


@dataclass(frozen=True)
class Report:
    """What the overseer reports of a visit made by hand."""

    overseer_id: str
    cell_id: str
    visited_on: date
    meeting_id: str | None = None
    comments: str | None = None
    issues: tuple[str, ...] = ()
    follow_ups: tuple[str, ...] = ()


@dataclass(frozen=True)
class VisitFacts:
    """What the local copy knows of the overseer, the cell, the meeting and earlier visits."""

    overseer: MemberInfo | None
    cell: UnitInfo | None
    meeting: MeetingInfo | None = None
    earlier_visit_id: str | None = None  # the overseer's visit already recorded at the meeting
    charge: Charge | None = None


class Visit(Aggregate):
    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.made: VisitMade | None = None
        self.withdrawn: VisitWithdrawn | None = None  # since the last VisitMade

    @property
    def standing(self) -> bool:
        """Made and not withdrawn since."""
        return self.made is not None and self.withdrawn is None

    def record(self, report: Report, facts: VisitFacts) -> None:
        """Record a visit by hand, checking it against what is known of the meeting; reporting
        the very same again (a retried create) changes nothing."""
        if self.standing:
            self._require_reported_as(report)
            return
        if facts.overseer is None:
            raise InvalidError.on("overseer_id", f"unknown member {report.overseer_id}")
        _check_cell(facts.cell, report.cell_id, report.visited_on)
        if report.meeting_id is not None:
            _check_meeting(facts.meeting, report)
        if facts.earlier_visit_id is not None:
            raise ConflictError(
                f"{report.overseer_id} already has visit {facts.earlier_visit_id} at meeting "
                f"{report.meeting_id}"
            )
        charge = facts.charge
        self.trigger(VisitMade(
            self.id, report.overseer_id, report.cell_id, report.meeting_id, report.visited_on,
            report.comments, tuple(report.issues), tuple(report.follow_ups), derived=False,
            counts_toward_quota=charge is not None,
            assignment_id=charge.assignment_id if charge else None,
            position_basis=charge.position_basis if charge else None,
        ))

    def derive(self, appearance: Appearance, charge: Charge) -> None:
        """Record the visit an overseer in charge made by appearing as a guest on a roll call."""
        self._require_new()
        self.trigger(VisitMade(
            self.id, appearance.member_id, appearance.cell_id, appearance.meeting_id,
            appearance.held_on, None, (), (), derived=True, counts_toward_quota=True,
            assignment_id=charge.assignment_id, position_basis=charge.position_basis,
            guest_role=appearance.role,
        ))

    def unlist(self) -> None:
        """The roll call this visit was derived from no longer lists its overseer."""
        made = self._standing_made()
        if not made.derived:
            raise ConflictError(f"visit {self.id} was recorded by hand, not derived")
        self._withdraw(made, UNLISTED)

    def withdraw(self, reason: str) -> None:
        """Take back a visit recorded by hand (one recorded by mistake)."""
        made = self._standing_made()
        if made.derived:
            raise ConflictError(
                f"visit {self.id} is derived from the roll call of meeting {made.meeting_id}; "
                "correct the roll call instead"
            )
        self._withdraw(made, reason)

    def when(self, event: Any) -> None:
        if isinstance(event, VisitMade):
            self.made, self.withdrawn = event, None
        elif isinstance(event, VisitWithdrawn):
            self.withdrawn = event

    def _withdraw(self, made: VisitMade, reason: str) -> None:
        self.trigger(VisitWithdrawn(self.id, made.overseer_id, made.cell_id, made.meeting_id,
                                    made.visited_on, reason))

    def _standing_made(self) -> VisitMade:
        if self.made is None:
            raise ConflictError(f"visit {self.id} was never made")
        if self.withdrawn is not None:
            raise ConflictError(f"visit {self.id} is already withdrawn")
        return self.made

    def _require_reported_as(self, report: Report) -> None:
        made = self.made
        assert made is not None
        if made.derived:
            raise ConflictError(
                f"{made.overseer_id} already has visit {self.id} at meeting {made.meeting_id}, "
                "derived from its roll call"
            )
        if _report_of(made) != report:
            raise ConflictError(f"visit {self.id} already exists with other data")

    def _require_new(self) -> None:
        if self.standing:
            raise ConflictError(f"visit {self.id} already exists")


def _report_of(made: VisitMade) -> Report:
    return Report(made.overseer_id, made.cell_id, made.visited_on, made.meeting_id,
                  made.comments, made.issues, made.follow_ups)


def _check_cell(cell: UnitInfo | None, cell_id: str, day: date) -> None:
    if cell is None:
        raise InvalidError.on("cell_id", f"unknown unit {cell_id}")
    if cell.kind != "cell":
        raise InvalidError.on("cell_id", f"{cell.code} is a {cell.kind}, not a cell")
    if not cell.exists_on(day):
        raise InvalidError.on("visited_on", f"cell {cell.code} does not exist on {day}")


def _check_meeting(meeting: MeetingInfo | None, report: Report) -> None:
    if meeting is None:
        raise InvalidError.on("meeting_id", f"unknown meeting {report.meeting_id}")
    if meeting.cell_id != report.cell_id:
        raise InvalidError.on(
            "meeting_id", f"meeting {meeting.meeting_id} is a meeting of {meeting.cell_id}, "
            f"not of {report.cell_id}"
        )
    if meeting.cancelled:
        raise InvalidError.on("meeting_id", f"meeting {meeting.meeting_id} was cancelled")
    if meeting.day != report.visited_on:
        raise InvalidError.on(
            "visited_on", f"meeting {meeting.meeting_id} took place on {meeting.day}"
        )
