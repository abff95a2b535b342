"""Builds a service's Flask app: OpenAPI, tokens, problems, health and metrics."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from flask import Flask, Response, g, request
from flask_smorest import Api, Blueprint
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest

from chibo_web.auth import AuthenticationError, TokenVerifier
from chibo_web.bodies import check_json_body
from chibo_web.permissions import (
    PLATFORM_PERMISSIONS,
    PUBLIC_ENDPOINTS,
    Permissions,
    enforcer,
    uncovered,
)
from chibo_web.problems import PROBLEM_JSON, ProblemSchema, problem, register_problem_handlers

log = logging.getLogger(__name__)

PUBLIC_PATHS = ("/livez", "/readyz", "/openapi.json", "/docs")  # the routes of PUBLIC_ENDPOINTS
DEFAULT_MAX_BODY_BYTES = 1024 * 1024


class _Api(Api):  # type: ignore[misc]
    """flask-smorest's Api, documenting errors as they are answered: problem+json."""

    ERROR_SCHEMA = ProblemSchema

    def _register_responses(self) -> None:
        self.DEFAULT_RESPONSE_CONTENT_TYPE = PROBLEM_JSON  # only while the errors are
        try:
            super()._register_responses()
        finally:
            del self.DEFAULT_RESPONSE_CONTENT_TYPE  # back to the class's, for resources


@dataclass(frozen=True)
class ServiceSpec:
    """What a service hands to `build_app`: its name, blueprints, error statuses and checks.

    `permissions` is the service's matrix of which roles may call which (method, url rule);
    routes it does not list are refused to everyone (see `chibo_web.permissions`)."""

    name: str
    title: str
    blueprints: Sequence[Blueprint]
    errors: Mapping[type[Exception], int] = field(default_factory=dict)
    ready: Callable[[], bool] = lambda: True
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    permissions: Permissions = field(default_factory=dict)


def build_app(spec: ServiceSpec, verifier: TokenVerifier) -> Flask:
    # No static folder: every route is either public on purpose or in the permission matrix.
    app = Flask(f"chibo_{spec.name}", static_folder=None)
    app.config.update(
        API_TITLE=spec.title,
        API_VERSION="1",
        OPENAPI_VERSION="3.1.0",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="docs",
        OPENAPI_SWAGGER_UI_URL="https://cdn.jsdelivr.net/npm/swagger-ui-dist/",
        MAX_CONTENT_LENGTH=spec.max_body_bytes,
        JSON_SORT_KEYS=False,
    )
    api = _Api(app, spec_kwargs={"security": [{"bearerAuth": []}]})
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    )
    for blueprint in spec.blueprints:
        api.register_blueprint(blueprint)
    register_problem_handlers(app, spec.errors)
    permissions = {**PLATFORM_PERMISSIONS, **spec.permissions}
    app.before_request(_authenticate(verifier))
    app.before_request(enforcer(spec.name, permissions))
    app.before_request(_start_timer)
    app.before_request(check_json_body)
    app.after_request(_observe(spec.name))
    app.add_url_rule("/livez", "livez", lambda: {"status": "ok"})
    app.add_url_rule("/readyz", "readyz", _readiness(spec.ready))
    app.add_url_rule("/metrics", "metrics", _metrics)
    for method, rule in uncovered(app, permissions):
        log.error("%s %s is missing from the %s permission matrix", method, rule, spec.name)
    app.extensions["chibo.permissions"] = permissions
    return app


def _authenticate(verifier: TokenVerifier) -> Callable[[], Response | None]:
    def authenticate() -> Response | None:
        # Public by the route that matched, never by a path prefix ("/docs/../x" is not docs).
        rule = request.url_rule
        if rule is not None and rule.endpoint in PUBLIC_ENDPOINTS:
            return None
        try:
            g.caller = verifier.verify(request.headers.get("Authorization"))
        except AuthenticationError as exc:
            response = problem(401, str(exc))
            response.headers["WWW-Authenticate"] = "Bearer"
            return response
        return None

    return authenticate


def _readiness(ready: Callable[[], bool]) -> Callable[[], Response]:
    def readyz() -> Response:
        if ready():
            return Response('{"status":"ready"}', mimetype="application/json")
        return problem(503, "not ready: a dependency does not answer")

    return readyz


_REQUESTS: Counter | None = None
_LATENCY: Histogram | None = None


def _instruments() -> tuple[Counter, Histogram]:
    # Created on first use, once per process, because several apps may share the process.
    global _REQUESTS, _LATENCY
    if _REQUESTS is None or _LATENCY is None:
        _REQUESTS = Counter(
            "chibo_http_requests", "HTTP requests", ["service", "method", "endpoint", "status"]
        )
        _LATENCY = Histogram(
            "chibo_http_request_seconds", "HTTP request latency", ["service", "endpoint"]
        )
    return _REQUESTS, _LATENCY


def _start_timer() -> None:
    g.started = time.perf_counter()


def _observe(service: str) -> Callable[[Response], Response]:
    def observe(response: Response) -> Response:
        requests, latency = _instruments()
        endpoint = request.url_rule.rule if request.url_rule else "unmatched"
        requests.labels(service, request.method, endpoint, str(response.status_code)).inc()
        if "started" in g:
            latency.labels(service, endpoint).observe(time.perf_counter() - g.started)
        return response

    return observe


def _metrics() -> Response:
    _instruments()
    return Response(generate_latest(), content_type=CONTENT_TYPE_LATEST)
