"""The report answers of the contract (API.md "Report shapes"), built from one consistent read."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from chibo_reporting.facts import Assignment, MeetingFact, Visit
from chibo_reporting.periods import Window
from chibo_reporting.queries.evaluation import (
    Context,
    Evaluation,
    covering,
    evaluate_cells,
    stretches,
)
from chibo_reporting.queries.loading import Loader
from chibo_reporting.queries.summaries import Stamped, SummaryCache
from chibo_reporting.rules import attendance as attendance_rules
from chibo_reporting.rules import oversight as oversight_rules
from chibo_reporting.rules.oversight import Quota
from chibo_reporting.rules.quality import grade_of
from chibo_reporting.rules.results import PASS, overall, share
from chibo_reporting.rules.rollup import rollup


class NotFoundError(LookupError):
    """The report's subject (cell, unit, member, stream) is not known to the read models."""


Shown = Callable[[str], bool]  # which units (cells, assignment units) a scoped caller sees


def _header(context: Context, subject: str) -> dict[str, Any]:
    stated = context.stated(subject)
    return {"period": context.period.label, "rules_mode": context.mode,
            "rulebook": stated.ref,
            "judged_on": context.judged_on.isoformat()}


def _meeting_row(evaluation: Evaluation, meeting: MeetingFact) -> dict[str, Any]:
    return {
        "meeting_id": meeting.meeting_id, "kind": meeting.kind,
        "held_on": str(meeting.held_on), "scheduled_on": str(meeting.scheduled_on),
        "duration_minutes": meeting.duration_minutes, "parts": meeting.parts,
        "required": meeting.required, "present": meeting.present,
        "absent_excused": meeting.absent_excused, "absent_unexcused": meeting.absent_unexcused,
        "exempted_present": meeting.exempted_present,
        "attendance_rate": share(meeting.present, meeting.required) if meeting.roll_call else None,
        "score": meeting.score, "grade": grade_of(evaluation.cell, meeting),
        "evidence": sorted({i for ids in meeting.evidence.values() for i in ids}),
    }


def cell_report(loader: Loader, context: Context, cell_id: str) -> dict[str, Any]:
    tree = context.tree
    if tree.kind(cell_id) is None:
        raise NotFoundError(f"no cell {cell_id!r} is known to reporting")
    if tree.kind(cell_id) != "cell":
        raise NotFoundError(f"unit {cell_id!r} is a {tree.kind(cell_id)}, not a cell")
    evaluation = evaluate_cells(loader, context, [cell_id])[cell_id]
    return {
        "cell_id": cell_id, "name": tree.name(cell_id, context.judged_on),
        **_header(context, cell_id),
        "rules": {rule: result.to_json() for rule, result in evaluation.results.items()},
        "meetings": [_meeting_row(evaluation, m) for m in evaluation.cell.period_meetings],
        "rulebooks_used": context.used_refs(),
    }


def _unit_cells(context: Context, unit_id: str, tree_day: date) -> list[str]:
    if context.tree.kind(unit_id) is None:
        raise NotFoundError(f"no unit {unit_id!r} is known to reporting")
    return context.tree.cells_under(unit_id, tree_day)


def _count_cells(context: Context) -> int:
    return sum(1 for unit in context.tree.units.values() if unit.kind == "cell")


def unit_report(loader: Loader, context: Context, unit_id: str, tree_day: date,
                cache: SummaryCache) -> dict[str, Any]:
    """CR-28: the roll-up over every cell below the unit in the tree as of `tree_day` (cell
    summaries from `cache` where their facts did not change)."""
    cells = _unit_cells(context, unit_id, tree_day)
    summaries = cache.summaries(loader, context, cells, _count_cells(context))
    parameters = context.stated(unit_id).parameters
    totals = rollup(list(summaries.values()), parameters)
    quotas = _overseer_entries(loader, context, unit_id, tree_day, cache=cache)
    totals["overseers"] = {
        "assigned_cells_share": totals["rules"].get("CR-24", {}).get("share"),
        "quota_met": sum(1 for q in quotas if q["met"]), "total": len(quotas),
    }
    children = []
    tree = context.tree
    for child in tree.children(unit_id, tree_day):
        below = [c for c in tree.cells_under(child, tree_day) if c in summaries]
        child_totals = rollup([summaries[c] for c in below], parameters)
        children.append({"unit_id": child, "name": tree.name(child, tree_day),
                         "kind": tree.kind(child), "cells": child_totals["cells"],
                         "rules": child_totals["rules"],
                         "attendance": child_totals["attendance"]})
    return {"unit_id": unit_id, "name": tree.name(unit_id, tree_day),
            "kind": tree.kind(unit_id), **_header(context, unit_id),
            "tree_as_of": tree_day.isoformat(), **totals, "children": children,
            "rulebooks_used": context.used_refs()}


