"""Running a write: idempotency keys, If-Match, and the Chibo-Position / ETag / Location headers."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from typing import Any

from flask import g, request

from chibo_eventsourcing.repository import Written
from chibo_eventsourcing.store import (
    ConcurrencyError,
    EventStore,
    IdempotencyConflictError,
    Metadata,
)
from chibo_web.bodies import canonical_body
from chibo_web.problems import ProblemError

Render = Callable[[Written], Any]
Execute = Callable[[Metadata, "int | None"], Written]
MAX_KEY_LENGTH = 200


def if_match() -> int | None:
    """The stream version the client last saw, from `If-Match: "<version>"` (`*`, any
    version: no condition beyond the resource existing, which every command needs anyway)."""
    raw = request.headers.get("If-Match")
    if raw is None or raw.strip() == "*":
        return None
    try:
        return int(raw.strip().removeprefix("W/").strip('"'))
    except ValueError:
        raise ProblemError(400, f"If-Match must be a quoted stream version, not {raw!r}") from None


def etag(version: int) -> str:
    return f'"{version}"'


def command_metadata() -> Metadata:
    caller = getattr(g, "caller", None)
    key = request.headers.get("Idempotency-Key")
    if key is not None and not 0 < len(key) <= MAX_KEY_LENGTH:
        raise ProblemError(400, f"Idempotency-Key must have 1 to {MAX_KEY_LENGTH} characters")
    return Metadata(
        actor=caller.sub if caller else "anonymous",
        correlation_id=request.headers.get("X-Correlation-Id") or str(uuid.uuid4()),
        idempotency_key=key,
        request_hash=_request_hash(),
    )


def _request_hash() -> str:
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.path}\n".encode())
    digest.update(request.query_string + b"\n")
    digest.update(canonical_body())
    return digest.hexdigest()


def run_command(
    store: EventStore,
    execute: Execute,
    render: Render,
    *,
    status: int = 200,
    location: Callable[[Written], str] | None = None,
    stream: str | None = None,
) -> tuple[Any, int, dict[str, str]]:
    """Execute a write once per idempotency key and answer with the resource and headers.
    `stream` names the stream the write changes, when it may exist already: a stale If-Match
    is then a 412 before the command is judged against a state the client has not seen."""
    metadata = command_metadata()
    written = _replayed(store, metadata)
    if written is None:
        expected = if_match()
        if expected is not None and stream is not None:
            current = len(store.load(stream))
            if current != expected:
                raise ProblemError(
                    412, f"the resource has changed: it is at version {current}, not {expected}")
        try:
            written = execute(metadata, expected)
        except ConcurrencyError as exc:
            if expected is not None:
                raise ProblemError(412, f"the resource has changed: {exc}") from exc
            raise ProblemError(409, f"a concurrent change won: {exc}; retry") from exc
        except IdempotencyConflictError:
            written = _replayed(store, metadata)
            assert written is not None
    headers = {"ETag": etag(written.version)}
    position = written.position or _last_position(store, written)
    if position:
        headers["Chibo-Position"] = f"{store.source}:{position}"
    if location is not None:
        headers["Location"] = location(written)
    return render(written), status, headers


def _last_position(store: EventStore, written: Written) -> int:
    """For a write that appended nothing (it asked for the state there already was): the
    position of the event that state rests on, so that a client can still wait for it."""
    history = store.load(written.stream_id, written.version) if written.version else []
    return (history[-1].position or 0) if history else 0


def _replayed(store: EventStore, metadata: Metadata) -> Written | None:
    if metadata.idempotency_key is None:
        return None
    record = store.find_idempotent(metadata.actor, metadata.idempotency_key)
    if record is None:
        return None
    if record.request_hash != metadata.request_hash:
        raise ProblemError(
            422,
            "this Idempotency-Key was already used with a different request",
            title="Idempotency key reused",
        )
    return Written(record.stream_id, record.stream_version, record.position)
