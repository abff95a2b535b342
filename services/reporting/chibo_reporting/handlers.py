"""Command handlers: load the aggregate, decide, save."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from chibo_eventsourcing.repository import Repository, Written
from chibo_eventsourcing.store import Metadata
from chibo_reporting import rulebooks
from chibo_reporting.commands import PublishRulebook
from chibo_reporting.domain import (
    InvalidParametersError,
    RulebookConflictError,
    UnitRulebooks,
    UnknownUnitError,
    stream_for,
)


@dataclass(frozen=True)
class Deps:
    """What handlers need: the rulebook repository, which unit's series already holds a
    rulebook id (as the store says, in the publication's transaction), and whether
    members.events has told of a unit."""

    repository: Repository[UnitRulebooks]
    unit_of_rulebook: Callable[[str], str | None]
    known_unit: Callable[[str], bool]


def publish_rulebook(command: PublishRulebook, deps: Deps, metadata: Metadata,
                     if_match: int | None) -> Written:
    """Validate the unit and the parameters, merge them over the defaults, publish the next
    version."""
    if not deps.known_unit(command.unit_id):
        raise UnknownUnitError(
            f"unit_id: unknown unit (not, or not yet, received from members.events): "
            f"{command.unit_id}; a unit just created can be waited for with "
            f"wait_for=<its Chibo-Position>",
            errors={"unit_id": ["unknown unit (not, or not yet, received from members.events)"]})
    if command.rulebook_id == rulebooks.NATIONAL_DEFAULT_ID:
        raise RulebookConflictError(f"{command.rulebook_id} is the national default's id",
                                    errors={"id": ["the national default's id"]})
    owner = deps.unit_of_rulebook(command.rulebook_id)
    if owner is not None and owner != command.unit_id:
        raise RulebookConflictError(f"rulebook {command.rulebook_id} belongs to unit {owner}",
                                    errors={"id": ["already used for another unit"]})
    try:
        parameters = rulebooks.validate(command.parameters)
    except rulebooks.ParameterError as exc:
        raise InvalidParametersError(str(exc), errors={"parameters": exc.errors}) from exc
    stream = stream_for(command.unit_id)
    series = deps.repository.find(stream) or UnitRulebooks(stream)
    series.publish(command.rulebook_id, command.effective_from, parameters, command.name)
    return deps.repository.save(series, metadata, expected_version=if_match)


Handler = Callable[[Any, Deps, Metadata, "int | None"], Written]
HANDLERS: dict[type, Handler] = {PublishRulebook: publish_rulebook}
