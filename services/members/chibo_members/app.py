"""The Flask app factory: `gunicorn "chibo_members.app:create_app()"`."""

from __future__ import annotations

from flask import Flask

from chibo_members.access import PERMISSIONS
from chibo_members.api import imports, members, units
from chibo_members.bootstrap import MembersService, bootstrap
from chibo_members.config import Settings
from chibo_members.domain.errors import AccessError, ConflictError, NotFoundError, RuleError
from chibo_web.app import ServiceSpec, build_app
from chibo_web.auth import TokenVerifier

PATH_PREFIXES = ("/org-units", "/members", "/imports")
__all__ = ["ERRORS", "PATH_PREFIXES", "PERMISSIONS", "create_app"]
ERRORS: dict[type[Exception], int] = {
    NotFoundError: 404,
    RuleError: 422,
    ConflictError: 409,
    AccessError: 403,
}


def create_app(settings: Settings | None = None, service: MembersService | None = None) -> Flask:
    """The members API; `service` replaces the one built from `settings` (tests pass theirs)."""
    settings = settings or Settings.from_env()
    service = service or bootstrap(settings)
    app = build_app(
        ServiceSpec(
            name="members",
            title="Chibo members: the organisation tree and the member roll",
            blueprints=[units.blp, members.blp, imports.blp],
            errors=ERRORS,
            ready=service.ready,
            permissions=PERMISSIONS,
        ),
        TokenVerifier(settings.tokens),
    )
    app.extensions["chibo"] = service
    return app
