"""Builders of plain facts for the rule tests (no I/O)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import date
from typing import Any

from chibo_reporting.facts import (
    Absence,
    Assignment,
    CellPeriod,
    MeetingFact,
    MemberYear,
    Review,
    Visit,
)
from chibo_reporting.periods import Period, Window
from chibo_reporting.rulebooks import NATIONAL_DEFAULT, Rulebook, parameters, validate

CELL = "cell-bi-ban"
TODAY = date(2026, 3, 15)
_ids = itertools.count(1)


def rulebook(version: int = 1, effective_from: date = date(2020, 1, 1), unit: str = "province",
             **changes: Any) -> Rulebook:
    return Rulebook(f"rb-{version}", unit, version, effective_from, None,
                    parameters(validate(changes)))


def meeting(held_on: date, kind: str = "regular", **figures: Any) -> MeetingFact:
    number = next(_ids)
    evidence = {"held": (f"held-{number}",), "roll_call": (f"roll-{number}",)}
    defaults: dict[str, Any] = {
        "duration_minutes": 120 if kind == "combined" else 95,
        "parts": 2 if kind == "combined" else 1,
        "scheduled_on": held_on,
    }
    return MeetingFact(meeting_id=f"m-{number}", cell_id=figures.pop("cell_id", CELL), kind=kind,
                       held_on=held_on, evidence=evidence, **(defaults | figures))


def cell_period(period: str, meetings: list[MeetingFact] | tuple[MeetingFact, ...] = (), *,
                books: list[Rulebook] | None = None, today: date = TODAY,
                active: tuple[Window, ...] | None = None, **more: Any) -> CellPeriod:
    books = sorted(books or [], key=lambda b: b.effective_from)

    def at(day: date) -> Rulebook:
        in_force = [b for b in books if b.effective_from <= day]
        return in_force[-1] if in_force else NATIONAL_DEFAULT

    return CellPeriod(
        cell_id=CELL, period=Period.parse(period), today=today,
        active=active or (Window(date(2000, 1, 1), date.max, CELL),),
        meetings=tuple(sorted(meetings, key=lambda m: (m.held_on, m.meeting_id))),
        rulebook=at, **more,
    )


def monthly(year: int, day: int = 3, months: range = range(1, 13), **figures: Any) -> list[
        MeetingFact]:
    return [meeting(date(year, m, day), **figures) for m in months]


def absence(held_on: date, status: str = "absent_excused", cell: str = CELL) -> Absence:
    return Absence(held_on, cell, f"m-{held_on}", status)


def member_year(member: str, year: int, runs: Sequence[Sequence[date]] = (),
                unexcused: Sequence[date] = ()) -> MemberYear:
    return MemberYear(member, year, tuple(tuple(absence(d) for d in run) for run in runs),
                      tuple(absence(d, "absent_unexcused") for d in unexcused))


def assignment(overseer: str, basis: str = "executive_committee_member", unit: str = CELL,
               start: date = date(2024, 1, 1), last_day: date | None = None) -> Assignment:
    return Assignment(f"a-{overseer}-{start}", overseer, unit, basis, start, last_day,
                      (f"assigned-{overseer}",))


def visit(overseer: str, on: date, counts: bool = True, cell: str = CELL) -> Visit:
    return Visit(f"v-{next(_ids)}", overseer, cell, on, counts, event_id=f"visit-{next(_ids)}")


def review(period: str, **changes: Any) -> Review:
    return Review(f"r-{next(_ids)}", CELL, period, ("CR-01",), date(2025, 1, 10), **changes)
