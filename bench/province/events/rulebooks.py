"""reporting.events of a plan: the province's published rulebooks, versions in order."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from bench.province.events.base import Event
from bench.province.plan import Plan


def rulebook_events(plan: Plan, complete: Any = None) -> Iterator[Event]:
    """`complete(parameters)` merges the published values over the national defaults."""
    versions: dict[str, int] = defaultdict(int)
    for rulebook in sorted(plan.rulebooks, key=lambda r: r.effective_from):
        versions[rulebook.unit_id] += 1
        parameters = complete(rulebook.parameters) if complete else rulebook.parameters
        yield Event("reporting", rulebook.id, "RulebookPublished", {
            "rulebook_id": rulebook.id, "unit_id": rulebook.unit_id,
            "version": versions[rulebook.unit_id], "effective_from": rulebook.effective_from,
            "parameters": parameters, "name": rulebook.name})