def _overseer_entries(loader: Loader, context: Context, unit_id: str, tree_day: date, *,
                      cache: SummaryCache, shown: Shown | None = None) -> list[dict[str, Any]]:
    """CR-25 per overseer with an assignment at or below the unit (of the assignments and
    cells the caller sees): the cells it had in their charge on some day of the year to date,
    their visits and quota in each. A quota rests on every assignment of theirs in charge of
    the cell, on it or above it on the day, as in the cell's own report, so an overseer's
    figures in a cell do not depend on the unit asked about (nor does what `cache` keeps of
    them); entries by overseer and the basis their quotas go by."""
    tree, period = context.tree, context.period
    window = period.year_to_date()

    def resolve() -> tuple[list[Assignment], dict[str, list[Assignment]]]:
        current = [a for a in loader.assignments(tree) if a.overlap(window)]
        cells = [u.unit_id for u in tree.units.values() if u.kind == "cell"]
        return current, covering(stretches(tree, cells, window), current)

    current, in_charge = cache.charges(loader, window, resolve)
    mine = {a.assignment_id for a in current if tree.is_below(a.unit_id, unit_id, tree_day)
            and (shown is None or shown(a.unit_id))}
    if not mine:
        return []
    keys = sorted({(a.overseer_id, cell) for cell, pieces in in_charge.items()
                   if shown is None or shown(cell)
                   for a in pieces if a.assignment_id in mine})
    cells = sorted({cell for _, cell in keys})

    def compute(keys: list[tuple[str, str]]) -> list[Quota]:
        """The quotas of `keys`, from the visits of their cells only (the cached ones are most
        of a roll-up's, and reading every visit of a province costs more than the rest of it)."""
        visits: dict[tuple[str, str], list[Visit]] = {}
        for visit in loader.visits(sorted({cell for _, cell in keys}), window.start, window.end):
            visits.setdefault((visit.overseer_id, visit.cell_id), []).append(visit)
        return [oversight_rules.quota(
            overseer, cell, [a for a in in_charge[cell] if a.overseer_id == overseer],
            visits.get((overseer, cell), []), window,
            parameters=context.applying(cell)(context.judged_on).parameters,
            today=context.today, active=tree.active_spans(cell))
            for overseer, cell in keys]

    found = cache.quotas(Stamped(loader, cells, _count_cells(context)), context, keys, compute)
    grouped: dict[tuple[str, str], list[Quota]] = {}
    for key in keys:  # sorted: each overseer's cells in order
        quota = found[key]
        grouped.setdefault((quota.overseer_id, quota.position_basis), []).append(quota)
    entries = []
    for (overseer, basis), quotas in sorted(grouped.items()):
        state = overall(q.state for q in quotas)
        entries.append({
            "overseer_id": overseer, "position_basis": basis,
            "cells": [q.cell_id for q in quotas],
            "visits": sum(q.visits for q in quotas),
            "counted_visits": sum(q.counted_visits for q in quotas),
            "quota": quotas[0].quota,
            "required": sum(q.required for q in quotas),
            "met": state == PASS, "state": state,
            "per_cell": [q.to_json() for q in quotas], "window": window.label,
        })
    return entries


def overseers_report(loader: Loader, context: Context, unit_id: str, tree_day: date, *,
                     cache: SummaryCache, shown: Shown | None = None) -> dict[str, Any]:
    if context.tree.kind(unit_id) is None:
        raise NotFoundError(f"no unit {unit_id!r} is known to reporting")
    entries = _overseer_entries(loader, context, unit_id, tree_day, shown=shown, cache=cache)
    return {"unit_id": unit_id, **_header(context, unit_id), "overseers": entries,
            "rulebooks_used": context.used_refs()}


