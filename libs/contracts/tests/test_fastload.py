"""The compiled loader agrees with marshmallow: it returns what `schema.load` returns, or leaves
the payload to marshmallow, never accepting what marshmallow refuses."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from marshmallow import Schema, ValidationError, fields, validate

from chibo_contracts import fastload
from chibo_contracts.catalog import contract_modules
from chibo_contracts.meetings import AttendanceRecorded

SCHEMAS = {f"{m.SOURCE}.{name}": schema() for m in contract_modules()
           for name, schema in m.EVENTS.items()}

_ODD = st.one_of(st.none(), st.booleans(), st.integers(-3, 2**60), st.floats(),
                 st.sampled_from([math.inf, -math.inf, math.nan, 2**60, 10**400, True, -1, 1.5]),
                 st.sampled_from(["", "7", "0.5", "true", "2025-02-30", "20250301", "x" * 65,
                                  "2025-03-03T19:00:00", "2025-03-03 19:00+07:00",
                                  "2025-03-03T19:00:00Z", "20250303T190000+0700",
                                  "2025-03-03T24:00:00+07:00"]),
                 st.lists(st.text(max_size=3), max_size=2),
                 st.lists(st.integers(), max_size=2),
                 st.dictionaries(st.text(max_size=2), st.integers(), max_size=2))


def _of(field: fields.Field[Any], kind: type) -> list[Any]:
    return [v for v in field.validators if isinstance(v, kind)]


def _valid(field: fields.Field[Any]) -> st.SearchStrategy[Any]:
    """What the field writes: values of its JSON type that pass its validators."""
    kind = type(field)
    if kind is fields.List:
        valid: st.SearchStrategy[Any] = st.lists(_valid(field.inner), max_size=3)  # type: ignore[attr-defined]
    elif kind is fields.Nested:
        valid = valid_payloads(field.schema)  # type: ignore[attr-defined]
    elif kind in (fields.Integer, fields.Float):
        bounds = _of(field, validate.Range)
        low = bounds[0].min if bounds else -5
        ints = st.integers(low, 500)
        valid = ints if kind is fields.Integer else st.one_of(ints, st.floats(low, 500))
    elif kind is fields.Boolean:
        valid = st.booleans()
    elif kind is fields.Date:
        valid = st.dates().map(dt.date.isoformat)
    elif kind is fields.AwareDateTime:
        zones = st.sampled_from([dt.UTC, dt.timezone(dt.timedelta(hours=7)),
                                 dt.timezone(dt.timedelta(hours=-3, minutes=-30))])
        valid = st.datetimes(timezones=zones).map(dt.datetime.isoformat)
    elif kind is fields.Dict:
        valid = st.dictionaries(st.text(min_size=1, max_size=5), st.integers(0, 5), max_size=3)
    elif one_of := _of(field, validate.OneOf):
        valid = st.sampled_from(list(one_of[0].choices))
    elif pattern := _of(field, validate.Regexp):
        valid = st.from_regex(pattern[0].regex, fullmatch=True)
    elif kind is fields.String:
        valid = st.text(min_size=1, max_size=64)
    else:  # a field of the contracts' own: a date or a date-time with offset
        valid = st.dates().map(dt.date.isoformat)
    return st.one_of(valid, st.none()) if field.allow_none else valid


def valid_payloads(schema: Schema) -> st.SearchStrategy[dict[str, Any]]:
    present = {(f.data_key or name): _valid(f) for name, f in schema.load_fields.items()
               if f.required}
    optional = {(f.data_key or name): _valid(f) for name, f in schema.load_fields.items()
                if not f.required}
    return st.fixed_dictionaries(present, optional=optional)


@st.composite
def payloads(draw: st.DrawFn, schema: Schema) -> dict[str, Any]:
    """A valid payload, or one with a single key dropped, added or given an odd value (which
    may be in a nested entry)."""
    payload = draw(valid_payloads(schema))
    change = draw(st.sampled_from(["none", "drop", "add", "odd", "odd", "nested"]))
    keys = sorted(payload)
    if change == "drop" and keys:
        del payload[draw(st.sampled_from(keys))]
    elif change == "add":
        payload["added_later"] = draw(_ODD)
    elif change == "odd" and keys:
        payload[draw(st.sampled_from(keys))] = draw(_ODD)
    elif change == "nested":
        listed = [k for k in keys if type(payload[k]) is list and payload[k]
                  and type(payload[k][0]) is dict]
        if listed:
            entry = payload[draw(st.sampled_from(listed))][0]
            entry[draw(st.sampled_from(sorted(entry)))] = draw(_ODD)
    return payload


def _marshmallow(schema: Schema, data: Any) -> tuple[str, Any]:
    try:
        return "loaded", schema.load(data)
    except ValidationError:
        return "refused", None


@pytest.mark.parametrize("event_type", sorted(SCHEMAS))
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_the_loader_returns_what_marshmallow_returns_or_leaves_it_to_marshmallow(event_type,
                                                                                  data):
    schema = SCHEMAS[event_type]
    loader = fastload.compile_loader(schema)
    assert loader is not None, "every public contract compiles"
    payload = data.draw(payloads(schema))
    try:
        fast = loader(payload)
    except fastload.NotPlain:
        return
    outcome, loaded = _marshmallow(schema, payload)
    assert outcome == "loaded"
    assert repr(fast) == repr(loaded)  # equal, and of equal types: 1 is not 1.0, nor True


def test_a_roll_call_in_its_canonical_form_takes_the_fast_path():
    schema = AttendanceRecorded()
    payload = {
        "meeting_id": "m-1", "cell_id": "c-1", "kind": "regular", "held_on": "2025-03-03",
        "entries": [{"member_id": "a", "status": "present"},
                    {"member_id": "b", "status": "absent_excused", "reason": "ốm"}],
        "guests": [], "required": 2, "present": 1, "absent_excused": 1, "absent_unexcused": 0,
        "exempted_present": 0, "attendance_rate": 0.5, "required_member_ids": ["a", "b"],
        "attached_member_ids": [], "exempted_member_ids": [], "exempted_present_member_ids": [],
        "voting_member_ids": ["a"], "voting_base": 1,
    }
    loader = fastload.compile_loader(schema)
    assert loader is not None
    fast = loader(payload)
    assert fast == schema.load(payload)
    assert fast["held_on"] == dt.date(2025, 3, 3)
    assert fast["entries"][1] == {"member_id": "b", "status": "absent_excused", "reason": "ốm"}
    with pytest.raises(fastload.NotPlain):  # marshmallow says what is wrong
        loader(payload | {"entries": [{"member_id": "a", "status": "came"}]})
    with pytest.raises(fastload.NotPlain):  # marshmallow coerces "2" to 2
        loader(payload | {"required": "2"})


def test_schemas_that_do_more_than_their_fields_are_left_to_marshmallow():
    from marshmallow import RAISE, post_load

    class Strict(Schema):
        class Meta:
            unknown = RAISE

        name = fields.String()

    class Hooked(Schema):
        name = fields.String()

        @post_load
        def upper(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
            return {"name": data["name"].upper()}

    assert fastload.compile_loader(Strict()) is None
    assert fastload.compile_loader(Hooked()) is None


def _fields(schema: Schema) -> list[fields.Field[Any]]:
    found = []
    for field in schema.load_fields.values():
        found.append(field)
        if type(field) is fields.List:
            found.append(field.inner)  # type: ignore[attr-defined]
        if type(field) is fields.Nested:
            found.extend(_fields(field.schema))  # type: ignore[attr-defined]
    return found


def _kind(field: fields.Field[Any]) -> str:
    """Class, validators and allow_none (of a list's items too)."""
    inner = getattr(field, "inner", None)
    return (f"{type(field).__name__}{field.validators!r}{field.allow_none}"
            + (f"[{_kind(inner)}]" if inner is not None else ""))


# One field of each kind the contracts use.
FIELDS = {_kind(f): f for schema in SCHEMAS.values() for f in _fields(schema)}


@pytest.mark.parametrize("kind", sorted(FIELDS))
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_each_kind_of_field_converts_as_marshmallow_does(kind, data):
    field = FIELDS[kind]
    raw = data.draw(st.one_of(_valid(field), _ODD))
    try:
        fast = fastload.compile_field(field)(raw)
    except fastload.NotPlain:
        return
    assert repr(fast) == repr(field.deserialize(raw))
