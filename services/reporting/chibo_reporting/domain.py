"""The unit's rulebook series: each publication is a new version, nothing is ever edited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from chibo_eventsourcing.aggregate import Aggregate

STREAM_PREFIX = "rulebooks:"


class ReportingError(Exception):
    """Base of the reporting service's errors."""

    def __init__(self, message: str, *, errors: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.errors = errors


class RulebookConflictError(ReportingError):
    """A rulebook id already names a different publication."""


class InvalidParametersError(ReportingError):
    """Parameters that are unknown, of the wrong type or out of range."""


class UnknownUnitError(ReportingError):
    """A unit reporting has not (or not yet) received from members.events."""


@dataclass(frozen=True)
class RulebookPublished:
    rulebook_id: str
    unit_id: str
    version: int
    effective_from: date
    parameters: dict[str, Any]
    name: str | None


def stream_for(unit_id: str) -> str:
    return f"{STREAM_PREFIX}{unit_id}"


class UnitRulebooks(Aggregate):
    """The rulebooks published for one unit, version 1, 2, … in publication order."""

    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        self.unit_id = stream_id.removeprefix(STREAM_PREFIX)
        self.published: list[RulebookPublished] = []

    def find(self, rulebook_id: str) -> RulebookPublished | None:
        return next((p for p in self.published if p.rulebook_id == rulebook_id), None)

    def publish(self, rulebook_id: str, effective_from: date, parameters: dict[str, Any],
                name: str | None) -> RulebookPublished:
        """Publish the next version; the same id with the same content is the same publication."""
        existing = self.find(rulebook_id)
        if existing is not None:
            same = (existing.effective_from, existing.parameters, existing.name) == (
                effective_from, parameters, name)
            if not same:
                raise RulebookConflictError(
                    f"rulebook {rulebook_id} was already published with other content",
                    errors={"id": ["already used for another publication"]})
            return existing
        event = RulebookPublished(rulebook_id, self.unit_id, len(self.published) + 1,
                                  effective_from, parameters, name)
        self.trigger(event)
        return event

    def when(self, event: RulebookPublished) -> None:
        self.published.append(event)
