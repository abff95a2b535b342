"""A tiny service used to test the HTTP conventions: counters that can be created and bumped."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from chibo_contracts import Envelope
from chibo_eventsourcing.aggregate import Aggregate
from chibo_eventsourcing.memory import MemoryEventStore
from chibo_eventsourcing.repository import Repository, Written
from chibo_eventsourcing.store import NewEvent
from chibo_web.app import ServiceSpec, build_app
from chibo_web.auth import TokenSettings, TokenVerifier
from chibo_web.commands import run_command
from chibo_web.permissions import roles

SECRET = "test-secret-that-is-long-enough-for-hs256"
PERMISSIONS = {
    ("POST", "/counters/<counter_id>/bumps"): roles("admin", "service", "committee_staff"),
    ("GET", "/counters/<counter_id>"): roles("admin", "auditor"),
    # "/counters/<counter_id>/reset" is left out on purpose: unlisted routes are refused.
}


class CounterError(Exception):
    """Base error of the test service."""


class Counter(Aggregate):
    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.value = 0

    def when(self, event: Any) -> None:
        self.value += event["by"]

    def bump(self, by: int) -> None:
        if self.value + by > 100:
            raise CounterError("a counter never passes 100")
        if by:  # bumping by 0 changes nothing and appends nothing
            self.trigger({"by": by})


class Codec:
    def encode(self, event: Any) -> NewEvent:
        return NewEvent("counter.Bumped", event)

    def decode(self, envelope: Envelope) -> Any:
        return dict(envelope.data)


class BumpSchema(Schema):
    by = fields.Integer(required=True, validate=validate.Range(0, 50))


class CounterSchema(Schema):
    id = fields.String()
    value = fields.Integer()
    version = fields.Integer()


def create_app(permissions: dict[tuple[str, str], frozenset[str]] | None = None) -> Flask:
    store = MemoryEventStore("counters")
    repository: Repository[Counter] = Repository(store, Counter, Codec())
    blueprint = Blueprint("counters", __name__)

    def render(written: Written) -> dict[str, Any]:
        counter = repository.find(written.stream_id, written.version)
        assert counter is not None
        return {"id": counter.id, "value": counter.value, "version": counter.version}

    @blueprint.route("/counters/<counter_id>/bumps")
    class Bumps(MethodView):
        @blueprint.arguments(BumpSchema)
        @blueprint.response(200, CounterSchema)
        def post(self, body: dict[str, Any], counter_id: str) -> Any:
            def execute(metadata, expected):
                counter = repository.find(counter_id) or Counter(counter_id)
                counter.bump(body["by"])
                return repository.save(counter, metadata, expected_version=expected)

            return run_command(store, execute, render, stream=counter_id)

    @blueprint.route("/counters/<counter_id>")
    class OneCounter(MethodView):
        @blueprint.response(200, CounterSchema)
        def get(self, counter_id: str) -> Any:
            counter = repository.find(counter_id) or Counter(counter_id)
            return {"id": counter.id, "value": counter.value, "version": counter.version}

    @blueprint.route("/counters/<counter_id>/reset")
    class Reset(MethodView):
        @blueprint.response(200, CounterSchema)
        def post(self, counter_id: str) -> Any:
            raise AssertionError("an unlisted route must never run")

    spec = ServiceSpec(
        "counters",
        "Counters",
        [blueprint],
        errors={CounterError: 422},
        max_body_bytes=2048,
        permissions=PERMISSIONS if permissions is None else permissions,
    )
    app = build_app(spec, TokenVerifier(TokenSettings(secret=SECRET)))
    app.extensions["store"] = store
    return app
