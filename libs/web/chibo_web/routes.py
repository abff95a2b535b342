"""The services' Blueprint, and one typed decorator for its route, arguments and response."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import flask
import flask_smorest
from marshmallow import Schema, ValidationError
from webargs.flaskparser import FlaskParser

from chibo_web.bodies import control_character

View = TypeVar("View", bound=Callable[..., Any])


class _OnceParser(FlaskParser):
    """Query strings where a parameter that takes one value must be given once:
    `?period=2025&period=2024` is a 422 naming it, not a report for whichever came first; and
    where no value holds a control character (`?q=%00` is a 422, not a search for anything)."""

    def load_querystring(self, req: flask.Request, schema: Schema) -> Any:
        proxy = super().load_querystring(req, schema)
        once = {field.data_key or name for name, field in schema.fields.items()}
        errors = {key: ["given more than once; give one value"]
                  for key in sorted(once - proxy.multiple_keys)
                  if len(req.args.getlist(key)) > 1}
        for key, value in req.args.items(multi=True):
            if (control := control_character(value)) is not None:
                errors.setdefault(key, []).append(f"holds a control character ({control})")
        if errors:
            raise ValidationError(errors)
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
