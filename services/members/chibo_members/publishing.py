"""The one translation point between the private domain events and the public contract."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from chibo_contracts import Envelope
from chibo_contracts.catalog import public_registry
from chibo_contracts.members import SOURCE
from chibo_eventsourcing.store import NewEvent
from chibo_members.domain import member_events as members
from chibo_members.domain import units

TOPIC = f"{SOURCE}.events"
__all__ = ["PRIVATE_EVENTS", "SOURCE", "TOPIC", "Codec"]
PRIVATE_EVENTS: tuple[type[Any], ...] = (
    units.OrgUnitCreated,
    units.OrgUnitRenamed,
    units.OrgUnitMoved,
    units.OrgUnitMerged,
    units.OrgUnitDissolved,
    members.MemberRegistered,
    members.MemberTransferred,
    members.MemberConfirmedFull,
    members.MemberExempted,
    members.MemberExemptionEnded,
    members.MemberTemporarilyAttached,
    members.PositionAssigned,
    members.PositionEnded,
    members.MemberLeft,
)


class Codec:
    """Each private event maps to the public event of the same name, field for field."""

    def __init__(self) -> None:
        self.registry = public_registry()
        self._by_type = {f"{SOURCE}.{cls.__name__}": cls for cls in PRIVATE_EVENTS}
        self._fields = {cls: tuple(f.name for f in fields(cls)) for cls in PRIVATE_EVENTS}

    def encode(self, event: Any) -> NewEvent:
        event_type = f"{SOURCE}.{type(event).__name__}"
        typed = {name: getattr(event, name) for name in self._fields[type(event)]}
        return NewEvent(
            type=event_type,
            data=self.registry.encode(event_type, typed),
            schema_version=self.registry.latest_version(event_type),
            subject=typed.get("unit_id") or typed.get("member_id"),
        )

    def decode(self, envelope: Envelope) -> Any:
        cls = self._by_type[envelope.type]
        data = self.registry.decode(envelope).data
        return cls(**{name: data.get(name) for name in self._fields[cls]})
