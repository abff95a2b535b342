"""The one translation point between the oversight's private events and the public contract.

The private events mirror `chibo_contracts.oversight` field for field, so the translation is the
dataclass's fields one way and the contract's loaded data the other (lists become tuples).
"""

from __future__ import annotations

from dataclasses import asdict, fields
from functools import cache
from typing import Any

from chibo_contracts import Envelope, EventRegistry
from chibo_contracts.catalog import public_registry
from chibo_contracts.oversight import SOURCE
from chibo_eventsourcing.store import NewEvent
from chibo_oversight.domain.events import EVENT_CLASSES, OversightEvent

_CLASSES: dict[str, type] = {cls.__name__: cls for cls in EVENT_CLASSES}


@cache
def registry() -> EventRegistry:
    return public_registry()


def event_type(event: OversightEvent) -> str:
    return f"{SOURCE}.{type(event).__name__}"


def encode(event: OversightEvent) -> NewEvent:
    """Private event → the contract's validated JSON form, ready to append."""
    name = event_type(event)
    data = registry().encode(name, asdict(event))
    subject = getattr(event, "cell_id", None) or getattr(event, "unit_id", None)
    return NewEvent(name, data, registry().latest_version(name), subject=subject)


def decode(envelope: Envelope) -> OversightEvent:
    """A stored oversight event (upcast to the latest contract version) → the private event."""
    data = registry().decode(envelope).data
    cls = _CLASSES[envelope.type.removeprefix(f"{SOURCE}.")]
    values: dict[str, Any] = {}
    for field in fields(cls):
        value = data.get(field.name)
        values[field.name] = tuple(value) if isinstance(value, list) else value
    event: OversightEvent = cls(**values)
    return event

