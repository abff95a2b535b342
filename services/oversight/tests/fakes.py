"""In-memory stand-ins for the handlers' ports: a directory of facts and streams on the
MemoryEventStore (which passes the event-store port suite)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, TypeVar

from chibo_eventsourcing.aggregate import Aggregate
from chibo_eventsourcing.memory import MemoryEventStore
from chibo_eventsourcing.store import Metadata
from chibo_oversight import publishing
from chibo_oversight.domain import (
    Appearance,
    Assignment,
    Charge,
    Holding,
    MeetingInfo,
    MemberInfo,
    Review,
    UnitInfo,
    Visit,
)
from chibo_oversight.repository import FIRST_EVENT, listed

A = TypeVar("A", bound=Aggregate)


@dataclass
class FakeDirectory:
    members: dict[str, MemberInfo] = field(default_factory=dict)
    units: dict[str, UnitInfo] = field(default_factory=dict)
    parents: dict[str, str] = field(default_factory=dict)
    positions: list[Holding] = field(default_factory=list)
    meetings: dict[str, MeetingInfo] = field(default_factory=dict)
    guests: list[Appearance] = field(default_factory=list)
    assignments: dict[str, dict[str, Any]] = field(default_factory=dict)
    visits: dict[str, dict[str, Any]] = field(default_factory=dict)
    reviews: dict[str, dict[str, Any]] = field(default_factory=dict)

    def member(self, member_id: str) -> MemberInfo | None:
        return self.members.get(member_id)

    def unit(self, unit_id: str) -> UnitInfo | None:
        return self.units.get(unit_id)

    def lineage(self, unit_id: str, on: date) -> list[str]:
        line = [unit_id]
        while line[-1] in self.parents:
            line.append(self.parents[line[-1]])
        return line

    def holdings(self, member_id: str) -> list[Holding]:
        return [h for h in self.positions if h.member_id == member_id]

    def meeting(self, meeting_id: str) -> MeetingInfo | None:
        return self.meetings.get(meeting_id)

    def charges(self, overseer_id: str) -> list[Charge]:
        return [
            Charge(r["assignment_id"], r["overseer_id"], r["unit_id"], r["position_basis"],
                   r["from_date"], r["ended_on"] or r["to_date"])
            for r in self.assignments.values() if r["overseer_id"] == overseer_id
        ]

    def visit_at(self, overseer_id: str, meeting_id: str) -> str | None:
        return next((r["visit_id"] for r in self.visits.values()
                     if (r["overseer_id"], r["meeting_id"]) == (overseer_id, meeting_id)), None)

    def derived_at(self, cell_id: str, meeting_id: str) -> dict[str, str]:
        return {r["overseer_id"]: r["visit_id"] for r in self.visits.values()
                if (r["cell_id"], r["meeting_id"], r["derived"]) == (cell_id, meeting_id, True)}

    def open_review(self, cell_id: str, period: str) -> str | None:
        return next((r["review_id"] for r in self.reviews.values()
                     if (r["cell_id"], r["period"]) == (cell_id, period)
                     and r["closed_on"] is None), None)

    def appearances(self, member_id: str, from_: date, last_day: date | None) -> list[Appearance]:
        return [g for g in self.guests if g.member_id == member_id and from_ <= g.held_on
                and (last_day is None or g.held_on <= last_day)]


class MemoryStreams:
    """Streams on a MemoryEventStore; saving also updates the fake directory's list rows."""

    def __init__(self, directory: FakeDirectory) -> None:
        self.store = MemoryEventStore("oversight")
        self.directory = directory

    def find(self, kind: type[A], aggregate_id: str) -> A | None:
        envelopes = self.store.load(aggregate_id)
        if not envelopes or envelopes[0].type != FIRST_EVENT[kind]:
            return None
        return kind.rehydrate(aggregate_id, (publishing.decode(e) for e in envelopes))

    def taken(self, stream_id: str) -> bool:
        return bool(self.store.load(stream_id))

    def save_all(self, aggregates: list[Aggregate], metadata: Metadata) -> None:
        for aggregate in aggregates:
            base = aggregate.saved_version
            events = [publishing.encode(e) for e in aggregate.collect()]
            self.store.append(aggregate.id, base, events, replace(metadata, idempotency_key=None))
            rows = {Assignment: self.directory.assignments, Visit: self.directory.visits,
                    Review: self.directory.reviews}[type(aggregate)]
            row = listed(aggregate)
            if row is None:
                rows.pop(aggregate.id, None)
            else:
                rows[aggregate.id] = row
