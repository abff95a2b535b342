"""The meetings service's errors: one base, one class per HTTP answer the API gives."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


class MeetingsError(Exception):
    """Base of every error the meetings service raises on purpose."""


class MeetingNotFoundError(MeetingsError):
    """No meeting has this id."""

    def __init__(self, meeting_id: str) -> None:
        super().__init__(f"no meeting {meeting_id}")


class MeetingExistsError(MeetingsError):
    """A meeting with this id was already scheduled, with other data."""

    def __init__(self, meeting_id: str) -> None:
        super().__init__(f"meeting {meeting_id} already exists with other data")


class IdInUseError(MeetingsError):
    """A client-chosen id already names another record of the meeting (a notice, a document)."""


class MeetingStateError(MeetingsError):
    """The command does not fit the meeting's life cycle (e.g. anything after a cancellation)."""


class InvalidMeetingError(MeetingsError):
    """The command's data breaks an invariant; `errors` names the offending fields."""

    def __init__(self, detail: str, errors: Mapping[str, Sequence[str]]) -> None:
        super().__init__(detail)
        self.errors = {name: list(messages) for name, messages in errors.items()}

    @classmethod
    def on(cls, field: str, message: str) -> InvalidMeetingError:
        return cls(f"{field}: {message}", {field: [message]})


class OutOfScopeError(MeetingsError):
    """The caller's token does not reach the cell concerned."""
