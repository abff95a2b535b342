"""Builders for domain tests: a cell, its roll, and a meeting at each step of its life cycle."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from chibo_meetings.domain import CellInfo, CellRoll, Meeting
from chibo_meetings.domain.events import AttendanceEntry

ICT = timezone(timedelta(hours=7))
CELL_ID = "cell-1"
DAY = date(2025, 3, 3)
START = datetime(2025, 3, 3, 19, 0, tzinfo=ICT)
END = START + timedelta(minutes=120)
NOW = datetime(2025, 3, 1, 1, 0, tzinfo=UTC)
TODAY = DAY  # in Vietnam, when the meeting is recorded as held
CELL = CellInfo(CELL_ID, "cell", date(2020, 1, 1))


def make_roll(
    on: date = DAY,
    required: tuple[str, ...] = ("A", "B", "C", "P"),
    exempted: tuple[str, ...] = ("E",),
    voters: tuple[str, ...] = ("A", "B", "C", "E"),
    attached: tuple[str, ...] = (),
) -> CellRoll:
    return CellRoll(
        cell_id=CELL_ID, on=on, required=frozenset(required), exempted=frozenset(exempted),
        attached=frozenset(attached), voters=frozenset(voters),
    )


def roll_of(cell_id: str, on: date) -> CellRoll:
    return make_roll(on=on)


def present(*members: str) -> tuple[AttendanceEntry, ...]:
    return tuple(AttendanceEntry(m, "present") for m in members)


def scheduled(meeting_id: str = "m-1", kind: str = "regular", topic: str | None = None) -> Meeting:
    meeting = Meeting(meeting_id)
    meeting.schedule(CELL, CELL_ID, kind, START, place="Nhà văn hóa", topic=topic)
    return meeting


def held(meeting_id: str = "m-1", start: datetime = START, kind: str = "regular") -> Meeting:
    meeting = scheduled(meeting_id, kind, topic="Đường bê tông" if kind != "regular" else None)
    meeting.hold(CELL, start, start + timedelta(minutes=120), place="Nhà văn hóa", chair_id="A",
                 minute_taker_id="B")
    return meeting


def with_roll_call(meeting_id: str = "m-1", start: datetime = START) -> Meeting:
    meeting = held(meeting_id, start)
    meeting.call_roll(roll_of, present("A", "B", "C", "P"), ())
    return meeting
