"""A quicker `schema.load` for payloads already in their canonical JSON form.

Every consumer decodes every event it reads, and marshmallow's general machinery (error stores,
getters, one call per layer per field) costs more than the projection of most events. A loader
compiled here walks the same fields with the same validators, taking only the plain path: a
value of exactly the JSON type the field writes (a `str` for a String, a Date or an aware
DateTime, an `int` for an Integer, …), converted the way the field converts it. Anything else, a
missing required field, a refused value, a type it would have to coerce, raises `NotPlain`, and
the caller loads the payload with marshmallow itself, which either coerces it or reports the
error. So the loader never accepts what marshmallow refuses, and what it returns is what
marshmallow returns (`tests/test_fastload.py` holds it to that over generated payloads).

Fields of other classes (or subclasses) are deserialized by the field's own `deserialize`.
"""

from __future__ import annotations

import datetime as dt
import math
import sys
from collections.abc import Callable, Mapping
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, missing, validate

Convert = Callable[[Any], Any]


class NotPlain(Exception):  # noqa: N818 - a signal to take the slow path, not an error
    """The payload needs marshmallow: to coerce a value or to say what is wrong with it."""


def compile_loader(schema: Schema) -> Convert | None:
    """A loader for `schema`, or None when the schema does more than its fields (hooks, a
    policy for unknown fields other than EXCLUDE, dotted attributes)."""
    if schema.unknown != EXCLUDE or any(schema._hooks.values()):
        return None
    plan = []
    for name, field in schema.load_fields.items():
        attribute = field.attribute or name
        if "." in attribute:
            return None
        key = field.data_key if field.data_key is not None else name
        plan.append((key, attribute, compile_field(field), field))

    def load(data: Any) -> dict[str, Any]:
        if type(data) is not dict:
            raise NotPlain
        loaded: dict[str, Any] = {}
        for key, attribute, convert, field in plan:
            value = data.get(key, missing)
            if value is missing:
                if field.required:
                    raise NotPlain
                default = field.load_default
                if default is not missing:
                    loaded[attribute] = default() if callable(default) else default
            else:
                loaded[attribute] = convert(value)
        return loaded

    return load


def compile_field(field: fields.Field[Any]) -> Convert:
    """A present `value` → what `field.deserialize(value)` gives, or NotPlain."""
    bounds = _length_bounds(field)
    if bounds:
        return _string(*bounds)
    convert = _plain(field)
    if convert is None or field.pre_load or field.post_load:
        return _by_field(field)
    validators = list(field.validators)
    allow_none = field.allow_none

    def value(raw: Any) -> Any:
        if raw is None:
            if allow_none:
                return None
            raise NotPlain
        converted = convert(raw)
        for validator in validators:
            try:
                if validator(converted) is False:
                    raise NotPlain
            except ValidationError:
                raise NotPlain from None
        return converted

    return value


def _plain(field: fields.Field[Any]) -> Convert | None:
    """The conversion `field._deserialize` makes of a value of its canonical JSON type."""
    kind = type(field)
    if kind in _EXACT:
        return _exactly(_EXACT[kind])
    if kind is fields.Float and field.allow_nan is False:  # type: ignore[attr-defined]
        return _finite_float
    if kind is fields.Date and field.format in ("iso", "iso8601"):  # type: ignore[attr-defined]
        return _iso_date
    if (kind is fields.AwareDateTime and field.format in ("iso", "iso8601")  # type: ignore[attr-defined]
            and field.default_timezone is None):  # type: ignore[attr-defined]
        return _aware_datetime
    if kind is fields.List:
        inner = field.inner  # type: ignore[attr-defined]
        bounds = _length_bounds(inner)
        return _strings(*bounds) if bounds else _list(compile_field(inner))
    if kind is fields.Nested and not field.many and field.unknown in (None, EXCLUDE):  # type: ignore[attr-defined]
        return compile_loader(field.schema)  # type: ignore[attr-defined]
    return None


_EXACT: dict[type, type] = {fields.String: str, fields.Integer: int, fields.Boolean: bool}


def _exactly(kind: type) -> Convert:
    def convert(raw: Any) -> Any:
        if type(raw) is not kind:
            raise NotPlain
        return raw

    return convert


def _finite_float(raw: Any) -> float:
    if type(raw) is float and math.isfinite(raw):
        return raw
    if type(raw) is int:
        try:
            return float(raw)
        except OverflowError:
            raise NotPlain from None
    raise NotPlain


def _iso_date(raw: Any) -> dt.date:
    if type(raw) is not str:
        raise NotPlain
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise NotPlain from None


def _aware_datetime(raw: Any) -> dt.datetime:
    if type(raw) is not str:
        raise NotPlain
    try:
        value = dt.datetime.fromisoformat(raw)
    except ValueError:
        raise NotPlain from None
    if value.utcoffset() is None:  # naive: marshmallow refuses it
        raise NotPlain
    return value


def _length_bounds(field: fields.Field[Any]) -> tuple[int, int] | None:
    """(shortest, longest) of a String field, not nullable, whose only validators bound its length
    (ids, names: most fields of the contracts), to be checked inline rather than through a call
    per value and per validator."""
    if (type(field) is not fields.String or field.allow_none or field.pre_load
            or field.post_load):
        return None
    low, high = 0, sys.maxsize
    for validator in field.validators:
        if type(validator) is not validate.Length or validator.equal is not None:
            return None
        low = max(low, validator.min or 0)
        high = min(high, sys.maxsize if validator.max is None else validator.max)
    return low, high


def _string(low: int, high: int) -> Convert:
    def convert(raw: Any) -> str:
        if type(raw) is not str or not low <= len(raw) <= high:
            raise NotPlain
        return raw

    return convert


def _strings(low: int, high: int) -> Convert:
    def convert(raw: Any) -> list[str]:
        if type(raw) is not list:
            raise NotPlain
        for each in raw:
            if type(each) is not str or not low <= len(each) <= high:
                raise NotPlain
        return list(raw)

    return convert


def _list(item: Convert) -> Convert:
    def convert(raw: Any) -> list[Any]:
        if type(raw) is not list:
            raise NotPlain
        return [item(each) for each in raw]

    return convert


def _by_field(field: fields.Field[Any]) -> Convert:
    """The field's own deserialization, for fields without a plain conversion here."""

    def convert(raw: Any) -> Any:
        try:
            return field.deserialize(raw)
        except ValidationError:
            raise NotPlain from None

    return convert


def load(schema: Schema, loader: Convert | None, data: Mapping[str, Any]) -> dict[str, Any]:
    """`schema.load(data)`, through `loader` when the payload allows it."""
    if loader is not None:
        try:
            loaded: dict[str, Any] = loader(data)
            return loaded
        except NotPlain:
            pass
    result: dict[str, Any] = schema.load(data)
    return result
