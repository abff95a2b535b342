"""Organisation units: created, renamed, moved, merged and dissolved, each on an effective date."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from chibo_eventsourcing.aggregate import Aggregate
from chibo_members.domain.errors import CycleError, DateError, InactiveError, KindError, StateError
from chibo_members.domain.timeline import Timeline

UNIT_KINDS = (
    "provincial_committee",
    "district_committee",
    "commune_committee",
    "grassroots_committee",
    "cell",
    "party_group",
    "other_committee",
)
COMMITTEES = frozenset(k for k in UNIT_KINDS if k not in ("cell", "party_group"))
# Which parents each kind may sit under; None is "a root". Other committees (provincial
# agencies, police, army, enterprises, partial committees) sit beside the regular levels.
ALLOWED_PARENTS: dict[str, frozenset[str | None]] = {
    "provincial_committee": frozenset({None, "other_committee"}),
    "district_committee": frozenset({"provincial_committee", "other_committee"}),
    "commune_committee": frozenset(
        {"provincial_committee", "district_committee", "other_committee"}
    ),
    "grassroots_committee": frozenset(
        {"provincial_committee", "district_committee", "commune_committee", "other_committee"}
    ),
    "other_committee": frozenset({None, *COMMITTEES}),
    "cell": frozenset(COMMITTEES),
    "party_group": frozenset({"cell"}),
}


@dataclass(frozen=True)
class OrgUnitCreated:
    unit_id: str
    code: str
    name: str
    kind: str
    parent_id: str | None
    effective_from: date


@dataclass(frozen=True)
class OrgUnitRenamed:
    unit_id: str
    name: str
    effective_from: date


@dataclass(frozen=True)
class OrgUnitMoved:
    unit_id: str
    parent_id: str
    previous_parent_id: str | None
    effective_from: date


@dataclass(frozen=True)
class OrgUnitMerged:
    unit_id: str
    into_id: str
    effective_from: date


@dataclass(frozen=True)
class OrgUnitDissolved:
    unit_id: str
    reason: str
    effective_from: date


UnitEvent = OrgUnitCreated | OrgUnitRenamed | OrgUnitMoved | OrgUnitMerged | OrgUnitDissolved
FindUnit = Callable[[str], "OrgUnit | None"]


def check_nesting(kind: str, parent_kind: str | None, *, field: str = "parent_id") -> None:
    if parent_kind in ALLOWED_PARENTS[kind]:
        return
    where = "a root unit" if parent_kind is None else f"under a {parent_kind}"
    allowed = sorted(k or "no parent (a root)" for k in ALLOWED_PARENTS[kind])
    raise KindError(
        f"a {kind} cannot be {where}; it may sit under: {', '.join(allowed)}", field=field
    )


class OrgUnit(Aggregate):
    """One unit of the tree; its name and parent are timelines, its end a date."""

    def __init__(self, unit_id: str) -> None:
        super().__init__(unit_id)
        self.origin: OrgUnitCreated | None = None
        self.names: Timeline[str] = Timeline()
        self.parents: Timeline[str | None] = Timeline()
        self.ended_on: date | None = None
        self.merged_into: str | None = None
        self.dissolution_reason: str | None = None

    @classmethod
    def create(cls, creation: OrgUnitCreated, parent: OrgUnit | None) -> OrgUnit:
        check_nesting(creation.kind, parent.kind if parent else None)
        if parent is not None:
            parent.require_active(creation.effective_from, field="parent_id")
        unit = cls(creation.unit_id)
        unit.trigger(creation)
        return unit

    @property
    def created(self) -> OrgUnitCreated:
        assert self.origin is not None, "a unit always starts with its creation"
        return self.origin

    @property
    def code(self) -> str:
        return self.created.code

    @property
    def kind(self) -> str:
        return self.created.kind

    @property
    def created_on(self) -> date:
        return self.created.effective_from

    def active_on(self, on: date) -> bool:
        return self.created_on <= on and (self.ended_on is None or on < self.ended_on)

    def status_on(self, on: date) -> str:
        if on < self.created_on:
            return "not_yet_created"
        if self.ended_on is not None and on >= self.ended_on:
            return "merged" if self.merged_into else "dissolved"
        return "active"

    def require_active(self, on: date, *, field: str) -> None:
        """Raise unless this unit exists on `on` (used when another unit or member refers to it)."""
        status = self.status_on(on)
        if status == "not_yet_created":
            raise InactiveError(
                f"unit {self.code} did not exist yet on {on} (created {self.created_on})",
                field=field,
            )
        if status != "active":
            raise InactiveError(f"unit {self.code} was {status} on {self.ended_on}", field=field)

    def rename(self, name: str, on: date) -> None:
        self._require_open(on)
        if self.names.at(on) == name:
            raise StateError(f"the unit is already named {name!r} on {on}", field="name")
        self.trigger(OrgUnitRenamed(self.id, name, on))

    def move(self, parent: OrgUnit, on: date, find: FindUnit) -> None:
        self._require_open(on)
        if parent.id == self.id or _would_cycle(find, self.id, parent.id, on):
            raise CycleError(
                f"unit {parent.code} is {self.code} or below it on {on}", field="parent_id"
            )
        parent.require_active(on, field="parent_id")
        previous = self.parents.at(on)
        if previous == parent.id:
            raise StateError(f"the unit is already under {parent.code} on {on}", field="parent_id")
        check_nesting(self.kind, parent.kind)
        self.trigger(OrgUnitMoved(self.id, parent.id, previous, on))

    def merge(self, into: OrgUnit, on: date, find: FindUnit) -> None:
        self._require_ending(on)
        if into.id == self.id or _would_cycle(find, self.id, into.id, on):
            raise CycleError(
                f"unit {into.code} is {self.code} or below it on {on}", field="into_id"
            )
        into.require_active(on, field="into_id")
        if into.kind != self.kind:
            raise KindError(
                f"a {self.kind} can only merge into another {self.kind}", field="into_id"
            )
        self.trigger(OrgUnitMerged(self.id, into.id, on))

    def dissolve(self, reason: str, on: date) -> None:
        self._require_ending(on)
        self.trigger(OrgUnitDissolved(self.id, reason, on))

    def _require_open(self, on: date) -> None:
        if on < self.created_on:
            raise DateError(
                f"{on} is before the unit was created ({self.created_on})", field="effective_from"
            )
        if self.ended_on is not None and on >= self.ended_on:
            raise InactiveError(
                f"unit {self.code} was {self.status_on(on)} on {self.ended_on}",
                field="effective_from",
            )

    def _require_ending(self, on: date) -> None:
        self._require_open(on)
        last = max(d for d in (self.names.last_date(), self.parents.last_date()) if d is not None)
        if on <= last:
            raise DateError(
                f"the unit can only end after its last recorded change ({last})",
                field="effective_from",
            )

    def when(self, event: UnitEvent) -> None:
        match event:
            case OrgUnitCreated():
                self.origin = event
                self.names.set(event.effective_from, event.name)
                self.parents.set(event.effective_from, event.parent_id)
            case OrgUnitRenamed():
                self.names.set(event.effective_from, event.name)
            case OrgUnitMoved():
                self.parents.set(event.effective_from, event.parent_id)
            case OrgUnitMerged():
                self.ended_on, self.merged_into = event.effective_from, event.into_id
            case OrgUnitDissolved():
                self.ended_on, self.dissolution_reason = event.effective_from, event.reason


def lineage(find: FindUnit, unit_id: str, on: date) -> list[OrgUnit]:
    """The unit and its ancestors on `on`, nearest first."""
    chain: list[OrgUnit] = []
    current = find(unit_id)
    while current is not None and all(u.id != current.id for u in chain):
        chain.append(current)
        parent_id = current.parents.at(on)
        current = find(parent_id) if parent_id else None
    return chain


def _would_cycle(find: FindUnit, unit_id: str, parent_id: str, on: date) -> bool:
    """Whether `unit_id` is in the line of `parent_id` on `on`, or on any later day when a unit
    of that line is already recorded to move."""
    days, checked = [on], set()
    while days:
        day = days.pop()
        if day in checked:
            continue
        checked.add(day)
        for unit in lineage(find, parent_id, day):
            if unit.id == unit_id:
                return True
            days.extend(d for d in unit.parents.dates() if d > on)
    return False
