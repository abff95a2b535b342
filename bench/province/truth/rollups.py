"""Expected unit roll-ups (CR-28), overseer quotas (CR-25 by overseer), members and reminders."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from bench.province.truth.attendance import longest_excused_run
from bench.province.truth.cells import CellTruth
from bench.province.truth.oversight import charges, overseer_quotas
from bench.province.truth.periods import Period, Window
from bench.province.truth.results import FAIL, GRADES, NA, PASS, Expected, overall, share
from bench.province.truth.scope import Scope

Results = dict[str, Expected]


def rollup(results: list[Results]) -> dict[str, Any]:
    """Per rule the cells judged (pass or fail), the compliant ones and the share; attendance,
    grades and flagged members over the cells."""
    rules: dict[str, dict[str, Any]] = {}
    for cell in results:
        for rule, expected in cell.items():
            entry = rules.setdefault(rule, {"compliant": 0, "total": 0})
            if expected.result != NA:
                entry["total"] += 1
                entry["compliant"] += expected.result == PASS
    for entry in rules.values():
        entry["share"] = share(entry["compliant"], entry["total"])
    present = sum(c["CR-11"].figures["present"] for c in results)
    required = sum(c["CR-11"].figures["required"] for c in results)
    grades = dict.fromkeys((*GRADES, "ungraded"), 0)
    for cell in results:
        for name, count in cell["CR-18"].figures["grades"].items():
            grades[name] += count
    flagged: dict[str, set[str]] = {key: set() for key in ("CR-14", "CR-15", "CR-15-warning")}
    for cell in results:
        flagged["CR-14"] |= set(cell["CR-14"].figures["members"])
        flagged["CR-15"] |= set(cell["CR-15"].figures["alerts"])
        flagged["CR-15-warning"] |= set(cell["CR-15"].figures["warnings"])
    return {
        "cells": len(results), "rules": dict(sorted(rules.items())),
        "attendance": {"average_rate": share(present, required)},
        "grades": grades,
        "members_flagged": {**{k: len(v) for k, v in flagged.items()},
                            "total": len(flagged["CR-14"] | flagged["CR-15"])},
    }


def overseer_entries(truth: CellTruth, unit_id: str, period: Period,
                     tree_day: date) -> dict[str, dict[str, Any]]:
    """Per overseer with an assignment at or below the unit in the year to date, and the basis
    of their latest assignment in charge of each cell: their cells (those the assignment had
    in charge on some day), visits, counted visits, required visits and whether every quota is
    met. A cell's quota is the one of the cell's own report (`overseer_quotas`)."""
    world, plan = truth.facts.world, truth.plan
    window = Window(date(period.year, 1, 1), period.end, "ytd")
    listed = {c for c in truth.facts.covers
              if c.start <= window.end and (c.last is None or c.last >= window.start)
              and unit_id in world.ancestry(c.unit_id, tree_day)}
    grouped: dict[tuple[str, str], list[tuple[str, dict[str, Any]]]] = defaultdict(list)
    for cell in sorted(c.id for c in plan.cells()):
        scope = Scope(truth, cell, period, current=False)
        charged = charges(scope)
        mine = {overseer for overseer, (covers, _) in charged.items() if covers & listed}
        for quota in overseer_quotas(scope, charged):
            if quota["overseer_id"] in mine:
                grouped[(quota["overseer_id"], quota["position_basis"])].append((cell, quota))
    entries = {}
    for (overseer, basis), quotas in sorted(grouped.items()):
        state = overall(q["state"] for _, q in quotas)
        entries[f"{overseer}/{basis}"] = {
            "overseer_id": overseer, "position_basis": basis,
            "cells": [cell for cell, _ in quotas],
            "visits": sum(q["visits"] for _, q in quotas),
            "counted_visits": sum(q["counted_visits"] for _, q in quotas),
            "required": sum(q["required"] for _, q in quotas),
            "met": state == PASS, "state": state,
        }
    return entries


def member_expected(truth: CellTruth, member_id: str, period: Period) -> dict[str, Any]:
    """The member's roll-call entries in the period and their CR-14 / CR-15 flags for the
    year up to the period's end (counted entries only, CR-17)."""
    judged_on = min(period.end, truth.today)
    rows = [r for r in truth.facts.member_rows.get(member_id, [])
            if r.held_on.year == period.year and r.held_on <= judged_on]
    attendance = [{"meeting_id": meeting, "held_on": day.isoformat(), "status": status}
                  for day, meeting, status in truth.facts.attendance.get(member_id, [])
                  if day in period]
    rules = truth.books.on(judged_on)
    flags, warnings = [], []
    if rows:
        if len(longest_excused_run(rows)) > rules["max_consecutive_excused"]:
            flags.append("CR-14")
        unexcused = [r for r in rows if r.status == "absent_unexcused"]
        months = len({(r.held_on.year, r.held_on.month) for r in unexcused})
        if months >= rules["strike_off_alert_months"]:
            flags.append("CR-15")
        elif months >= rules["strike_off_warning_months"]:
            warnings.append("CR-15")
    return {"attendance": attendance, "flags": flags, "warnings": warnings}


def reminder_items(results: dict[str, Results]) -> dict[str, dict[str, Any]]:
    """Candidates and every cell with a case for the period, with their rules and status."""
    items = {}
    for cell, result in sorted(results.items()):
        figures = result["CR-27"].figures
        if result["CR-27"].result == FAIL or figures["status"] not in (None, "candidate"):
            items[cell] = {"rules": list(figures["rules"]), "status": figures["status"]}
    return items
