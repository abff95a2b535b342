"""What the reference computation answers per rule, and the helpers every rule shares."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

PASS, FAIL, NA = "pass", "fail", "not_applicable"
PENDING = "pending"
GRADES = ("good", "fair", "average", "weak")


@dataclass(frozen=True)
class Expected:
    result: str
    figures: dict[str, Any] = field(default_factory=dict)


def judge(met: bool, due: date, today: date) -> str:
    if met:
        return PASS
    return FAIL if due < today else PENDING


def overall(states: Iterable[str]) -> str:
    seen = set(states)
    if FAIL in seen:
        return FAIL
    return PASS if PASS in seen else NA


def share(part: float, whole: float) -> float | None:
    return round(part / whole, 4) if whole else None


def grade(score: float | None, bands: dict[str, float]) -> str | None:
    if score is None:
        return None
    return next((g for g in ("good", "fair", "average") if score >= bands[g]), "weak")
