"""Party members: their cell over time, full membership, exemptions, attachments, positions."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from chibo_eventsourcing.aggregate import Aggregate
from chibo_members.domain.errors import (
    ConflictError,
    DateError,
    InactiveError,
    KindError,
    NotFoundError,
    RuleError,
    StateError,
)
from chibo_members.domain.member_events import (
    Attachment,
    Exemption,
    Holding,
    MemberConfirmedFull,
    MemberEvent,
    MemberExempted,
    MemberExemptionEnded,
    MemberLeft,
    MemberRegistered,
    MemberTemporarilyAttached,
    MemberTransferred,
    PositionAssigned,
    PositionEnded,
)
from chibo_members.domain.timeline import Timeline
from chibo_members.domain.units import COMMITTEES, OrgUnit

_CELL_POSITIONS = frozenset({"cell_committee_member"})
_COMMITTEE_POSITIONS = frozenset({"standing_committee_member", "executive_committee_member"})


def require_cell(unit: OrgUnit, on: date, *, field: str = "cell_id") -> None:
    if unit.kind != "cell":
        raise KindError(f"unit {unit.code} is a {unit.kind}, not a cell", field=field)
    unit.require_active(on, field=field)


def _require_order(from_: date, to: date | None) -> None:
    if to is not None and to < from_:
        raise DateError(f"`to` ({to}) is before `from` ({from_})", field="to")


class Member(Aggregate):
    def __init__(self, member_id: str) -> None:
        super().__init__(member_id)
        self.origin: MemberRegistered | None = None
        self.full_from: date | None = None
        self.cells: Timeline[str] = Timeline()
        self.left: MemberLeft | None = None
        self.exemptions: dict[str, Exemption] = {}
        self.attachments: dict[str, Attachment] = {}
        self.positions: dict[str, Holding] = {}

    @classmethod
    def register(cls, registration: MemberRegistered, cell: OrgUnit) -> Member:
        require_cell(cell, registration.admitted_on)
        if registration.birth_date and registration.birth_date >= registration.admitted_on:
            raise DateError("birth_date must be before admitted_on", field="birth_date")
        member = cls(registration.member_id)
        member.trigger(registration)
        return member

    @property
    def registered(self) -> MemberRegistered:
        assert self.origin is not None, "a member always starts with the registration"
        return self.origin

    @property
    def admitted_on(self) -> date:
        return self.registered.admitted_on

    @property
    def left_on(self) -> date | None:
        return self.left.effective_from if self.left else None

    def active_on(self, on: date) -> bool:
        return self.admitted_on <= on and (self.left_on is None or on < self.left_on)

    def status_on(self, on: date) -> str:
        return "full" if self.full_from is not None and self.full_from <= on else "probationary"

    def cell_on(self, on: date) -> str | None:
        return self.cells.at(on) if self.active_on(on) else None

    def transfer(self, cell: OrgUnit, on: date) -> None:
        self._require_member(on)
        last = self.cells.last_date()
        if last is not None and on <= last:
            raise DateError(
                f"a transfer must come after the last change of cell ({last})",
                field="effective_from",
            )
        require_cell(cell, on)
        if self.cells.at(on) == cell.id:
            raise StateError(f"the member is already in cell {cell.code}", field="cell_id")
        self.trigger(MemberTransferred(self.id, cell.id, self.cells.at(on), on))

    def confirm_full(self, on: date) -> None:
        self._require_member(on)
        if self.full_from is not None:
            raise StateError(
                f"already a full member since {self.full_from}", field="effective_from"
            )
        self.trigger(MemberConfirmedFull(self.id, on))

    def exempt(self, exemption: MemberExempted) -> None:
        self._require_member(exemption.from_, field="from")
        _require_order(exemption.from_, exemption.to)
        self._require_new_id(exemption.exemption_id, self.exemptions)
        clash = next(
            (e for e in self.exemptions.values() if e.overlaps(exemption.from_, exemption.to)), None
        )
        if clash is not None:
            raise StateError(
                f"already exempted from {clash.from_} ({clash.decision_ref})", field="from"
            )
        self.trigger(exemption)

    def end_exemption(self, on: date, exemption_id: str | None = None) -> None:
        exemption = self._exemption(exemption_id, on)
        if on < exemption.from_:
            raise DateError(f"the exemption starts on {exemption.from_}", field="on")
        if exemption.to is not None and on >= exemption.to:
            raise StateError(f"the exemption already ends on {exemption.to}", field="on")
        self.trigger(MemberExemptionEnded(self.id, exemption.id, on))

    def attach(self, attachment: MemberTemporarilyAttached, cell: OrgUnit) -> None:
        self._require_member(attachment.from_, field="from")
        _require_order(attachment.from_, attachment.to)
        self._require_new_id(attachment.attachment_id, self.attachments)
        require_cell(cell, attachment.from_)
        if self.cells.at(attachment.from_) == cell.id:
            raise StateError("a member cannot be attached to their own cell", field="cell_id")
        if any(a.overlaps(attachment.from_, attachment.to) for a in self.attachments.values()):
            raise StateError("already attached to a cell in that period", field="from")
        self.trigger(attachment)

    def assign(self, assignment: PositionAssigned, unit: OrgUnit) -> None:
        self._require_member(assignment.from_, field="from")
        _require_order(assignment.from_, assignment.to)
        self._require_new_id(assignment.position_id, self.positions)
        unit.require_active(assignment.from_, field="unit_id")
        self._require_position_fits(assignment, unit)
        if any(
            h.unit_id == unit.id
            and h.position == assignment.position
            and h.overlaps(assignment.from_, assignment.to)
            for h in self.positions.values()
        ):
            raise StateError(
                f"already {assignment.position} of {unit.code} in that period", field="from"
            )
        self.trigger(assignment)

    def end_position(self, position_id: str, on: date) -> None:
        holding = self.positions.get(position_id)
        if holding is None:
            raise NotFoundError(f"the member holds no position {position_id}", field="position_id")
        if on < holding.from_:
            raise DateError(f"the position starts on {holding.from_}", field="on")
        if holding.to is not None and on >= holding.to:
            raise StateError(f"the position already ends on {holding.to}", field="on")
        self.trigger(PositionEnded(self.id, position_id, on))

    def leave(self, reason: str, on: date) -> None:
        self._require_member(on)
        last = self.cells.last_date()
        if last is not None and on <= last:
            raise DateError(
                f"leaving must come after the last change of cell ({last})", field="effective_from"
            )
        self.trigger(MemberLeft(self.id, reason, on))

    def _require_member(self, on: date, *, field: str = "effective_from") -> None:
        if on < self.admitted_on:
            raise DateError(
                f"{on} is before the member was admitted ({self.admitted_on})", field=field
            )
        if self.left is not None and on >= self.left.effective_from:
            raise InactiveError(
                f"the member left on {self.left.effective_from} ({self.left.reason})", field=field
            )

    @staticmethod
    def _require_new_id(item_id: str, existing: Mapping[str, object]) -> None:
        if item_id in existing:
            raise ConflictError(f"id {item_id} is already used for this member", field="id")

    def _exemption(self, exemption_id: str | None, on: date) -> Exemption:
        if exemption_id is not None:
            found = self.exemptions.get(exemption_id)
        else:
            found = next((e for e in self.exemptions.values() if e.covers(on)), None)
        if found is None:
            raise StateError(f"the member has no exemption in force on {on}", field="on")
        return found

    def _require_position_fits(self, assignment: PositionAssigned, unit: OrgUnit) -> None:
        if assignment.position in _CELL_POSITIONS and unit.kind != "cell":
            raise KindError(f"{assignment.position} is a position in a cell", field="unit_id")
        if assignment.position in _COMMITTEE_POSITIONS and unit.kind not in COMMITTEES:
            raise KindError(f"{assignment.position} is a position in a committee", field="unit_id")
        cell = self.cells.at(assignment.from_)
        home = unit.id if unit.kind == "cell" else unit.parents.at(assignment.from_)
        if unit.kind in ("cell", "party_group") and home != cell:
            raise RuleError(
                "officers of a cell or party group come from that cell", field="unit_id"
            )

    def when(self, event: MemberEvent) -> None:
        match event:
            case MemberRegistered():
                self.origin = event
                self.cells.set(event.admitted_on, event.cell_id)
                self.full_from = event.admitted_on if event.status == "full" else None
            case MemberTransferred():
                self.cells.set(event.effective_from, event.cell_id)
            case MemberConfirmedFull():
                self.full_from = event.effective_from
            case MemberExempted():
                self.exemptions[event.exemption_id] = Exemption(
                    event.exemption_id, event.from_, event.to, event.reason, event.decision_ref
                )
            case MemberExemptionEnded():
                self.exemptions[event.exemption_id].to = event.on
            case MemberTemporarilyAttached():
                self.attachments[event.attachment_id] = Attachment(
                    event.attachment_id, event.from_, event.to, event.cell_id
                )
            case PositionAssigned():
                self.positions[event.position_id] = Holding(
                    event.position_id, event.from_, event.to, event.unit_id, event.position
                )
            case PositionEnded():
                self.positions[event.position_id].to = event.on
            case MemberLeft():
                self.left = event
