"""Commands of the reporting service (its only write: publishing a rulebook)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any


@dataclass(frozen=True)
class PublishRulebook:
    unit_id: str
    effective_from: date
    parameters: dict[str, Any]
    rulebook_id: str
    name: str | None = None
