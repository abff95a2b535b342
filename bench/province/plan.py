"""The plan of a synthetic province: plain dataclasses, in the words of DOMAIN.md and API.md.

A plan says what happened, never how it is stored: the driver writes it through the services'
HTTP APIs (or straight into their event stores), the reference computation in `truth` derives
the expected reports from it. Dates are calendar days in Vietnam; date-times carry +07:00.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

from bench.province.config import Config

VIETNAM = timezone(timedelta(hours=7))


@dataclass
class Unit:
    id: str
    code: str
    name: str
    kind: str
    parent_id: str | None
    created_on: date
    ended_on: date | None = None  # the first day it no longer exists
    merged_into: str | None = None


@dataclass(frozen=True)
class UnitChange:
    """`rename` (name), `move` (parent_id), `merge` (into_id) or `dissolve` (reason)."""

    on: date
    unit_id: str
    action: str
    name: str | None = None
    parent_id: str | None = None
    into_id: str | None = None
    reason: str | None = None
    implied: bool = False  # made by the members service itself (children of a merged unit)


@dataclass
class Member:
    id: str
    code: str
    full_name: str
    birth_date: date
    gender: str
    cell_id: str
    status: str
    admitted_on: date


@dataclass(frozen=True)
class MemberChange:
    """One write about a member after registration, in the API's words.

    action: transfer (cell_id), confirm_full, exempt (item_id, from_, to, reason, ref),
    end_exemption (item_id), attach (item_id, cell_id, from_, to), position (item_id, unit_id,
    position, from_, to), end_position (item_id), leave (reason). `on` is the effective day
    (for exempt/attach/position: `from_`). `implied` changes are made by the members service
    itself (members of a merged cell move with it) and are not sent. `late` changes are
    recorded after the meetings (a back-dated exemption).
    """

    on: date
    member_id: str
    action: str
    cell_id: str | None = None
    item_id: str | None = None
    unit_id: str | None = None
    position: str | None = None
    from_: date | None = None
    to: date | None = None
    reason: str | None = None
    ref: str | None = None
    implied: bool = False
    late: bool = False


@dataclass(frozen=True)
class Notice:
    sent_at: datetime
    to_members: bool
    to_overseer_ids: tuple[str, ...]


@dataclass(frozen=True)
class Document:
    id: str
    phase: str
    title: str
    posted_at: datetime


@dataclass(frozen=True)
class Entry:
    member_id: str
    status: str
    reason: str | None = None


@dataclass(frozen=True)
class Task:
    id: str
    description: str
    owner_id: str
    due_on: date


@dataclass(frozen=True)
class TaskReport:
    task_id: str
    status: str
    note: str | None = None


@dataclass
class Meeting:
    """One cell meeting from planning to the confirmed grade; absent parts did not happen."""

    id: str
    cell_id: str
    kind: str
    scheduled_for: datetime
    place: str
    topic: str | None = None
    agenda: tuple[str, ...] = ()
    rescheduled_to: datetime | None = None
    reschedule_reason: str | None = None
    cancel_reason: str | None = None
    notices: list[Notice] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    started_at: datetime | None = None
    ended_at: datetime | None = None
    chair_id: str | None = None
    minute_taker_id: str | None = None
    entries: tuple[Entry, ...] | None = None  # the roll call as first recorded
    guests: tuple[tuple[str, str], ...] = ()
    correction: tuple[Entry, ...] | None = None  # the corrected roll call, if any
    correction_reason: str | None = None
    resolution_text: str | None = None
    votes: tuple[int, int, int] = (0, 0, 0)
    tasks: tuple[Task, ...] = ()
    task_reports: list[TaskReport] = field(default_factory=list)
    rubric: str | None = None
    scores: dict[str, float] | None = None
    assessed_on: date | None = None
    confirmed_total: float | None = None
    confirmed_on: date | None = None

    @property
    def held(self) -> bool:
        return self.started_at is not None

    @property
    def held_on(self) -> date | None:
        return self.started_at.date() if self.started_at else None

    @property
    def meeting_day(self) -> date:
        return (self.rescheduled_to or self.scheduled_for).date()

    @property
    def duration_minutes(self) -> int | None:
        if self.started_at is None or self.ended_at is None:
            return None
        return int((self.ended_at - self.started_at).total_seconds() // 60)

    @property
    def final_entries(self) -> tuple[Entry, ...] | None:
        return self.correction if self.correction is not None else self.entries

    @property
    def self_total(self) -> float | None:
        return None if self.scores is None else round(sum(self.scores.values()), 2)


@dataclass(frozen=True)
class Assignment:
    id: str
    overseer_id: str
    unit_id: str
    position_basis: str
    from_: date
    to: date | None = None
    ended_on: date | None = None  # AssignmentEnded(on): the last day in charge

    @property
    def last_day(self) -> date | None:
        days = [d for d in (self.to, self.ended_on) if d is not None]
        return min(days) if days else None


@dataclass(frozen=True)
class Visit:
    """A superior committee member at a cell meeting; `via_roll_call`: listed as a guest there."""

    id: str
    overseer_id: str
    cell_id: str
    meeting_id: str | None
    visited_on: date
    via_roll_call: bool
    comments: str | None = None
    issues: str | None = None
    follow_ups: str | None = None


@dataclass(frozen=True)
class Review:
    """A remind-and-review case (CR-27): reminded, maybe explained, maybe closed."""

    id: str
    cell_id: str
    period: str
    rule_ids: tuple[str, ...]
    reminded_on: date
    explained_on: date | None = None
    closed_on: date | None = None
    outcome: str | None = None

    @property
    def status(self) -> str:
        if self.closed_on is not None:
            return "fixed" if self.outcome == "fixed" else "closed"
        return "explained" if self.explained_on is not None else "reminded"


@dataclass(frozen=True)
class Rulebook:
    id: str
    unit_id: str
    effective_from: date
    parameters: dict[str, Any]
    name: str


@dataclass
class Plan:
    config: Config
    province_id: str
    units: list[Unit]
    unit_changes: list[UnitChange]
    members: list[Member]
    member_changes: list[MemberChange]
    meetings: list[Meeting]
    assignments: list[Assignment]
    visits: list[Visit]
    rulebooks: list[Rulebook]
    reviews: list[Review] = field(default_factory=list)

    def unit(self, unit_id: str) -> Unit:
        return self._units[unit_id]

    def __post_init__(self) -> None:
        self._units = {u.id: u for u in self.units}

    def cells(self) -> list[Unit]:
        return [u for u in self.units if u.kind == "cell"]

    def summary(self) -> dict[str, int]:
        held = [m for m in self.meetings if m.held]
        return {
            "units": len(self.units), "cells": len(self.cells()), "members": len(self.members),
            "member_changes": len(self.member_changes), "meetings": len(self.meetings),
            "held": len(held), "roll_call_entries": sum(len(m.entries or ()) for m in held),
            "assignments": len(self.assignments), "visits": len(self.visits),
            "reviews": len(self.reviews),
        }
