"""The private events of assignments, visits and review cases, in the domain's own types.

Field names equal the public contract's attribute names (`from_` travels as `from`), so the one
translation point, `publishing`, maps them field for field.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class OverseerAssigned:
    assignment_id: str
    overseer_id: str
    unit_id: str
    position_basis: str
    position_unit_id: str
    position_id: str | None
    from_: date
    to: date | None


@dataclass(frozen=True)
class AssignmentEnded:
    assignment_id: str
    overseer_id: str
    unit_id: str
    on: date


@dataclass(frozen=True)
class VisitMade:
    visit_id: str
    overseer_id: str
    cell_id: str
    meeting_id: str | None
    visited_on: date
    comments: str | None
    issues: tuple[str, ...]
    follow_ups: tuple[str, ...]
    derived: bool
    counts_toward_quota: bool
    assignment_id: str | None
    position_basis: str | None
    guest_role: str | None = None


@dataclass(frozen=True)
class VisitWithdrawn:
    """A visit taken back: it no longer counts, and the overseer's visit to that meeting may be
    derived or recorded again in the same stream."""

    visit_id: str
    overseer_id: str
    cell_id: str
    meeting_id: str | None
    visited_on: date
    reason: str


@dataclass(frozen=True)
class ReviewOpened:
    review_id: str
    cell_id: str
    period: str
    rule_ids: tuple[str, ...]
    reminded_on: date
    note: str | None = None


@dataclass(frozen=True)
class ExplanationRecorded:
    review_id: str
    cell_id: str
    text: str
    received_on: date


@dataclass(frozen=True)
class ReviewClosed:
    review_id: str
    cell_id: str
    outcome: str
    closed_on: date
    note: str | None = None


AssignmentEvent = OverseerAssigned | AssignmentEnded
ReviewEvent = ReviewOpened | ExplanationRecorded | ReviewClosed
VisitEvent = VisitMade | VisitWithdrawn
OversightEvent = AssignmentEvent | VisitEvent | ReviewEvent
EVENT_CLASSES: tuple[type, ...] = (
    OverseerAssigned,
    AssignmentEnded,
    VisitMade,
    VisitWithdrawn,
    ReviewOpened,
    ExplanationRecorded,
    ReviewClosed,
)
