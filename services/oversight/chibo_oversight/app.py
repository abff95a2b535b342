"""The oversight service's Flask app factory: `gunicorn "chibo_oversight.app:create_app()"`."""

from __future__ import annotations

from flask import Flask

from chibo_oversight import api
from chibo_oversight.access import PERMISSIONS
from chibo_oversight.bootstrap import OversightService, bootstrap
from chibo_oversight.config import Settings
from chibo_oversight.domain import AccessError, ConflictError, InvalidError, NotFoundError
from chibo_web.app import ServiceSpec, build_app
from chibo_web.auth import TokenVerifier

PATH_PREFIXES = ("/assignments", "/visits", "/reviews")
ERRORS: dict[type[Exception], int] = {
    NotFoundError: 404,
    ConflictError: 409,
    InvalidError: 422,
    AccessError: 403,
}


def create_app(
    settings: Settings | None = None, *, service: OversightService | None = None
) -> Flask:
    """Build the app; the service object (workers, store) goes to `app.extensions["chibo"]`."""
    settings = settings or Settings.from_env()
    service = service or bootstrap(settings)
    spec = ServiceSpec(
        name="oversight",
        title="Chibo oversight: assignments, visits, remind-and-review cases",
        blueprints=[api.assignments, api.visits, api.reviews],
        errors=ERRORS,
        ready=service.ready,
        permissions=PERMISSIONS,
    )
    app = build_app(spec, TokenVerifier(settings.tokens))
    app.extensions["chibo"] = service
    return app
