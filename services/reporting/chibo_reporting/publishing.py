"""The one translation point between the private rulebook event and the public contract."""

from __future__ import annotations

from typing import Any

from chibo_contracts import Envelope
from chibo_contracts.catalog import public_registry
from chibo_contracts.reporting import SOURCE
from chibo_eventsourcing.store import NewEvent
from chibo_reporting.domain import RulebookPublished

RULEBOOK_PUBLISHED = f"{SOURCE}.RulebookPublished"


class Codec:
    def __init__(self) -> None:
        self.registry = public_registry()

    def encode(self, event: Any) -> NewEvent:
        assert isinstance(event, RulebookPublished)
        data = {"rulebook_id": event.rulebook_id, "unit_id": event.unit_id,
                "version": event.version, "effective_from": event.effective_from,
                "parameters": event.parameters, "name": event.name}
        return NewEvent(RULEBOOK_PUBLISHED, self.registry.encode(RULEBOOK_PUBLISHED, data),
                        self.registry.latest_version(RULEBOOK_PUBLISHED), subject=event.unit_id)

    def decode(self, envelope: Envelope) -> RulebookPublished:
        data = self.registry.decode(envelope).data
        return RulebookPublished(data["rulebook_id"], data["unit_id"], data["version"],
                                 data["effective_from"], dict(data["parameters"]), data["name"])
