"""Rulebooks: the parameters of the compliance rules, their validation, and which one applies.

Every number DOMAIN.md §7 gives is a default here, never a constant in a rule. A published
rulebook holds the complete parameter set (its values merged over these defaults), so a report
under an old rulebook reads exactly what was in force, whatever the defaults become later.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import date
from functools import cached_property
from typing import Any

from chibo_reporting.domain import STREAM_PREFIX
from chibo_reporting.rulebooks.checks import CHECKS, ParameterError, validate
from chibo_reporting.rulebooks.parameters import DEFAULTS, REVIEWABLE_RULES, Parameters

__all__ = [
    "CHECKS",
    "DEFAULTS",
    "NATIONAL_DEFAULT",
    "NATIONAL_DEFAULT_ID",
    "REVIEWABLE_RULES",
    "ParameterError",
    "Parameters",
    "Rulebook",
    "RulebookIndex",
    "parameters",
    "validate",
]

NATIONAL_DEFAULT_ID = "national-default"


def parameters(values: Mapping[str, Any]) -> Parameters:
    """Typed parameters from a stored set (keys missing from an old set take today's defaults)."""
    known = {f.name for f in fields(Parameters)}
    chosen = {k: v for k, v in values.items() if k in known}
    for key in ("follow_through_bands", "review_rules"):
        if key in chosen:
            chosen[key] = tuple(chosen[key])
    return Parameters(**chosen)


@dataclass(frozen=True)
class Rulebook:
    """One published version of a unit's rulebook (unit None: the national default)."""

    rulebook_id: str
    unit_id: str | None
    version: int
    effective_from: date
    name: str | None
    parameters: Parameters
    event_id: str | None = None

    @property
    def stream_id(self) -> str | None:
        """Its unit's series in the audit trail (None: the national default, in the code)."""
        return None if self.unit_id is None else f"{STREAM_PREFIX}{self.unit_id}"

    @property
    def ref(self) -> dict[str, Any]:
        return {"id": self.rulebook_id, "version": self.version, "unit_id": self.unit_id,
                "stream_id": self.stream_id}


NATIONAL_DEFAULT = Rulebook(
    rulebook_id=NATIONAL_DEFAULT_ID,
    unit_id=None,
    version=0,
    effective_from=date(1930, 2, 3),
    name="National defaults (DOMAIN.md §7)",
    parameters=DEFAULTS,
)

Ancestry = Callable[[str, date], list[str]]


class RulebookIndex:
    """Which rulebook is in force for a unit on a day.

    Of a unit's versions, the one with the latest `effective_from` on or before the day is in
    force (on equal dates the higher version). For a cell, the most specific unit above it
    (nearest ancestor, tree as of the day) with a rulebook in force wins; else the default.
    """

    def __init__(self, rulebooks: Iterable[Rulebook]) -> None:
        by_unit: dict[str, list[Rulebook]] = {}
        for rulebook in rulebooks:
            if rulebook.unit_id is not None:
                by_unit.setdefault(rulebook.unit_id, []).append(rulebook)
        self._by_unit = {
            unit: sorted(books, key=lambda b: (b.effective_from, b.version))
            for unit, books in by_unit.items()
        }
        self._starts = {
            unit: [b.effective_from for b in books] for unit, books in self._by_unit.items()
        }

    @cached_property
    def change_days(self) -> tuple[date, ...]:
        """The days a unit's rulebook comes into force on."""
        return tuple(sorted({day for starts in self._starts.values() for day in starts}))

    def own(self, unit_id: str, day: date) -> Rulebook | None:
        books = self._by_unit.get(unit_id)
        if not books:
            return None
        index = bisect.bisect_right(self._starts[unit_id], day)
        return books[index - 1] if index else None

    def for_unit(self, ancestry: Ancestry, unit_id: str, day: date) -> Rulebook:
        """`ancestry(unit, day)` lists the unit and its ancestors on that day, nearest first."""
        if not self._by_unit:
            return NATIONAL_DEFAULT
        for candidate in ancestry(unit_id, day):
            found = self.own(candidate, day)
            if found is not None:
                return found
        return NATIONAL_DEFAULT

    def versions(self, unit_id: str) -> list[Rulebook]:
        return sorted(self._by_unit.get(unit_id, []), key=lambda b: b.version)
