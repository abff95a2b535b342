"""Strict HTTP field types: NFC text, ids, numbers that are numbers, booleans that are booleans."""

from __future__ import annotations

import unicodedata
import uuid
from typing import Any

from marshmallow import ValidationError, fields, validate

MAX_TEXT = 20_000


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


class Agenda(fields.List[str]):
    """A list of agenda items; a single text is taken as a one-item list."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(Text(), **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        items = [value] if isinstance(value, str) else value
        return super()._deserialize(items, attr, data, **kwargs)
