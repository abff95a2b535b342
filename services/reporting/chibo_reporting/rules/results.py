"""What a rule answers: pass, fail or not applicable, the figures behind it and the evidence."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

PASS, FAIL, NOT_APPLICABLE = "pass", "fail", "not_applicable"
# A window (month, deadline, year to date) that is not over yet and not met yet: not judged.
PENDING = "pending"


@dataclass(frozen=True)
class RuleResult:
    result: str
    figures: Mapping[str, Any] = field(default_factory=dict)
    evidence: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"result": self.result, "figures": dict(self.figures),
                "evidence": list(self.evidence)}


def judge(met: bool, due: date, today: date) -> str:
    """Met → pass; not met and `due` (the last day to meet it) is past → fail; else pending."""
    if met:
        return PASS
    return FAIL if due < today else PENDING


def overall(states: Iterable[str]) -> str:
    """Any failure fails the rule; else any pass passes it; nothing judged is not applicable."""
    seen = set(states)
    if FAIL in seen:
        return FAIL
    return PASS if PASS in seen else NOT_APPLICABLE


def share(part: float, whole: float) -> float | None:
    return round(part / whole, 4) if whole else None


def ceil_share(quota: float, part: int, whole: int) -> int:
    """`quota` scaled to `part` of `whole`, rounded up (a small tolerance keeps 3x366/366 at 3)."""
    return math.ceil(quota * part / whole - 1e-9) if whole else 0


def floor_share(quota: float, part: int, whole: int) -> int:
    """`quota` scaled to `part` of `whole`, rounded down: the whole shares gone by."""
    return math.floor(quota * part / whole + 1e-9) if whole else 0


def days_between(earlier: date, later: date) -> int:
    return (later - earlier).days


def plus_days(day: date, days: int) -> date:
    return day + timedelta(days=days)
