"""The cell's roll on a date (DOMAIN.md §5) and the check of a roll call against it.

Decisions: a member temporarily attached to another cell is required by the host cell, not by
the home cell (each active member is counted exactly once); an exempted member may be listed and
counts as present without enlarging the base, so the attendance rate (present ÷ required) can
exceed 1; attached members do not vote in the host cell.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from chibo_meetings.domain.errors import InvalidMeetingError
from chibo_meetings.domain.events import AttendanceEntry, AttendanceRecorded, Guest

PRESENT = "present"
ABSENT_EXCUSED = "absent_excused"
ABSENT_UNEXCUSED = "absent_unexcused"


@dataclass(frozen=True)
class CellInfo:
    """What the meetings service knows of a unit from `members.events`."""

    cell_id: str
    kind: str
    created_on: date
    ended_on: date | None = None
    merged_into: str | None = None

    def exists_on(self, day: date) -> bool:
        return self.created_on <= day and (self.ended_on is None or day < self.ended_on)


def require_cell_on(info: CellInfo | None, cell_id: str, day: date) -> None:
    """Raise unless `cell_id` is a cell that exists on `day`."""
    if info is None:
        raise InvalidMeetingError.on(
            "cell_id", f"unknown cell {cell_id} (not, or not yet, received from members.events)"
        )
    if info.kind != "cell":
        raise InvalidMeetingError.on("cell_id", f"unit {cell_id} is a {info.kind}, not a cell")
    if info.exists_on(day):
        return
    if day < info.created_on:
        message = f"cell {cell_id} exists only from {info.created_on}"
    elif info.merged_into:
        message = f"cell {cell_id} was merged into {info.merged_into} on {info.ended_on}"
    else:
        message = f"cell {cell_id} was dissolved on {info.ended_on}"
    raise InvalidMeetingError.on("cell_id", f"{message}, so it cannot meet on {day}")


@dataclass(frozen=True)
class CellRoll:
    """Who must, who may and who may not be listed on a cell's roll call on one day."""

    cell_id: str
    on: date
    required: frozenset[str]
    exempted: frozenset[str] = frozenset()
    attached: frozenset[str] = frozenset()
    voters: frozenset[str] = frozenset()
    elsewhere: Mapping[str, str] = field(default_factory=dict)
    names: Mapping[str, str] = field(default_factory=dict)

    def describe(self, member_ids: Sequence[str]) -> str:
        return ", ".join(self._describe(m) for m in sorted(member_ids))

    def _describe(self, member_id: str) -> str:
        text = f"{self.names[member_id]} ({member_id})" if member_id in self.names else member_id
        if member_id in self.elsewhere:
            text += f" is attached to cell {self.elsewhere[member_id]} that day"
        return text


@dataclass(frozen=True)
class RollCallFigures:
    """The attendance figures of one roll call, as reporting needs them: `present` counts the
    required members present and the exempted members who came (`exempted_present` of them);
    the absences count required members only."""

    required: int
    present: int
    absent_excused: int
    absent_unexcused: int
    exempted_present: int
    attendance_rate: float | None
    required_member_ids: tuple[str, ...]
    attached_member_ids: tuple[str, ...]
    exempted_member_ids: tuple[str, ...]
    exempted_present_member_ids: tuple[str, ...]
    voting_member_ids: tuple[str, ...]
    voting_base: int


def check_roll_call(
    roll: CellRoll, entries: Sequence[AttendanceEntry], guests: Sequence[Guest]
) -> RollCallFigures:
    """Raise (naming the members) unless the entries list exactly the roll; else the figures."""
    errors = _entry_errors(roll, entries) | _guest_errors(roll, entries, guests)
    if errors:
        detail = "; ".join(message for messages in errors.values() for message in messages)
        raise InvalidMeetingError(f"the roll call does not match the cell's roll: {detail}", errors)
    return _figures(roll, entries)


def _entry_errors(roll: CellRoll, entries: Sequence[AttendanceEntry]) -> dict[str, list[str]]:
    listed = Counter(e.member_id for e in entries)
    messages = []
    duplicates = [m for m, n in listed.items() if n > 1]
    if duplicates:
        messages.append(f"members listed more than once: {roll.describe(duplicates)}")
    missing = roll.required - set(listed)
    if missing:
        messages.append(f"missing required members on {roll.on}: {roll.describe(list(missing))}")
    unknown = set(listed) - roll.required - roll.exempted
    if unknown:
        messages.append(f"not on the cell's roll on {roll.on}: {roll.describe(list(unknown))}")
    unexplained = [e.member_id for e in entries if e.status == ABSENT_EXCUSED and not e.reason]
    if unexplained:
        messages.append(f"an excused absence needs a reason: {roll.describe(unexplained)}")
    return {"entries": messages} if messages else {}


def _guest_errors(
    roll: CellRoll, entries: Sequence[AttendanceEntry], guests: Sequence[Guest]
) -> dict[str, list[str]]:
    counted = Counter(g.member_id for g in guests)
    messages = []
    duplicates = [m for m, n in counted.items() if n > 1]
    if duplicates:
        messages.append(f"guests listed more than once: {roll.describe(duplicates)}")
    on_roll = set(counted) & (roll.required | roll.exempted | {e.member_id for e in entries})
    if on_roll:
        messages.append(f"on the cell's roll, list them as entries: {roll.describe(list(on_roll))}")
    return {"guests": messages} if messages else {}


def _figures(roll: CellRoll, entries: Sequence[AttendanceEntry]) -> RollCallFigures:
    status = {e.member_id: e.status for e in entries}
    counted = {s: sum(1 for m in roll.required if status[m] == s) for s in
               (PRESENT, ABSENT_EXCUSED, ABSENT_UNEXCUSED)}
    exempted_present = sorted(m for m in roll.exempted if status.get(m) == PRESENT)
    present = counted[PRESENT] + len(exempted_present)
    voting = sorted(m for m, s in status.items() if s == PRESENT and m in roll.voters)
    required = len(roll.required)
    return RollCallFigures(
        required=required,
        present=present,
        absent_excused=counted[ABSENT_EXCUSED],
        absent_unexcused=counted[ABSENT_UNEXCUSED],
        exempted_present=len(exempted_present),
        attendance_rate=round(present / required, 4) if required else None,
        required_member_ids=tuple(sorted(roll.required)),
        attached_member_ids=tuple(sorted(roll.attached & roll.required)),
        exempted_member_ids=tuple(sorted(roll.exempted)),
        exempted_present_member_ids=tuple(exempted_present),
        voting_member_ids=tuple(voting),
        voting_base=len(voting),
    )


def repeats(
    current: AttendanceRecorded, entries: Sequence[AttendanceEntry], guests: Sequence[Guest]
) -> bool:
    """Whether the entries and guests are those of the current roll call, in any order."""
    def key(item: AttendanceEntry | Guest) -> str:
        return item.member_id

    return (sorted(current.entries, key=key) == sorted(entries, key=key)
            and sorted(current.guests, key=key) == sorted(guests, key=key))
