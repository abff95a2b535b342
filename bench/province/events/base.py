"""One public event as the loader appends it: source, stream, contract name and typed data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Event:
    source: str
    stream_id: str
    type: str  # the contract's name, without the source
    data: dict[str, Any]
