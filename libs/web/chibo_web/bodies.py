"""JSON request bodies: refused before any view reads them when no resource could be made of
them, and put in one canonical form for comparing requests (idempotency keys)."""

from __future__ import annotations

import json
import unicodedata
from typing import Any

from flask import Response, g, request

from chibo_web.problems import problem

MAX_DEPTH = 32  # no Chibo resource nests deeper than a handful of levels
# Text may hold tabs and line breaks; no other control character (NUL above all: PostgreSQL's
# text cannot hold it, so a name holding one would be refused by every read model it reaches).
_ALLOWED_CONTROLS = frozenset("\t\n\r")


def control_character(text: str) -> str | None:
    """The first control character `text` holds other than a tab or a line break, as U+XXXX."""
    for char in text:
        if unicodedata.category(char) == "Cc" and char not in _ALLOWED_CONTROLS:
            return f"U+{ord(char):04X}"
    return None


def check_json_body() -> Response | None:
    """A 400 problem for a JSON body nested deeper than `MAX_DEPTH`, holding an integer too
    long to read, a string that is not Unicode (a lone surrogate escape such as "\\ud800") or
    one holding a control character other than a tab or a line break (such as "\\u0000").
    Malformed JSON is left to the view's parser, which names the fault the same way for
    every service."""
    if not request.is_json:
        return None
    raw = request.get_data(cache=True)
    if not raw:
        return None
    try:
        body = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    except RecursionError:
        return problem(400, f"The JSON body is nested deeper than {MAX_DEPTH} levels.")
    except ValueError as exc:  # an integer of thousands of digits
        return problem(400, f"The JSON body cannot be read: {exc}.")
    fault = _fault(body)
    if fault is not None:
        return problem(400, fault)
    g.json_body = body
    return None


def canonical_body() -> bytes:
    """The request's body for comparing two requests: JSON with its keys sorted and no
    insignificant spaces (the same document written another way is the same request); any
    other body as it came."""
    body = g.get("json_body")
    if body is None:
        return request.get_data(cache=True)
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _fault(body: Any) -> str | None:
    stack = [(body, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            return f"The JSON body is nested deeper than {MAX_DEPTH} levels."
        if isinstance(value, dict):
            stack.extend((key, depth + 1) for key in value)
            stack.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
        elif isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return f"The JSON body holds a string that is not Unicode text: {value!r}."
            if (control := control_character(value)) is not None:
                return (f"The JSON body holds a control character ({control}) in {value!r}; "
                        "text may hold tabs and line breaks, no other control character.")
    return None
