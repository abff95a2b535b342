"""Loads and saves the service's aggregates inside one database transaction.

Saving appends the aggregate's new events and upserts its row in the service's own list in the
same transaction (or deletes it: a withdrawn visit is off the list), so the lists never lag the
event store. One stream namespace holds every kind: a stream of another kind reads as absent.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, TypeVar

import sqlalchemy as sa

from chibo_contracts import Envelope
from chibo_eventsourcing.aggregate import Aggregate
from chibo_eventsourcing.repository import Written
from chibo_eventsourcing.sql.store import SqlEventStore
from chibo_eventsourcing.sql.upsert import upsert
from chibo_eventsourcing.store import ConcurrencyError, Metadata
from chibo_oversight import publishing
from chibo_oversight.domain import Assignment, Review, Visit
from chibo_oversight.read_models import Tables

A = TypeVar("A", bound=Aggregate)

FIRST_EVENT: dict[type, str] = {
    Assignment: "oversight.OverseerAssigned",
    Visit: "oversight.VisitMade",
    Review: "oversight.ReviewOpened",
}


class SqlStreams:
    """The event store and the lists as seen through `conn` (a transaction, or a read)."""

    def __init__(self, store: SqlEventStore, tables: Tables, conn: sa.Connection) -> None:
        self.store = store
        self.tables = tables
        self.conn = conn

    def find(self, kind: type[A], aggregate_id: str, version: int | None = None) -> A | None:
        envelopes = self.store.load(aggregate_id, version, connection=self.conn)
        if not envelopes or envelopes[0].type != FIRST_EVENT[kind]:
            return None
        return rehydrate(kind, aggregate_id, envelopes)

    def taken(self, stream_id: str) -> bool:
        return bool(self.store.load(stream_id, 1, connection=self.conn))

    def save(
        self, aggregate: Aggregate, metadata: Metadata, *, expected_version: int | None = None
    ) -> Written:
        base = aggregate.saved_version
        if expected_version is not None and expected_version != base:
            raise ConcurrencyError(aggregate.id, expected_version, base)
        events = [publishing.encode(e) for e in aggregate.collect()]
        if not events:  # a retried create (run_command names the stream's last position)
            return Written(aggregate.id, base, 0)
        stored = self.store.append(aggregate.id, base, events, metadata, connection=self.conn)
        name, key = _LISTS[type(aggregate)]
        table, row = getattr(self.tables, name), listed(aggregate)
        if row is None:
            self.conn.execute(sa.delete(table).where(table.c[key] == aggregate.id))
        else:
            upsert(self.conn, table, [row], [key])
        return Written(aggregate.id, aggregate.version, stored[-1].position or 0)

    def save_all(self, aggregates: list[Aggregate], metadata: Metadata,
                 expected_version: int | None = None) -> Written | None:
        """Save in order; only the last (the command's resource) keeps the idempotency key and
        the client's If-Match. The answer names the last event appended."""
        written = None
        for aggregate in aggregates[:-1]:
            self.save(aggregate, replace(metadata, idempotency_key=None))
        if aggregates:
            written = self.save(aggregates[-1], metadata, expected_version=expected_version)
        return written


def rehydrate(kind: type[A], aggregate_id: str, envelopes: list[Envelope]) -> A:
    return kind.rehydrate(aggregate_id, (publishing.decode(e) for e in envelopes))


def assignment_row(assignment: Assignment) -> dict[str, Any]:
    a = assignment.assigned
    assert a is not None
    return {
        "assignment_id": a.assignment_id, "overseer_id": a.overseer_id, "unit_id": a.unit_id,
        "position_basis": a.position_basis, "position_unit_id": a.position_unit_id,
        "position_id": a.position_id, "from_date": a.from_, "to_date": a.to,
        "ended_on": assignment.ended_on, "version": assignment.version,
    }


def visit_row(visit: Visit) -> dict[str, Any]:
    v = visit.made
    assert v is not None
    return {
        "visit_id": v.visit_id, "overseer_id": v.overseer_id, "cell_id": v.cell_id,
        "meeting_id": v.meeting_id, "visited_on": v.visited_on, "comments": v.comments,
        "issues": list(v.issues), "follow_ups": list(v.follow_ups), "derived": v.derived,
        "counts_toward_quota": v.counts_toward_quota, "assignment_id": v.assignment_id,
        "position_basis": v.position_basis, "guest_role": v.guest_role,
        "version": visit.version,
    }


def review_row(review: Review) -> dict[str, Any]:
    o, e, c = review.opened, review.explanation, review.closed
    assert o is not None
    return {
        "review_id": o.review_id, "cell_id": o.cell_id, "period": o.period,
        "rule_ids": list(o.rule_ids), "reminded_on": o.reminded_on, "note": o.note,
        "status": review.status, "explanation": e.text if e else None,
        "received_on": e.received_on if e else None, "outcome": c.outcome if c else None,
        "closed_on": c.closed_on if c else None, "closing_note": c.note if c else None,
        "version": review.version,
    }


_LISTS: dict[type, tuple[str, str]] = {
    Assignment: ("assignments", "assignment_id"),
    Visit: ("visits", "visit_id"),
    Review: ("reviews", "review_id"),
}


def listed(aggregate: Aggregate) -> dict[str, Any] | None:
    """The aggregate's row in its list; None when it is off the list (a withdrawn visit)."""
    if isinstance(aggregate, Visit) and not aggregate.standing:
        return None
    return _row(aggregate)


def row_of(aggregate: Aggregate) -> dict[str, Any]:
    """What the API answers with: the list row, and whether a visit was withdrawn and why."""
    if isinstance(aggregate, Visit):
        gone = aggregate.withdrawn
        return visit_row(aggregate) | {"withdrawn": gone is not None,
                                       "withdrawal_reason": gone.reason if gone else None}
    return _row(aggregate)


def _row(aggregate: Aggregate) -> dict[str, Any]:
    if isinstance(aggregate, Assignment):
        return assignment_row(aggregate)
    if isinstance(aggregate, Visit):
        return visit_row(aggregate)
    assert isinstance(aggregate, Review)
    return review_row(aggregate)
