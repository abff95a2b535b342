"""The one translation point between the meeting's private events and the public contract.

The private events mirror `chibo_contracts.meetings` field for field, so the translation is the
dataclass's fields one way and the contract's loaded data the other; nested lists become tuples
of the nested private types.
"""

from __future__ import annotations

from dataclasses import asdict, fields
from functools import cache
from typing import Any

from chibo_contracts import Envelope, EventRegistry
from chibo_contracts.catalog import public_registry
from chibo_contracts.meetings import SOURCE
from chibo_eventsourcing.store import NewEvent
from chibo_meetings.domain.events import (
    EVENT_CLASSES,
    AttendanceEntry,
    Guest,
    MeetingEvent,
    ResolutionTask,
)

_CLASSES: dict[str, type] = {cls.__name__: cls for cls in EVENT_CLASSES}
_NESTED: dict[str, type] = {"entries": AttendanceEntry, "guests": Guest, "tasks": ResolutionTask}

@cache
def registry() -> EventRegistry:
    return public_registry()


def event_type(event: MeetingEvent) -> str:
    return f"{SOURCE}.{type(event).__name__}"


def encode(event: MeetingEvent) -> NewEvent:
    """Private event → the contract's validated JSON form, ready to append."""
    name = event_type(event)
    data = registry().encode(name, asdict(event))
    return NewEvent(name, data, registry().latest_version(name), subject=event.meeting_id)


def decode(envelope: Envelope) -> MeetingEvent:
    """A stored meetings event (upcast to the latest contract version) → the private event."""
    data = registry().decode(envelope).data
    cls = _CLASSES[envelope.type.removeprefix(f"{SOURCE}.")]
    values: dict[str, Any] = {}
    for field in fields(cls):
        value = data.get(field.name)
        if field.name in _NESTED:
            value = tuple(_NESTED[field.name](**item) for item in value or ())
        elif isinstance(value, list):
            value = tuple(value)
        values[field.name] = value
    event: MeetingEvent = cls(**values)
    return event
