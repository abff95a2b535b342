"""Validation of published parameters: known keys, right types, ranges; merged over defaults."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import fields
from typing import Any

from chibo_reporting.rulebooks.parameters import DEFAULTS, REVIEWABLE_RULES, Parameters


class ParameterError(ValueError):
    """Published parameters that are unknown, of the wrong type or out of range."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in sorted(errors.items())))
        self.errors = errors


Check = Callable[[Any], str | None]


def _integer(low: int, high: int) -> Check:
    def check(value: Any) -> str | None:
        if isinstance(value, bool) or not isinstance(value, int):
            return "must be a whole number"
        return None if low <= value <= high else f"must be between {low} and {high}"

    return check


def _number(low: float, high: float) -> Check:
    def check(value: Any) -> str | None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return "must be a number"
        return None if low <= value <= high else f"must be between {low} and {high}"

    return check


def _mapping(key_check: Callable[[str], bool], value_check: Check, what: str) -> Check:
    def check(value: Any) -> str | None:
        if not isinstance(value, Mapping):
            return f"must be an object of {what}"
        for key, item in value.items():
            if not isinstance(key, str) or not key_check(key):
                return f"has an unexpected key {key!r}"
            problem = value_check(item)
            if problem:
                return f"{key}: {problem}"
        return None

    return check


def _descending_shares(value: Any) -> str | None:
    if not isinstance(value, list | tuple) or not value:
        return "must be a non-empty list of shares"
    if any(_number(0, 1)(v) for v in value):
        return "must hold shares between 0 and 1"
    return None if list(value) == sorted(value, reverse=True) else "must be in descending order"


def _rule_ids(value: Any) -> str | None:
    if not isinstance(value, list | tuple) or any(v not in REVIEWABLE_RULES for v in value):
        return f"must be a list drawn from {', '.join(REVIEWABLE_RULES)}"
    return None


def _bands(value: Any) -> str | None:
    problem = _mapping(lambda k: k in ("good", "fair", "average"), _number(0, 100), "bands")(value)
    if problem:
        return problem
    if set(value) != {"good", "fair", "average"}:
        return "must give good, fair and average"
    ordered = value["good"] >= value["fair"] >= value["average"]
    return None if ordered else "must satisfy good ≥ fair ≥ average"


def _any_key(key: str) -> bool:
    return 0 < len(key) <= 64


CHECKS: dict[str, Check] = {
    "regular_meetings_per_month": _integer(1, 10),
    "prescribed_day": _integer(1, 31),
    "prescribed_day_exceptions": _mapping(_any_key, _integer(1, 31), "cell ids to days"),
    "thematic_meetings_per_quarter": _integer(0, 10),
    "thematic_meetings_per_year": _integer(0, 40),
    "thematic_kpi_target": _number(0, 1),
    "combined_min_minutes": _integer(0, 600),
    "regular_min_minutes": _integer(0, 600),
    "documents_days_before": _integer(0, 30),
    "notice_days_before": _integer(0, 30),
    "final_documents_days_after": _integer(0, 30),
    "attendance_threshold": _number(0, 1),
    "attendance_kpi": _number(0, 1),
    "max_unexcused_absences": _integer(0, 1000),
    "max_consecutive_excused": _integer(1, 100),
    "strike_off_alert_months": _integer(1, 12),
    "strike_off_warning_months": _integer(1, 12),
    "grade_bands": _bands,
    "grade_confirmation_days": _integer(0, 365),
    "follow_through_bands": _descending_shares,
    "resolution_majority": _number(0, 1),
    "overseer_coverage_target": _number(0, 1),
    "overseer_quotas": _mapping(_any_key, _integer(0, 366), "position bases to visits"),
    "review_rules": _rule_ids,
    "review_average_streak": _integer(0, 12),
}
assert set(CHECKS) == {f.name for f in fields(Parameters)}, "every parameter has a check"


def validate(published: Mapping[str, Any]) -> dict[str, Any]:
    """The complete parameter set: `published` checked and merged over the national defaults."""
    errors: dict[str, list[str]] = {}
    for key, value in published.items():
        check = CHECKS.get(key)
        problem = "is not a known parameter" if check is None else check(value)
        if problem:
            errors[key] = [problem]
    merged = DEFAULTS.to_json() | {k: v for k, v in published.items() if k not in errors}
    if not errors and merged["strike_off_warning_months"] > merged["strike_off_alert_months"]:
        errors["strike_off_warning_months"] = ["must not exceed strike_off_alert_months"]
    if errors:
        raise ParameterError(errors)
    return merged
