"""The meetings domain: the Meeting aggregate, its private events, the roll and the rubrics."""

from chibo_meetings.domain.errors import (
    IdInUseError,
    InvalidMeetingError,
    MeetingExistsError,
    MeetingNotFoundError,
    MeetingsError,
    MeetingStateError,
    OutOfScopeError,
)
from chibo_meetings.domain.meeting import KINDS, Meeting
from chibo_meetings.domain.roll import CellInfo, CellRoll, require_cell_on
from chibo_meetings.domain.rubrics import RUBRICS, Rubric, rubric_for

__all__ = [
    "KINDS",
    "RUBRICS",
    "CellInfo",
    "CellRoll",
    "IdInUseError",
    "InvalidMeetingError",
    "Meeting",
    "MeetingExistsError",
    "MeetingNotFoundError",
    "MeetingStateError",
    "MeetingsError",
    "OutOfScopeError",
    "Rubric",
    "require_cell_on",
    "rubric_for",
]
