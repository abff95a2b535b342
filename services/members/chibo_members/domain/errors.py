"""The members service's errors: each names the request field it is about."""

from __future__ import annotations


class MembersError(Exception):
    """Base of every error the members service raises on purpose."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    @property
    def errors(self) -> dict[str, list[str]] | None:
        """The problem's `errors` object: the message keyed by the field it concerns."""
        return {self.field: [self.message]} if self.field else None


class NotFoundError(MembersError):
    """The unit or member the request is about does not exist."""


class RuleError(MembersError):
    """The request breaks a rule of the tree or of the roll."""


class UnknownReferenceError(RuleError):
    """The request refers to a unit or member that does not exist."""


class InactiveError(RuleError):
    """A unit or member does not exist, or no longer exists, on the date given."""


class DateError(RuleError):
    """A date is out of order with the history already recorded."""


class KindError(RuleError):
    """The kinds of two units do not nest, or a unit has the wrong kind for the request."""


class CycleError(RuleError):
    """The change would put a unit below itself."""


class StateError(RuleError):
    """The change does not apply to the current state (already full, already left, …)."""


class ConflictError(MembersError):
    """The request collides with what exists: a code in use, an id created differently."""


class AccessError(MembersError):
    """The caller's token does not allow this request."""
