"""The app factory: gunicorn runs `chibo_reporting.app:create_app()`."""

from __future__ import annotations

from flask import Flask

from chibo_reporting.access import PERMISSIONS
from chibo_reporting.api import audit, reports, rulebooks
from chibo_reporting.bootstrap import ReportingService, bootstrap
from chibo_reporting.config import Settings
from chibo_reporting.domain import InvalidParametersError, RulebookConflictError, UnknownUnitError
from chibo_reporting.queries import NotFoundError, WaitTimedOutError
from chibo_web.app import ServiceSpec, build_app
from chibo_web.auth import TokenVerifier

PATH_PREFIXES = ("/rulebooks", "/reports", "/audit")
ERRORS: dict[type[Exception], int] = {
    InvalidParametersError: 422,
    UnknownUnitError: 422,
    RulebookConflictError: 409,
    NotFoundError: 404,
    WaitTimedOutError: 504,
}


def create_app(settings: Settings | None = None, *,
               service: ReportingService | None = None) -> Flask:
    settings = settings or Settings.from_env()
    service = service or bootstrap(settings)
    spec = ServiceSpec(name="reporting", title="Chibo reporting",
                       blueprints=[rulebooks, reports, audit], errors=ERRORS, ready=service.ready,
                       permissions=PERMISSIONS)
    app = build_app(spec, TokenVerifier(settings.tokens))
    app.extensions["chibo"] = service
    return app
