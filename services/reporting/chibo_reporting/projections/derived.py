"""Rows that follow from other rows, recomputed whole for what a batch touched (pure functions).

Recomputing from the base rows, rather than adjusting stored figures, makes the result the
same whatever order events of different streams arrive in (so a replay equals the live model).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any

Row = dict[str, Any]


def _after(day: date | None) -> date | None:
    return None if day is None else day + timedelta(days=1)


def unit_spans(
    unit_id: str, unit: Row | None, names: Sequence[Row], parents: Sequence[Row]
) -> list[Row]:
    """A unit's spans: a new span wherever its name or parent changes, closed by its end."""
    ended = unit.get("ended_on") if unit else None
    changes = sorted({r["effective_from"] for r in (*names, *parents)})
    changes = [d for d in changes if ended is None or d < ended]
    spans = []
    for index, start in enumerate(changes):
        name = _in_force(names, start)
        parent = _in_force(parents, start)
        spans.append({
            "unit_id": unit_id,
            "valid_from": start,
            "valid_to": changes[index + 1] if index + 1 < len(changes) else ended,
            "parent_id": parent["parent_id"] if parent else None,
            "name": name["name"] if name else None,
            "kind": unit.get("kind") if unit else None,
            "evidence": {"name": [name["event_id"]] if name else [],
                         "parent": [parent["event_id"]] if parent else []},
        })
    return spans


def _in_force(rows: Sequence[Row], day: date) -> Row | None:
    candidates = [r for r in rows if r["effective_from"] <= day]
    return max(candidates, key=lambda r: r["effective_from"]) if candidates else None


def exemption_last_day(exemption: Row) -> date | None:
    ends = [d for d in (exemption.get("to_date"), exemption.get("ended_on")) if d is not None]
    return min(ends) if ends else None


def exempted_on(exemptions: Iterable[Row], day: date) -> str | None:
    """The event id of an exemption on record covering `day`, if any."""
    for exemption in exemptions:
        start, last = exemption.get("from_date"), exemption_last_day(exemption)
        if start is not None and start <= day and (last is None or day <= last):
            return str((exemption.get("evidence") or {}).get("exempted", [""])[0])
    return None


def membership_spans(
    member_id: str, cells: Sequence[Row], exemptions: Sequence[Row], attachments: Sequence[Row]
) -> list[Row]:
    """Who was in which cell when: membership (ended by departure), attachments, exemptions."""
    spans: list[Row] = []
    ordered = sorted(cells, key=lambda r: r["effective_from"])
    for index, change in enumerate(ordered):
        if change["cell_id"] is None:
            continue
        until = ordered[index + 1]["effective_from"] if index + 1 < len(ordered) else None
        spans.append({"role": "member", "cell_id": change["cell_id"],
                      "valid_from": change["effective_from"], "valid_to": until,
                      "event_id": change["event_id"]})
    for attachment in sorted(attachments, key=lambda r: (r["from_date"], r["attachment_id"])):
        spans.append({"role": "attached", "cell_id": attachment["cell_id"],
                      "valid_from": attachment["from_date"],
                      "valid_to": _after(attachment["to_date"]),
                      "event_id": attachment["event_id"]})
    for exemption in sorted(exemptions, key=lambda r: (r["from_date"], r["exemption_id"])):
        spans.append({"role": "exempted", "cell_id": None, "valid_from": exemption["from_date"],
                      "valid_to": _after(exemption_last_day(exemption)),
                      "event_id": (exemption.get("evidence") or {}).get("exempted", [""])[0]})
    return [{"member_id": member_id, "seq": seq, **span} for seq, span in enumerate(spans)]


def attendance_rows(data: Row, event_id: str, exemptions: Mapping[str, list[Row]]) -> list[Row]:
    """One row per roll-call entry; `counted` = in the base and not exempted on record (CR-17)."""
    base = set(data["required_member_ids"])
    attached = set(data["attached_member_ids"])
    exempted = set(data["exempted_member_ids"]) | set(data["exempted_present_member_ids"])
    rows = []
    for entry in data["entries"]:
        member = entry["member_id"]
        rows.append({
            "meeting_id": data["meeting_id"], "member_id": member, "cell_id": data["cell_id"],
            "held_on": data["held_on"], "status": entry["status"], "reason": entry.get("reason"),
            "in_base": member in base, "attached": member in attached,
            "rc_exempted": member in exempted, "event_id": event_id,
        })
    return [reflag(row, exemptions.get(row["member_id"], [])) for row in rows]


def reflag(row: Row, exemptions: Iterable[Row]) -> Row:
    exemption = exempted_on(exemptions, row["held_on"])
    return row | {"exemption_event_id": exemption,
                  "counted": bool(row["in_base"]) and exemption is None}


