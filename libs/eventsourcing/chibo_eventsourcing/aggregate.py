"""The tiny aggregate base that domain modules build on (standard library only)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Self


class Aggregate:
    """State folded from a stream of domain events; new events wait in `pending` until saved."""

    def __init__(self, aggregate_id: str) -> None:
        self.id = aggregate_id
        self.version = 0
        self.pending: list[Any] = []

    def when(self, event: Any) -> None:
        """Change state for one event; subclasses dispatch on the event's class."""
        raise NotImplementedError

    def trigger(self, event: Any) -> None:
        """Apply a new event and keep it for saving."""
        self.when(event)
        self.version += 1
        self.pending.append(event)

    def collect(self) -> list[Any]:
        """Hand over the pending events and forget them."""
        events, self.pending = self.pending, []
        return events

    @property
    def saved_version(self) -> int:
        """The stream version this object was loaded at (the optimistic-concurrency guard)."""
        return self.version - len(self.pending)

    @classmethod
    def rehydrate(cls, aggregate_id: str, events: Iterable[Any]) -> Self:
        aggregate = cls(aggregate_id)
        for event in events:
            aggregate.when(event)
            aggregate.version += 1
        return aggregate
