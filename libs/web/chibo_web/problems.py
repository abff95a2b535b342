"""RFC 9457 problem details: every error a client sees is `application/problem+json`."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, json
from marshmallow import INCLUDE, Schema, fields
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"


class ProblemSchema(Schema):
    """How every error is answered, for the OpenAPI documents (`problem` writes it)."""

    class Meta:
        unknown = INCLUDE  # problems may carry more members

    type = fields.String(metadata={"description": "about:blank"})
    title = fields.String(metadata={"description": "the HTTP reason, or the error's kind"})
    status = fields.Integer(metadata={"description": "the HTTP status"})
    detail = fields.String(metadata={"description": "what is wrong, for a person to read"})
    errors = fields.Dict(metadata={"description": "for invalid input: messages by field"})


class ProblemError(Exception):
    """Raise anywhere in a request to answer with this problem."""

    def __init__(
        self, status: int, detail: str, *, title: str | None = None, errors: Any = None
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.title = title
        self.errors = errors


def problem(status: int, detail: str, *, title: str | None = None, errors: Any = None) -> Response:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title or _reason(status),
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    return Response(json.dumps(body), status=status, mimetype=PROBLEM_JSON)


def register_problem_handlers(app: Flask, statuses: Mapping[type[Exception], int]) -> None:
    """Answer HTTP errors, validation errors and the service's own errors as problems."""
    app.register_error_handler(ProblemError, _from_problem_error)
    app.register_error_handler(HTTPException, _from_http_exception)
    for error_class, status in statuses.items():
        app.register_error_handler(error_class, _domain_handler(status))
    app.register_error_handler(Exception, _unexpected)


def _from_problem_error(error: ProblemError) -> Response:
    return problem(error.status, error.detail, title=error.title, errors=error.errors)


def _from_http_exception(error: HTTPException) -> Response:
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    messages = data.get("messages") if isinstance(data, dict) else None
    if messages:
        # webargs keys messages by location (json, query, headers); clients want the fields.
        errors = _flatten_locations(messages)
        detail = "The request is not valid: " + ", ".join(sorted(errors)) if errors else ""
        return problem(status, detail or "The request is not valid.", errors=errors)
    return problem(status, error.description or _reason(status))


def _flatten_locations(messages: Mapping[str, Any]) -> dict[str, Any]:
    errors: dict[str, Any] = {}
    for location, messages_there in messages.items():
        if isinstance(messages_there, Mapping):
            errors.update(messages_there)
        else:
            errors[location] = messages_there
    return errors


def _domain_handler(status: int) -> Any:
    def handle(error: Exception) -> Response:
        errors = getattr(error, "errors", None)
        return problem(status, str(error), title=type(error).__name__, errors=errors)

    return handle


def _unexpected(error: Exception) -> Response:
    if isinstance(error, HTTPException):
        return _from_http_exception(error)
    log.exception("unhandled error", exc_info=error)
    return problem(500, "An unexpected error occurred; it has been logged.")


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
