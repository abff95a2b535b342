"""Strict HTTP field types: NFC text that is not blank, client-chosen UUIDs, references."""

from __future__ import annotations

import unicodedata
import uuid
from datetime import date
from typing import Any

from marshmallow import ValidationError, fields, validate

MAX_TEXT = 20_000


class Text(fields.String):
    """A string stored NFC-normalised and stripped; never blank."""

    def __init__(self, *, max_length: int = 1000, **kwargs: Any) -> None:
        super().__init__(validate=validate.Length(1, max_length), **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        text = unicodedata.normalize("NFC", text).strip()
        if not text:
            raise ValidationError("Must not be blank.")
        return text


class Uuid(fields.String):
    """An id the client may choose: a UUID, kept in its canonical text form."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        try:
            return str(uuid.UUID(super()._deserialize(value, attr, data, **kwargs)))
        except ValueError:
            raise ValidationError("Not a valid UUID.") from None


def ref(description: str, **kwargs: Any) -> fields.String:
    """The id of a unit, member or meeting as the service that owns it gave it."""
    return fields.String(
        validate=validate.Length(1, 64), metadata={"description": description}, **kwargs
    )


# The days meetings accept too: from the Party's founding year to the end of 2099.
FIRST_DAY, LAST_DAY = date(1930, 1, 1), date(2099, 12, 31)


def day(description: str, **kwargs: Any) -> fields.Date:
    return fields.Date(metadata={"description": description},
                       validate=validate.Range(FIRST_DAY, LAST_DAY), **kwargs)


def optional_text(description: str, **kwargs: Any) -> Text:
    return Text(allow_none=True, load_default=None, metadata={"description": description},
                **kwargs)


def texts(description: str) -> fields.List[str]:
    return fields.List(
        Text(max_length=MAX_TEXT), load_default=list, metadata={"description": description}
    )
