"""The oversight service's errors: one base, one class per HTTP answer the API gives."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


class OversightError(Exception):
    """Base of every error the oversight service raises on purpose."""


class NotFoundError(OversightError):
    """No assignment, visit or review has this id."""

    def __init__(self, kind: str, resource_id: str) -> None:
        super().__init__(f"no {kind} {resource_id}")


class ConflictError(OversightError):
    """The change clashes with what is recorded: an id in use, an overlapping assignment, a
    second visit to one meeting, a second open case, or a step out of the life cycle."""


class InvalidError(OversightError):
    """The command's data breaks an invariant; `errors` names the offending fields."""

    def __init__(self, detail: str, errors: Mapping[str, Sequence[str]]) -> None:
        super().__init__(detail)
        self.errors = {name: list(messages) for name, messages in errors.items()}

    @classmethod
    def on(cls, field: str, message: str) -> InvalidError:
        return cls(f"{field}: {message}", {field: [message]})


class AccessError(OversightError):
    """The caller's token does not reach the unit concerned, or lacks the role for the change."""
