"""The Assignment aggregate: a superior committee member in charge of a unit (DOMAIN.md §6).

The overseer must hold the position that is the basis of the quota in a committee above the unit
on the first day; the same overseer cannot be put in charge of the same unit twice over the same
days.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from chibo_eventsourcing.aggregate import Aggregate
from chibo_oversight.domain.errors import ConflictError, InvalidError
from chibo_oversight.domain.events import AssignmentEnded, OverseerAssigned
from chibo_oversight.domain.facts import ASSIGNABLE_KINDS, Charge, Holding, MemberInfo, UnitInfo


@dataclass(frozen=True)
class Basis:
    """What is asked: who, in charge of what, on which position, over which days."""

    overseer_id: str
    unit_id: str
    position_basis: str
    from_: date
    to: date | None = None
    position_unit_id: str | None = None  # the committee, when the client names it


@dataclass(frozen=True)
class AssignmentFacts:
    """What the local copy knows: the overseer, the unit, the unit's ancestors on the first
    day (nearest first), the overseer's positions and their other assignments."""

    overseer: MemberInfo | None
    unit: UnitInfo | None
    ancestors: Sequence[str] = ()
    holdings: Sequence[Holding] = ()
    others: Sequence[Charge] = field(default_factory=tuple)


class Assignment(Aggregate):
    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.assigned: OverseerAssigned | None = None
        self.ended_on: date | None = None

    @property
    def last_day(self) -> date | None:
        """The last day in charge: the day it was ended on, else the planned `to`."""
        assert self.assigned is not None
        return self.ended_on if self.ended_on is not None else self.assigned.to

    def charge(self) -> Charge:
        a = self.assigned
        assert a is not None
        return Charge(a.assignment_id, a.overseer_id, a.unit_id, a.position_basis, a.from_,
                      self.last_day)

    def assign(self, basis: Basis, facts: AssignmentFacts) -> None:
        """Put `basis.overseer_id` in charge of `basis.unit_id` from `basis.from_`; asking for
        the very same again (a retried create) changes nothing."""
        if self.assigned is not None:
            if not self._assigned_as(basis):
                raise ConflictError(f"assignment {self.id} already exists with other data")
            return
        _check_dates(basis.from_, basis.to)
        if facts.overseer is None:
            raise InvalidError.on("overseer_id", f"unknown member {basis.overseer_id}")
        _check_unit(facts.unit, basis.unit_id, basis.from_)
        holding = _holding(basis, facts)
        clash = [c for c in facts.others
                 if c.unit_id == basis.unit_id and c.overlaps(basis.from_, basis.to)]
        if clash:
            raise ConflictError(
                f"{basis.overseer_id} is already in charge of {basis.unit_id} over some of "
                f"those days (assignment {clash[0].assignment_id})"
            )
        self.trigger(OverseerAssigned(
            self.id, basis.overseer_id, basis.unit_id, basis.position_basis,
            holding.unit_id, holding.position_id, basis.from_, basis.to,
        ))

    def end(self, on: date) -> None:
        """End the assignment; `on` is the last day in charge."""
        a = self.assigned
        assert a is not None
        if self.ended_on is not None:
            raise ConflictError(f"assignment {self.id} already ended on {self.ended_on}")
        if on < a.from_:
            raise InvalidError.on("on", f"the assignment starts on {a.from_}")
        if a.to is not None and on > a.to:
            raise InvalidError.on("on", f"the assignment already ends on {a.to}")
        self.trigger(AssignmentEnded(self.id, a.overseer_id, a.unit_id, on))

    def _assigned_as(self, basis: Basis) -> bool:
        """Whether `basis` asks for this assignment (no committee named: the one found)."""
        a = self.assigned
        assert a is not None
        return (
            (a.overseer_id, a.unit_id, a.position_basis, a.from_, a.to)
            == (basis.overseer_id, basis.unit_id, basis.position_basis, basis.from_, basis.to)
            and basis.position_unit_id in (None, a.position_unit_id)
        )

    def when(self, event: Any) -> None:
        match event:
            case OverseerAssigned():
                self.assigned = event
            case AssignmentEnded():
                self.ended_on = event.on


def _check_dates(from_: date, to: date | None) -> None:
    if to is not None and to < from_:
        raise InvalidError.on("to", "must not be before 'from'")


def _check_unit(unit: UnitInfo | None, unit_id: str, from_: date) -> None:
    if unit is None:
        raise InvalidError.on("unit_id", f"unknown unit {unit_id}")
    if unit.kind not in ASSIGNABLE_KINDS:
        raise InvalidError.on(
            "unit_id", f"{unit.code} is a {unit.kind}; overseers are put in charge of a "
            "grassroots organisation or a cell"
        )
    if not unit.exists_on(from_):
        raise InvalidError.on("from", f"{unit.code} does not exist on {from_}")


def _holding(basis: Basis, facts: AssignmentFacts) -> Holding:
    """The holding of the basis position in the nearest committee above the unit."""
    wanted = basis.position_unit_id
    rank = {unit_id: depth for depth, unit_id in enumerate(facts.ancestors)}
    fitting = [
        h for h in facts.holdings
        if h.position == basis.position_basis and h.covers(basis.from_)
        and h.unit_id in rank and (wanted is None or h.unit_id == wanted)
    ]
    if not fitting:
        where = f"in {wanted}" if wanted else f"in a unit above {basis.unit_id}"
        field = "position_unit_id" if wanted else "position_basis"
        raise InvalidError.on(
            field, f"{basis.overseer_id} does not hold {basis.position_basis} {where} "
            f"on {basis.from_}"
        )
    return min(fitting, key=lambda h: (rank[h.unit_id], h.from_, h.position_id))
