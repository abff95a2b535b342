"""The reporting projection run by consumer group "reporting" over every service's events.

`apply` folds one event into the batch in memory (a handler error dead-letters that event);
`write` stores the batch with multi-row upserts inside the runner's transaction, together with
the runner's offsets. Every envelope is also kept whole in the audit table.
"""

from __future__ import annotations

import sqlalchemy as sa

from chibo_contracts import DecodedEvent
from chibo_contracts.canonical import canonical_json
from chibo_contracts.meetings import SOURCE as MEETINGS
from chibo_contracts.members import SOURCE as MEMBERS
from chibo_contracts.reporting import SOURCE as REPORTING
from chibo_reporting.projections import meetings, members, oversight
from chibo_reporting.projections.batch import Batch, Row
from chibo_reporting.projections.writer import Memory, write
from chibo_reporting.read_models import ReadModel

OVERSIGHT = "oversight"
SOURCES = (MEMBERS, MEETINGS, OVERSIGHT, REPORTING)
GROUP = "reporting"

_HANDLERS = {
    **{f"{MEMBERS}.{name}": h for name, h in members.HANDLERS.items()},
    **{f"{MEETINGS}.{name}": h for name, h in meetings.HANDLERS.items()},
    **{f"{OVERSIGHT}.{name}": h for name, h in oversight.OVERSIGHT_HANDLERS.items()},
    **{f"{REPORTING}.{name}": h for name, h in oversight.REPORTING_HANDLERS.items()},
}


def audit_row(event: DecodedEvent) -> Row:
    """The envelope exactly as received, so that its hash can be checked again later."""
    envelope = event.envelope
    return {
        "event_id": envelope.id, "source": envelope.source, "type": envelope.type,
        "stream_id": envelope.stream_id, "stream_version": envelope.stream_version,
        "position": envelope.position, "time": envelope.time, "actor": envelope.actor,
        "correlation_id": envelope.correlation_id, "causation_id": envelope.causation_id,
        "subject": envelope.subject, "schema_version": envelope.schema_version,
        "specversion": envelope.specversion,
        "data": _data_text(event),
        "prev_hash": envelope.prev_hash, "hash": envelope.hash,
    }


def _data_text(event: DecodedEvent) -> str:
    """The data's JSON text as it arrived (half of folding a batch went into serializing it
    again), or its canonical form when it did not arrive as UTF-8 bytes."""
    if event.received is not None:
        try:
            return event.received.decode("utf-8")
        except UnicodeDecodeError:
            pass  # JSON may come in UTF-16 or UTF-32 too
    return canonical_json(dict(event.envelope.data)).decode("utf-8")


class ReportingProjection:
    """Projects members, meetings, oversight and reporting events into the read models."""

    def __init__(self, model: ReadModel) -> None:
        self.model = model
        self.memory = Memory()  # the writer's, between batches

    def start(self) -> Batch:
        return Batch()

    def apply(self, batch: Batch, event: DecodedEvent) -> None:
        envelope = event.envelope
        handler = _HANDLERS.get(event.type)
        if handler is not None:
            handler(batch, event.data, envelope)
        batch.put("audit_events", (envelope.id,), audit_row(event))
        batch.saw(envelope.source, envelope.position)

    def write(self, batch: Batch, conn: sa.Connection) -> None:
        write(batch, conn, self.model, self.memory)
