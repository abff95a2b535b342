"""Asks the reporting service for every report of a plan and compares it with the ground truth.

Only what the truth states is compared (a report may say more). Lists of ids compare as sets;
a list of objects in the report (`[{"member_id": …}, …]`) compares by the objects' ids.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from bench.province.driver.harness import Answer, Transport
from bench.province.truth import Truth
from bench.province.truth.periods import Period

ID_KEYS = ("member_id", "meeting_id", "overseer_id", "cell_id", "unit_id")


@dataclass(frozen=True)
class Mismatch:
    report: str
    subject: str
    period: str
    where: str
    expected: Any
    actual: Any


@dataclass
class Outcome:
    mismatches: list[Mismatch] = field(default_factory=list)
    checked: Counter[str] = field(default_factory=Counter)
    values: int = 0
    seconds: float = 0.0
    latencies: dict[str, list[float]] = field(default_factory=dict)

    def table(self, limit: int = 40) -> str:
        """Mismatches grouped by report and place, with a few examples of each."""
        if not self.mismatches:
            return (f"no mismatches: {self.values} values in {sum(self.checked.values())} "
                    f"reports ({dict(self.checked)})")
        groups: dict[tuple[str, str], list[Mismatch]] = {}
        for mismatch in self.mismatches:
            place = ".".join(p for p in mismatch.where.split(".")[:2])
            groups.setdefault((mismatch.report, place), []).append(mismatch)
        lines = [f"{len(self.mismatches)} mismatches in {len(groups)} places "
                 f"({self.values} values compared):",
                 f"{'report':8} {'where':24} {'count':>6}  example (subject, period: expected ≠ "
                 "actual)"]
        for (report, place), found in sorted(groups.items(), key=lambda g: -len(g[1]))[:limit]:
            first = found[0]
            lines.append(f"{report:8} {place:24} {len(found):6}  {first.subject[:8]} "
                         f"{first.period} {first.where}: {_short(first.expected)} ≠ "
                         f"{_short(first.actual)}")
        return "\n".join(lines)


def _short(value: Any, width: int = 70) -> str:
    text = repr(value)
    return text if len(text) <= width else text[: width - 1] + "…"


def _ids(items: Iterable[Any]) -> list[str]:
    found = []
    for item in items:
        if isinstance(item, Mapping):
            found.append(str(next((item[k] for k in ID_KEYS if k in item), item)))
        else:
            found.append(str(item))
    return sorted(found)


def differences(expected: Any, actual: Any, where: str = "") -> Iterator[tuple[str, Any, Any]]:
    """(place, expected, actual) for every stated value the actual answer does not match."""
    if isinstance(expected, Mapping):
        if not isinstance(actual, Mapping):
            yield where, expected, actual
            return
        for key, value in expected.items():
            yield from differences(value, actual.get(key, _MISSING), f"{where}.{key}" if where
                                   else key)
        return
    if isinstance(expected, list) and expected and isinstance(expected[0], Mapping):
        by_id = {e.get("overseer_id") or _ids([e])[0]: e for e in expected}
        actual_by_id: dict[str, Any] = {}
        for item in actual if isinstance(actual, list) else []:
            actual_by_id[item.get("overseer_id") or _ids([item])[0]] = item
        if set(by_id) != set(actual_by_id):
            yield f"{where}[ids]", sorted(by_id), sorted(actual_by_id)
        for key in sorted(set(by_id) & set(actual_by_id)):
            yield from differences(by_id[key], actual_by_id[key], f"{where}[{key[:8]}]")
        return
    if isinstance(expected, list):
        got = _ids(actual) if isinstance(actual, list) else actual
        if sorted(map(str, expected)) != got:
            yield where, sorted(map(str, expected)), got
        return
    if not _same(expected, actual):
        yield where, expected, actual


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


_MISSING = _Missing()


def _same(expected: Any, actual: Any) -> bool:
    if isinstance(expected, bool) or isinstance(actual, bool):
        return expected is actual
    if isinstance(expected, int | float) and isinstance(actual, int | float):
        return abs(expected - actual) < 1e-6
    return bool(expected == actual)


class Checker:
    """Fetches reports (waiting once for the projection) and records what differs."""

    def __init__(self, truth: Truth, transport: Transport, positions: Mapping[str, int],
                 *, wait_seconds: float = 300) -> None:
        self.truth = truth
        self.transport = transport
        self.positions = dict(positions)
        self.wait_seconds = wait_seconds
        self.outcome = Outcome()
        self._waited = False

    def get(self, kind: str, path: str, params: dict[str, Any]) -> Any:
        if not self._waited:
            self._wait(path, params)
        started = time.perf_counter()
        answer = self.transport.request("GET", path, params=params)
        self.outcome.latencies.setdefault(kind, []).append(time.perf_counter() - started)
        if answer.status != 200:
            raise AssertionError(f"GET {path} {params} → {answer.status}: {answer.body}")
        return answer.body

    def _wait(self, path: str, params: dict[str, Any]) -> None:
        """Repeat the first request with wait_for=<source>:<position> until it is answered."""
        deadline = time.monotonic() + self.wait_seconds
        waits = [f"{s}:{p}" for s, p in sorted(self.positions.items())]
        answer: Answer | None = None
        while time.monotonic() < deadline:
            answer = self.transport.request("GET", path, params={**params, "wait_for": waits})
            if answer.status == 200:
                self._waited = True
                return
            time.sleep(1)
        raise TimeoutError(f"reporting did not reach {waits} in {self.wait_seconds}s: "
                           f"{answer.status if answer else '?'} {answer.body if answer else ''}")

    def record(self, report: str, subject: str, period: str, expected: Any, actual: Any) -> None:
        self.outcome.checked[report] += 1
        for where, want, got in differences(expected, actual):
            self.outcome.mismatches.append(Mismatch(report, subject, period, where, want, got))
        self.outcome.values += _count(expected)

    def cell(self, cell_id: str, label: str, *, current: bool = False) -> None:
        expected = {rule: {"result": e.result, "figures": e.figures}
                    for rule, e in self.truth.cell(cell_id, label, current=current).items()}
        params = {"period": label} | ({"rules": "current"} if current else {})
        body = self.get("cell", f"/reports/cells/{cell_id}", params)
        self.record("cell", cell_id, label + (" current" if current else ""), expected,
                    body.get("rules", {}))

    def unit(self, unit_id: str, label: str, tree_as_of: date | None = None) -> None:
        """With `tree_as_of` given, else the report's default (the period's last day)."""
        expected = self.truth.unit(unit_id, label, tree_as_of)
        children = expected.pop("children")
        params = {"period": label} | ({"tree_as_of": tree_as_of.isoformat()} if tree_as_of
                                     else {})
        body = self.get("unit", f"/reports/units/{unit_id}", params)
        label = label + (f" as of {tree_as_of}" if tree_as_of else "")
        self.record("unit", unit_id, label, expected, body)
        actual_children = {c.get("unit_id"): c for c in body.get("children", [])}
        if set(children) != set(actual_children):
            self.record("unit", unit_id, label, {"children": sorted(children)},
                        {"children": sorted(map(str, actual_children))})
        for child, totals in children.items():
            if child in actual_children:
                self.record("unit", unit_id, label,
                            {f"child:{child[:8]}": {"cells": totals["cells"],
                                                    "rules": totals["rules"]}},
                            {f"child:{child[:8]}": actual_children[child]})

    def overseers(self, unit_id: str, label: str) -> None:
        expected = self.truth.overseers(unit_id, label)
        body = self.get("overseer", "/reports/overseers", {"unit_id": unit_id, "period": label})
        actual = {f"{o.get('overseer_id')}/{o.get('position_basis')}": o
                  for o in body.get("overseers", [])}
        self.record("overseer", unit_id, label, {"entries": sorted(expected)},
                    {"entries": sorted(actual)})
        for key in sorted(set(expected) & set(actual)):
            self.record("overseer", unit_id, label, {key[:8]: expected[key]},
                        {key[:8]: actual[key]})

    def member(self, member_id: str, label: str) -> None:
        expected = self.truth.member(member_id, label)
        body = self.get("member", f"/reports/members/{member_id}", {"period": label})
        actual_rows = [{"meeting_id": r.get("meeting_id"), "held_on": r.get("held_on"),
                        "status": r.get("status")} for r in body.get("attendance", [])]
        want_rows = sorted(expected["attendance"], key=lambda r: (r["held_on"], r["meeting_id"]))
        got_rows = sorted(actual_rows, key=lambda r: (str(r["held_on"]), str(r["meeting_id"])))
        self.record("member", member_id, label,
                    {"flags": expected["flags"], "warnings": expected["warnings"],
                     "attendance": len(want_rows)},
                    {"flags": body.get("flags"), "warnings": body.get("warnings"),
                     "attendance": len(got_rows)})
        if len(want_rows) == len(got_rows) and want_rows != got_rows:
            self.record("member", member_id, label, {"rows": want_rows}, {"rows": got_rows})

    def reminders(self, unit_id: str, label: str) -> None:
        expected = self.truth.reminders(unit_id, label)
        body = self.get("reminder", "/reports/reminders", {"unit_id": unit_id, "period": label})
        actual = {i.get("cell_id"): {"rules": sorted(i.get("rules", [])),
                                     "status": i.get("status")} for i in body.get("items", [])}
        self.record("reminder", unit_id, label, {"cells": sorted(expected)},
                    {"cells": sorted(actual)})
        for cell in sorted(set(expected) & set(actual)):
            self.record("reminder", unit_id, label, {cell[:8]: expected[cell]},
                        {cell[:8]: actual[cell]})


def _count(value: Any) -> int:
    if isinstance(value, Mapping):
        return sum(_count(v) for v in value.values())
    return 1


@dataclass(frozen=True)
class Coverage:
    """Which reports to check: all cells in all periods (and each year under `rules=current`);
    committees by level and kind of period (the province in every period, with and without
    `tree_as_of`; the districts as of the eve of the restructuring); overseers of the same
    committees outside months; reminders of the province; flagged members and a sample of the
    others, per year."""

    unit_periods: tuple[str, ...] = ("month", "quarter", "year")
    member_sample: int = 20


def check_all(truth: Truth, transport: Transport, positions: Mapping[str, int],
              coverage: Coverage = Coverage(), *, wait_seconds: float = 300) -> Outcome:
    checker = Checker(truth, transport, positions, wait_seconds=wait_seconds)
    started = time.monotonic()
    plan = truth.plan
    for period in truth.periods:
        for cell in truth.cells_of(period.label):
            checker.cell(cell, period.label)
    for period in (p for p in truth.periods if p.kind == "year"):
        for cell in truth.cells_of(period.label):
            checker.cell(cell, period.label, current=True)
    for period in truth.periods:
        for unit in _units_for(truth, period, coverage):
            checker.unit(unit, period.label, period.end)
            if period.kind != "month":
                checker.overseers(unit, period.label)
        checker.unit(plan.province_id, period.label)
        checker.reminders(plan.province_id, period.label)
    restructured = plan.config.restructure_on - timedelta(days=1)
    for period in (p for p in truth.periods if restructured in p and p.kind != "month"):
        for district in (u for u in plan.units if u.kind == "district_committee"):
            checker.unit(district.id, period.label, restructured)
    flagged = truth.flagged_members()
    others = [m.id for m in plan.members if m.id not in set(flagged)]
    sample = flagged + others[:: max(1, len(others) // max(1, coverage.member_sample))]
    for period in (p for p in truth.periods if p.kind == "year"):
        for member in sample:
            checker.member(member, period.label)
    checker.outcome.seconds = time.monotonic() - started
    return checker.outcome


def _units_for(truth: Truth, period: Period, coverage: Coverage) -> list[str]:
    """The province in every period; other committees in the kinds of period asked for
    (months only for communes and above)."""
    if period.kind not in coverage.unit_periods:
        return [truth.plan.province_id]
    units = []
    for unit_id in truth.committees(period.label):
        kind = truth.plan.unit(unit_id).kind
        if period.kind == "month" and kind == "grassroots_committee":
            continue
        units.append(unit_id)
    return units