def reminders_report(loader: Loader, context: Context, unit_id: str, tree_day: date, *,
                     cache: SummaryCache, shown: Shown | None = None) -> dict[str, Any]:
    """CR-27: cells to remind and review, with the status of their case; from the cells'
    summaries, which roll-ups share and the warm-up keeps (a province's list costs what its
    roll-up does, not an evaluation of every cell)."""
    cells = [c for c in _unit_cells(context, unit_id, tree_day) if shown is None or shown(c)]
    summaries = cache.summaries(loader, context, cells, _count_cells(context))
    items = []
    for cell_id in sorted(cells):
        review = summaries[cell_id].review
        if review is None:
            continue
        items.append({"cell_id": cell_id, "name": context.tree.name(cell_id, tree_day),
                      "rules": review["rules"],
                      "reason": "; ".join(review["reasons"]) or f"review case {review['status']}",
                      "status": review["status"], "review_id": review["review_id"],
                      "outcome": review["outcome"]})
    return {"unit_id": unit_id, **_header(context, unit_id), "tree_as_of": tree_day.isoformat(),
            "items": items, "rulebooks_used": context.used_refs()}


def member_report(loader: Loader, context: Context, member_id: str) -> dict[str, Any]:
    """A member's attendance in the period and their CR-14 / CR-15 standing for the year."""
    period = context.period
    member = loader.member(member_id)
    rows = loader.attendance_of(member_id, period.start, period.end)
    if member is None and not rows:
        raise NotFoundError(f"no member {member_id!r} is known to reporting")
    spans = loader.membership(member_id)
    cell = _member_cell(spans, rows, context.judged_on)
    years = loader.member_years(period.year, [member_id])
    flags = None
    if cell is not None:
        parameters = context.applying(cell)(context.judged_on).parameters
        if years:
            flags = attendance_rules.member_flags(years[0], context.judged_on, parameters)
    return {
        "member_id": member_id, "full_name": (member or {}).get("full_name"),
        **_header(context, cell or member_id), "cell_id": cell,
        "cells": [_span_json(s) for s in spans if _overlaps(s, period)],
        "attendance": [{"meeting_id": r["meeting_id"], "cell_id": r["cell_id"],
                        "held_on": str(r["held_on"]), "status": r["status"],
                        "reason": r["reason"], "counted": r["counted"],
                        "exempted": bool(r["rc_exempted"] or r["exemption_event_id"]),
                        "event_id": r["event_id"]} for r in rows],
        "flags": flags.rule_ids if flags else [],
        "warnings": ["CR-15"] if flags and flags.strike_off == "warning" else [],
        "figures": _flag_figures(flags),
        "rulebooks_used": context.used_refs(),
    }


def _member_cell(spans: list[dict[str, Any]], rows: list[dict[str, Any]], day: date) -> str | None:
    """The member's cell on `day`, else the last cell they were on the roll of in the period."""
    for span in spans:
        if span["role"] == "member" and span["valid_from"] <= day and (
                span["valid_to"] is None or day < span["valid_to"]):
            return str(span["cell_id"])
    return str(rows[-1]["cell_id"]) if rows else None


def _overlaps(span: dict[str, Any], window: Window) -> bool:
    return span["valid_from"] <= window.end and (
        span["valid_to"] is None or span["valid_to"] > window.start)


def _span_json(span: dict[str, Any]) -> dict[str, Any]:
    """A span on a cell's roll, `from` its first day `until` its last (as the write API's `to`:
    the read model's `valid_to` is the day after); `until` is null while it runs."""
    last = span["valid_to"] - timedelta(days=1) if span["valid_to"] else None
    return {"role": span["role"], "cell_id": span["cell_id"],
            "from": str(span["valid_from"]), "until": str(last) if last else None,
            "event_id": span["event_id"]}


def _flag_figures(flags: attendance_rules.MemberFlags | None) -> dict[str, Any]:
    if flags is None:
        return {"longest_excused_run": 0, "unexcused_months": []}
    return {"longest_excused_run": len(flags.longest_excused_run),
            "longest_excused_run_meetings": [a.meeting_id for a in flags.longest_excused_run],
            "unexcused_months": list(flags.unexcused_months),
            "strike_off": flags.strike_off}
