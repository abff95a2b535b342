"""The HTTP API of the members service: one blueprint per resource, sharing these helpers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask import current_app, g

from chibo_members import access
from chibo_members.bootstrap import MembersService
from chibo_members.commands import Command, effective_date
from chibo_members.read_models.queries import Reach
from chibo_web.auth import Caller
from chibo_web.commands import run_command

Answer = tuple[Any, int, dict[str, str]]


def service() -> MembersService:
    members: MembersService = current_app.extensions["chibo"]
    return members


def caller() -> Caller:
    who: Caller = g.caller
    return who


def as_of(args: dict[str, Any]) -> date:
    day: date | None = args.get("as_of")
    return day or service().today()


def require_reach(unit_id: str, on: date) -> None:
    """403 unless the caller's token covers the unit on that day or today (also when there is
    no such unit)."""
    with service().views.snapshot() as snap:
        access.require_reach(caller(), snap.unit, unit_id, on, service().today())


def reach(on: date) -> Reach | None:
    """What a list read as of `on` is limited to; None for a whole-tree token."""
    if caller().whole_tree:
        return None
    return Reach(caller().scope, (on, service().today()))


def run(
    command: Command,
    render: Callable[[str, date, int], dict[str, Any]],
    *,
    status: int = 200,
    location: str | None = None,
    stream: str | None = None,
) -> Answer:
    """Run a write the Chibo way (Idempotency-Key, If-Match, ETag, Chibo-Position) and answer
    with the resource as of the command's effective date and the version it reached; `stream`
    is the resource a command on an existing one changes (its If-Match is checked first)."""
    members = service()
    on = effective_date(command)
    return run_command(
        members.store,
        lambda metadata, if_match: members.handle(command, metadata, if_match, caller()),
        lambda written: render(written.stream_id, on, written.version),
        status=status,
        location=(lambda written: f"{location}/{written.stream_id}") if location else None,
        stream=stream,
    )


def with_etag(body: dict[str, Any]) -> Answer:
    return body, 200, {"ETag": f'"{body["version"]}"'}
