"""The services' Blueprint, and one typed decorator for its route, arguments and response."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import flask
import flask_smorest
from marshmallow import Schema, ValidationError
from webargs.flaskparser import FlaskParser

View = TypeVar("View", bound=Callable[..., Any])


class _OnceParser(FlaskParser):
    """Query strings where a parameter that takes one value must be given once:
    `?period=2025&period=2024` is a 422 naming it, not a report for whichever came first."""

    def load_querystring(self, req: flask.Request, schema: Schema) -> Any:
        proxy = super().load_querystring(req, schema)
        once = {field.data_key or name for name, field in schema.fields.items()}
        repeated = sorted(key for key in once - proxy.multiple_keys
                          if len(req.args.getlist(key)) > 1)
        if repeated:
            raise ValidationError({key: ["given more than once; give one value"]
                                   for key in repeated})
        return proxy


class Blueprint(flask_smorest.Blueprint):  # type: ignore[misc]
    """flask-smorest's Blueprint, whose query parameters of one value come once."""

    ARGUMENTS_PARSER = _OnceParser()


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
