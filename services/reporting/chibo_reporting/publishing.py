"""The one translation point between the private rulebook event and the public contract."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from chibo_contracts import Envelope
from chibo_contracts.catalog import public_registry
from chibo_contracts.reporting import SOURCE
from chibo_eventsourcing.sql.store import Writing
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


def unit_of_rulebook(writing: Writing, rulebook_id: str) -> str | None:
    """The unit whose series holds `rulebook_id`, as reporting's own store says (not its read
    model, which may not have caught up): read inside the publication's `writing` transaction,
    so that two publications of one id can never both find it free."""
    events = writing.store.tables.events
    text = json.dumps(rulebook_id, ensure_ascii=False)  # as the store's canonical JSON holds it
    rows = writing.connection.execute(
        sa.select(events.c.data)
        .where(events.c.type == RULEBOOK_PUBLISHED,
               events.c.data.contains(f'"rulebook_id":{text}', autoescape=True))
        .order_by(events.c.position))
    published = (json.loads(row.data) for row in rows)
    return next((str(data["unit_id"]) for data in published
                 if data["rulebook_id"] == rulebook_id), None)