def meeting_figures(rows: Iterable[Row]) -> Row:
    """The meeting's figures on the required base with exemptions on record left out; an
    exempted member who comes counts as present without enlarging the base (DOMAIN §5), and
    `exempted_present` says how many of the present they are."""
    figures = dict.fromkeys(("required", "present", "absent_excused", "absent_unexcused",
                             "exempted_present", "exempted_miscounted"), 0)
    exemption_ids: set[str] = set()
    for row in rows:
        exempted = row["rc_exempted"] or row["exemption_event_id"] is not None
        if row["counted"]:
            figures["required"] += 1
            figures[row["status"]] += 1
        elif exempted and row["status"] == "present":
            figures["present"] += 1
            figures["exempted_present"] += 1
        if row["in_base"] and row["exemption_event_id"] is not None:
            figures["exempted_miscounted"] += 1
        if row["exemption_event_id"]:
            exemption_ids.add(row["exemption_event_id"])
    return figures | {"exemption_ids": sorted(exemption_ids)}


def task_counts(tasks: Iterable[Row]) -> Row:
    """Done and dropped tasks of one resolution, with the events of their latest statuses."""
    tasks = sorted(tasks, key=lambda t: t["task_id"])
    return {
        "tasks_done": sum(1 for t in tasks if t["status"] == "done"),
        "tasks_dropped": sum(1 for t in tasks if t["status"] == "dropped"),
        "evidence_ids": [t["status_event_id"] for t in tasks if t["status_event_id"]],
    }


Absence = list[Any]  # [held_on, cell_id, meeting_id, status]
Runs = list[list[Absence]]
Key = tuple[str, str]  # (held_on, meeting_id): the order of a member's roll-call rows
# A member-year's fold part way: the closed runs, the run still open, the unexcused absences.
Folded = tuple[Runs, list[Absence], list[Absence]]


def member_year(rows: Iterable[Row], resumed: Folded | None = None
                ) -> tuple[Runs, list[Absence]]:
    """(excused runs, unexcused absences) of one member-year from its attendance rows, or from
    the rows after the point `resumed` was folded to (see `resume`); each absence is
    [held_on, cell_id, meeting_id, status]. Only counted rows take part (CR-17)."""
    runs, current, unexcused = resumed or ([], [], [])
    for row in sorted(rows, key=row_key):
        if not row["counted"]:
            continue
        absence = [row["held_on"].isoformat(), row["cell_id"], row["meeting_id"], row["status"]]
        if row["status"] == "absent_excused":
            current.append(absence)
            continue
        if current:
            runs.append(current)
            current = []
        if row["status"] == "absent_unexcused":
            unexcused.append(absence)
    if current:
        runs.append(current)
    return runs, unexcused


def row_key(row: Row) -> Key:
    return row["held_on"].isoformat(), row["meeting_id"]


def resume(stored: Row | None, changes: Iterable[Sequence[Row | None]]
           ) -> tuple[Key | None, Folded]:
    """Where a member-year whose roll-call rows change (per meeting: the row before, the row
    now) must be folded again from — the rows from that key on, as stored now — and the fold
    just before it. Rows before the first change are unchanged, so:
    - with no absence stored, they are all presences (or not counted), which end nothing: from
      the first change, with nothing folded;
    - with every change after its last absence, and that absence unexcused, nothing before the
      first change is open: from the first change, with the stored runs;
    - with every change after its last absence, an excused one: from that absence, with the
      stored runs without it (whether its run is still open depends on the presences since);
    - otherwise from the start of the year (None)."""
    first = min(row_key(row) for change in changes for row in change if row is not None)
    if stored is None:
        return first, ([], [], [])
    last = last_absence(stored)
    if last is None or first <= last:
        return None, ([], [], [])
    runs = [list(run) for run in stored["excused_runs"]]
    unexcused = list(stored["unexcused"])
    if unexcused and (unexcused[-1][0], unexcused[-1][2]) == last:
        return first, (runs, [], unexcused)
    open_run = runs.pop()
    open_run.pop()  # the last absence, folded again from its row
    return last, (runs, open_run, unexcused)


def last_absence(member_year: Row | None) -> Key | None:
    """(held_on, meeting id) of a stored member-year's last counted absence."""
    if member_year is None:
        return None
    absences = [*(a for run in member_year["excused_runs"] for a in run),
                *member_year["unexcused"]]
    return max(((a[0], a[2]) for a in absences), default=None)


def may_change_runs(changes: Iterable[Sequence[Row | None]], last: Key | None) -> bool:
    """Whether a member-year whose roll-call rows change (per meeting: the row before, the row
    now, either None) may have other runs or unexcused absences: a counted absence comes or
    goes, or a counted presence before its last absence (which splits or joins runs). A presence
    after the last absence, or a row not counted, changes neither."""
    for row in (row for change in changes for row in change if row is not None):
        if not row["counted"]:
            continue
        if row["status"] != "present":
            return True
        if last is not None and row_key(row) < last:
            return True
    return False
