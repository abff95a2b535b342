"""Which roles may call which endpoint: each service's permission matrix, kept as data.

A service declares `PERMISSIONS = {("POST", "/meetings/<meeting_id>/held"): roles, ...}` (the
method and the Flask url rule) and hands it to `build_app` through `ServiceSpec.permissions`.
The check runs after authentication and fails closed: a route missing from the matrix is
refused with a 403 and logged. Scope (which part of the tree) is the service's own check.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Mapping
from typing import TypeAlias

from flask import Flask, Response, g, request

from chibo_web.auth import ROLES
from chibo_web.problems import problem

log = logging.getLogger(__name__)

Route: TypeAlias = tuple[str, str]
Permissions: TypeAlias = Mapping[Route, frozenset[str]]

ROLE_ORDER = ("secretary", "committee_staff", "overseer", "auditor", "admin", "service")
assert set(ROLE_ORDER) == ROLES
EVERYONE = frozenset(ROLES)
OPERATORS = frozenset({"admin", "service"})
# Paths every app serves beside the service's own: the token-protected platform endpoints.
PLATFORM_PERMISSIONS: dict[Route, frozenset[str]] = {("GET", "/metrics"): OPERATORS}
PUBLIC_ENDPOINTS = frozenset(
    {"livez", "readyz", "api-docs.openapi_json", "api-docs.openapi_swagger_ui"}
)
_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def roles(*names: str) -> frozenset[str]:
    """A role set; unknown names are a programming error, caught when the module loads."""
    unknown = set(names) - ROLES
    if unknown:
        raise ValueError(f"unknown roles {sorted(unknown)}; roles are {sorted(ROLES)}")
    return frozenset(names)


def routes(app: Flask) -> set[Route]:
    """Every (method, rule) the app answers that needs a token (HEAD and OPTIONS aside)."""
    return {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in PUBLIC_ENDPOINTS
        for method in rule.methods or ()
        if method in _METHODS
    }


def uncovered(app: Flask, permissions: Permissions) -> list[Route]:
    """Routes the matrix does not list: the app refuses them all."""
    return sorted(routes(app) - set(permissions))


def unknown(app: Flask, permissions: Permissions) -> list[Route]:
    """Matrix entries that name no route of the app (stale or mistyped)."""
    return sorted(set(permissions) - routes(app))


def enforcer(service: str, permissions: Permissions) -> Callable[[], Response | None]:
    """A before_request hook: 403 unless one of the caller's roles may call this route."""

    def authorise() -> Response | None:
        rule = request.url_rule
        if rule is None or rule.endpoint in PUBLIC_ENDPOINTS:
            return None  # unmatched: routing answers 404/405 after the hooks
        method = "GET" if request.method == "HEAD" else request.method
        if method == "OPTIONS" and getattr(rule, "provide_automatic_options", False):
            return None  # Flask's own answer: the allowed methods, no data
        allowed = permissions.get((method, rule.rule))
        if allowed is None:
            log.error(
                "%s %s is missing from the %s permission matrix; refused",
                method,
                rule.rule,
                service,
            )
            return problem(403, "this endpoint is not open to any role")
        if not g.caller.roles & allowed:
            return problem(
                403, f"this request needs one of the roles {', '.join(ordered(allowed))}"
            )
        return None

    return authorise


def ordered(names: Iterable[str]) -> list[str]:
    return sorted(names, key=ROLE_ORDER.index)


def openapi_path(rule: str) -> str:
    """`/meetings/<meeting_id>` → `/meetings/{meeting_id}` (converters dropped)."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def markdown_table(matrices: Mapping[str, Permissions]) -> str:
    """The matrices of several services as one Markdown table (✓ = allowed)."""
    header = ["Service", "Method", "Path", *ROLE_ORDER]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for service, permissions in matrices.items():
        for (method, rule), allowed in sorted(permissions.items(), key=_by_path):
            marks = ["✓" if role in allowed else "" for role in ROLE_ORDER]
            cells = [service, method, f"`{openapi_path(rule)}`", *marks]
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _by_path(item: tuple[Route, frozenset[str]]) -> tuple[str, int]:
    (method, rule), _ = item
    return rule, _METHODS.index(method) if method in _METHODS else len(_METHODS)
