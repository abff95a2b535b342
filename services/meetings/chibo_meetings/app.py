"""The meetings service's Flask app factory: `gunicorn "chibo_meetings.app:create_app()"`."""

from __future__ import annotations

from flask import Flask

from chibo_meetings import api
from chibo_meetings.access import PERMISSIONS
from chibo_meetings.bootstrap import MeetingsService, bootstrap
from chibo_meetings.config import Settings
from chibo_meetings.domain import (
    IdInUseError,
    InvalidMeetingError,
    MeetingExistsError,
    MeetingNotFoundError,
    MeetingStateError,
    OutOfScopeError,
)
from chibo_web.app import ServiceSpec, build_app
from chibo_web.auth import TokenVerifier

PATH_PREFIXES = ("/meetings", "/rubrics")
__all__ = ["ERRORS", "PATH_PREFIXES", "PERMISSIONS", "create_app"]
ERRORS: dict[type[Exception], int] = {
    MeetingNotFoundError: 404,
    MeetingExistsError: 409,
    IdInUseError: 409,
    MeetingStateError: 409,
    InvalidMeetingError: 422,
    OutOfScopeError: 403,
}


def create_app(
    settings: Settings | None = None, *, service: MeetingsService | None = None
) -> Flask:
    """Build the app; the service object (workers, store) goes to `app.extensions["chibo"]`."""
    settings = settings or Settings.from_env()
    service = service or bootstrap(settings)
    spec = ServiceSpec(
        name="meetings",
        title="Chibo meetings",
        blueprints=[api.blp, api.rubrics],
        errors=ERRORS,
        ready=service.ready,
        permissions=PERMISSIONS,
    )
    app = build_app(spec, TokenVerifier(settings.tokens))
    app.extensions["chibo"] = service
    return app
