"""Tiny plans written by hand, so that each expected figure can be checked by eye."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from bench.province.config import Config
from bench.province.plan import (
    VIETNAM,
    Assignment,
    Document,
    Entry,
    Meeting,
    Member,
    MemberChange,
    Notice,
    Plan,
    Rulebook,
    Task,
    TaskReport,
    Unit,
    UnitChange,
    Visit,
)
from bench.province.truth import Truth, expected

TODAY = date(2026, 11, 24)
PROVINCE, COMMUNE, CELL, OTHER = "P", "C", "K", "K2"
MEMBERS = ("a", "b", "c", "d")


def at(day: date, hour: int = 19, minute: int = 30) -> datetime:
    return datetime.combine(day, time(hour, minute), VIETNAM)


@dataclass
class Handmade:
    """One province, one commune, cell K (members a to d) and cell K2 (member e), overseer o."""

    start: date = date(2024, 1, 1)
    end: date = date(2024, 12, 31)
    meetings: list[Meeting] = field(default_factory=list)
    changes: list[MemberChange] = field(default_factory=list)
    assignments: list[Assignment] = field(default_factory=list)
    visits: list[Visit] = field(default_factory=list)
    rulebooks: list[Rulebook] = field(default_factory=list)
    more_units: list[Unit] = field(default_factory=list)
    unit_changes: list[UnitChange] = field(default_factory=list)
    cell_created: date = date(2000, 1, 1)
    serial: int = 0

    def plan(self) -> Plan:
        units = [
            Unit(PROVINCE, "P", "Tỉnh ủy", "provincial_committee", None, date(2000, 1, 1)),
            Unit(COMMUNE, "C", "Đảng ủy xã", "commune_committee", PROVINCE, date(2000, 1, 1)),
            Unit(CELL, "K", "Chi bộ thôn 1", "cell", COMMUNE, self.cell_created),
            Unit(OTHER, "K2", "Chi bộ thôn 2", "cell", COMMUNE, date(2000, 1, 1)),
            *self.more_units,
        ]
        members = [Member(m, m, m.upper(), date(1970, 1, 1), "Nam", CELL, "full",
                          date(2010, 1, 1)) for m in MEMBERS]
        members += [Member("e", "e", "E", date(1970, 1, 1), "Nam", OTHER, "full",
                           date(2010, 1, 1)),
                    Member("o", "o", "O", date(1960, 1, 1), "Nam", OTHER, "full",
                           date(2000, 1, 1))]
        config = Config(cells=2, members=6, start=self.start, end=self.end)
        return Plan(config, PROVINCE, units, self.unit_changes, members, self.changes,
                    self.meetings, self.assignments, self.visits, self.rulebooks)

    def truth(self) -> Truth:
        return expected(self.plan(), TODAY)

    def meeting(self, day: date, kind: str = "regular", *, minutes: int = 120,
                absent: dict[str, str] | None = None, cell: str = CELL,
                **overrides: Any) -> Meeting:
        """A meeting done right (notice and papers two days ahead, minutes the same evening,
        everyone present, graded 92 and confirmed the next day), then `overrides`."""
        self.serial += 1
        roll = MEMBERS if cell == CELL else ("e", "o")
        absent = absent or {}
        entries = tuple(Entry(m, absent.get(m, "present"),
                              "Ốm" if absent.get(m) == "absent_excused" else None)
                        for m in roll)
        start = at(day)
        meeting = Meeting(
            id=f"m{self.serial:03d}", cell_id=cell, kind=kind, scheduled_for=start,
            place="Nhà văn hóa", topic="Chuyên đề" if kind != "regular" else None,
            notices=[Notice(at(day - timedelta(days=2), 8, 0), True, ())],
            documents=[Document(f"d{self.serial}b", "before", "Tài liệu",
                                at(day - timedelta(days=2), 16, 0)),
                       Document(f"d{self.serial}a", "after", "Biên bản",
                                start + timedelta(minutes=minutes + 20))],
            started_at=start, ended_at=start + timedelta(minutes=minutes),
            chair_id="a", minute_taker_id="b", entries=entries,
            scores={"all": 92.0}, assessed_on=day, confirmed_total=92.0,
            confirmed_on=day + timedelta(days=1),
        )
        for key, value in overrides.items():
            setattr(meeting, key, value)
        self.meetings.append(meeting)
        return meeting

    def every_month(self, year: int, day: int = 3, **overrides: Any) -> list[Meeting]:
        return [self.meeting(date(year, month, day), **overrides) for month in range(1, 13)]

    def every_quarter(self, year: int, day: int = 15) -> list[Meeting]:
        return [self.meeting(date(year, month, day), "thematic", minutes=100)
                for month in (2, 5, 8, 11)]


__all__ = [
    "TODAY",
    "Assignment",
    "Document",
    "Entry",
    "Handmade",
    "MemberChange",
    "Notice",
    "Rulebook",
    "Task",
    "TaskReport",
    "Visit",
    "at",
]
