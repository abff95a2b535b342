"""One typed decorator for flask-smorest's route, arguments and response."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask_smorest import Blueprint
from marshmallow import Schema

View = TypeVar("View", bound=Callable[..., Any])


def route(
    blueprint: Blueprint,
    rule: str,
    method: str = "POST",
    *,
    body: type[Schema] | None = None,
    query: type[Schema] | None = None,
    answer: type[Schema] | None = None,
    status: int = 200,
) -> Callable[[View], View]:
    """Register `view` for `method rule`, loading `body` and `query`, dumping with `answer`."""

    def register(view: View) -> View:
        decorated: Any = blueprint.response(status, answer)(view)
        if body is not None:
            decorated = blueprint.arguments(body)(decorated)
        if query is not None:
            decorated = blueprint.arguments(query, location="query")(decorated)
        blueprint.route(rule, methods=[method])(decorated)
        return view

    return register
