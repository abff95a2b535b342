"""Strict HTTP field types: NFC text, ids, numbers that are numbers, booleans that are booleans."""

from __future__ import annotations

import unicodedata
import uuid
from datetime import date, datetime, timedelta
from typing import Any

from marshmallow import ValidationError, fields, validate

from chibo_contracts.meetings import DateOrDateTime
from chibo_meetings.domain.state import VIETNAM

MAX_TEXT = 20_000
# Every date and date-time of a meeting falls on these days of Vietnam's calendar: the Party was
# founded in 1930, and a far bound keeps each time convertible to Vietnam's day (9999-12-31T23:59
# at -14:00 is already in year 10000 there).
FIRST_DAY, LAST_DAY = date(1930, 1, 1), date(2099, 12, 31)
_FIRST_MOMENT = datetime.combine(FIRST_DAY, datetime.min.time(), VIETNAM)
_AFTER_LAST_MOMENT = datetime.combine(LAST_DAY + timedelta(days=1), datetime.min.time(), VIETNAM)
IN_RANGE = f"between {FIRST_DAY} and {LAST_DAY} (Vietnam time)"


class Text(fields.String):
    """A non-blank string, NFC-normalised and stripped."""

    def __init__(self, *, max_length: int = 1000, **kwargs: Any) -> None:
        super().__init__(validate=validate.Length(1, max_length), **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        return unicodedata.normalize("NFC", text).strip()


def member_id(**kwargs: Any) -> fields.String:
    """A member's (or unit's) id as the members service gave it."""
    return fields.String(validate=validate.Length(1, 64), **kwargs)


def _is_uuid(value: str) -> None:
    try:
        uuid.UUID(value)
    except ValueError:
        raise ValidationError("Not a valid UUID.") from None


def uuid_id(**kwargs: Any) -> fields.String:
    """An id the client may supply: a UUID string."""
    return fields.String(validate=[validate.Length(1, 64), _is_uuid], **kwargs)


class Number(fields.Float):
    """A JSON number (not a string, not a boolean), finite."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValidationError("Not a valid number.")
        return super()._deserialize(value, attr, data, **kwargs)


class Boolean(fields.Boolean):
    """true or false, nothing else (not 1, not "yes")."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, bool):
            raise ValidationError("Not a valid boolean.")
        return value


def count(**kwargs: Any) -> fields.Integer:
    return fields.Integer(strict=True, validate=validate.Range(min=0, max=100_000), **kwargs)


def _in_range(value: date) -> None:
    if isinstance(value, datetime):
        inside = _FIRST_MOMENT <= value < _AFTER_LAST_MOMENT
    else:
        inside = FIRST_DAY <= value <= LAST_DAY
    if not inside:
        raise ValidationError(f"Must be {IN_RANGE}.")


def _described(description: str) -> dict[str, str]:
    return {"description": f"{description}, {IN_RANGE}"}


def moment(description: str = "a date-time with offset", **kwargs: Any) -> fields.AwareDateTime:
    """A date-time with offset on a day of the meetings' range."""
    return fields.AwareDateTime(validate=_in_range, metadata=_described(description), **kwargs)


def day(description: str = "YYYY-MM-DD", **kwargs: Any) -> fields.Date:
    """A date in the meetings' range."""
    return fields.Date(validate=_in_range, metadata=_described(description), **kwargs)


def day_or_moment(
    description: str = "YYYY-MM-DD or a date-time with offset", **kwargs: Any
) -> DateOrDateTime:
    """A date, or a date-time with offset, in the meetings' range."""
    return DateOrDateTime(validate=_in_range, metadata=_described(description), **kwargs)
