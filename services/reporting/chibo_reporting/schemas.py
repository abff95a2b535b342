"""HTTP schemas (marshmallow): every request is validated before anything runs."""

from __future__ import annotations

import re
import unicodedata
import uuid
from datetime import date
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate

from chibo_reporting.periods import Period, PeriodError
from chibo_reporting.projections import SOURCES
from chibo_reporting.queries.audit import VERIFY_PAGE_MAX
from chibo_reporting.queries.evaluation import AT_TIME, CURRENT
from chibo_reporting.rulebooks import NATIONAL_DEFAULT

# Positions start at 1; 0 is out of range like an unknown source (a 422, not a wait).
_WAIT_FOR = re.compile(r"(?P<source>[a-z][a-z0-9_-]{0,39}):(?P<position>[1-9][0-9]{0,17})")


def _period(value: str) -> None:
    try:
        Period.parse(value)
    except PeriodError as exc:
        raise ValidationError(str(exc)) from exc


def _wait_for(value: str) -> None:
    found = _WAIT_FOR.fullmatch(value)
    if not found:
        raise ValidationError("must be <source>:<position> (positions start at 1), e.g. "
                              "meetings:42")
    if found["source"] not in SOURCES:
        raise ValidationError(f"the source must be one of {', '.join(SOURCES)}")


def _id(**kwargs: Any) -> fields.String:
    return fields.String(validate=validate.Length(1, 64), **kwargs)


class RulebookIn(Schema):
    id = _id(load_default=None, allow_none=True,
             metadata={"description": "the publication's id (a UUID is generated if absent)"})
    unit_id = _id(required=True, metadata={"description": "the unit it applies to, and below"})
    effective_from = fields.Date(
        required=True,
        validate=validate.Range(min=NATIONAL_DEFAULT.effective_from, max=date(9999, 1, 1)),
        metadata={"description": "first day in force (not before the Party's founding)"})
    parameters = fields.Dict(keys=fields.String(), required=True,
                             metadata={"description": "parameters to change (see RULES.md)"})
    name = fields.String(load_default=None, allow_none=True, validate=validate.Length(1, 300))

    @post_load
    def tidy(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        data["id"] = data["id"] or str(uuid.uuid4())
        if data["name"]:
            data["name"] = unicodedata.normalize("NFC", data["name"])
        return data


class RulebookOut(Schema):
    id = fields.String()
    unit_id = fields.String(allow_none=True)
    version = fields.Integer()
    effective_from = fields.Date()
    name = fields.String(allow_none=True)
    parameters = fields.Dict()
    stream_id = fields.String(allow_none=True, metadata={
        "description": "its unit's series in the audit trail (GET /audit/streams/{stream_id}); "
                       "null for the national default"})


class RulebookList(Schema):
    items = fields.List(fields.Nested(RulebookOut))
    page = fields.Integer()
    page_size = fields.Integer()
    total = fields.Integer()


class RulebookQuery(Schema):
    unit_id = _id(load_default=None)
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    page_size = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


class WaitQuery(Schema):
    wait_for = fields.List(fields.String(validate=_wait_for), load_default=list,
                           metadata={"description": "<source>:<position> to wait for (repeat)"})

    @post_load
    def targets(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        pairs = [value.split(":") for value in data["wait_for"]]
        data["wait_for"] = [(source, int(position)) for source, position in pairs]
        return data


class ReportQuery(WaitQuery):
    period = fields.String(required=True, validate=_period,
                           metadata={"description": "YYYY, YYYY-Qn or YYYY-MM"})
    rules = fields.String(load_default=AT_TIME, validate=validate.OneOf((AT_TIME, CURRENT)),
                          metadata={"description": "at_time (default) or current"})

    @post_load
    def parse(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        data["period"] = Period.parse(data["period"])
        return data


class UnitReportQuery(ReportQuery):
    tree_as_of = fields.Date(load_default=None,
                             metadata={"description": "the day of the tree (default: period end)"})


class OverseersQuery(UnitReportQuery):
    unit_id = _id(required=True)


class StreamQuery(WaitQuery):
    source = fields.String(load_default=None, validate=validate.OneOf(SOURCES))


class VerifyQuery(WaitQuery):
    source = fields.String(required=True, validate=validate.OneOf(SOURCES))
    after = fields.String(load_default=None, validate=validate.Length(1, 200), metadata={
        "description": "verify the streams whose id sorts after this one (the `next` of the "
                       "page before)"})
    limit = fields.Integer(load_default=None, validate=validate.Range(1, VERIFY_PAGE_MAX),
                           metadata={"description": "verify at most this many streams; the "
                                                    "answer's `next` names where to go on"})
