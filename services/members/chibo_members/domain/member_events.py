"""What happens to a member: the roll's private events, and the periods a member holds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

MEMBER_STATUSES = ("probationary", "full")
LEAVE_REASONS = ("transferred_out", "deceased", "struck_off", "resigned")
POSITIONS = (
    "secretary",
    "deputy_secretary",
    "cell_committee_member",
    "standing_committee_member",
    "executive_committee_member",
    "deputy_head",
    "head",
)


@dataclass(frozen=True)
class MemberRegistered:
    member_id: str
    full_name: str
    birth_date: date | None
    gender: str | None
    cell_id: str
    status: str
    admitted_on: date
    code: str | None = None


@dataclass(frozen=True)
class MemberTransferred:
    member_id: str
    cell_id: str
    previous_cell_id: str | None
    effective_from: date


@dataclass(frozen=True)
class MemberConfirmedFull:
    member_id: str
    effective_from: date


@dataclass(frozen=True)
class MemberExempted:
    member_id: str
    exemption_id: str
    from_: date
    to: date | None
    reason: str
    decision_ref: str


@dataclass(frozen=True)
class MemberExemptionEnded:
    member_id: str
    exemption_id: str
    on: date


@dataclass(frozen=True)
class MemberTemporarilyAttached:
    member_id: str
    attachment_id: str
    cell_id: str
    from_: date
    to: date | None


@dataclass(frozen=True)
class PositionAssigned:
    member_id: str
    position_id: str
    unit_id: str
    position: str
    from_: date
    to: date | None


@dataclass(frozen=True)
class PositionEnded:
    member_id: str
    position_id: str
    on: date


@dataclass(frozen=True)
class MemberLeft:
    member_id: str
    reason: str
    effective_from: date


MemberEvent = (
    MemberRegistered
    | MemberTransferred
    | MemberConfirmedFull
    | MemberExempted
    | MemberExemptionEnded
    | MemberTemporarilyAttached
    | PositionAssigned
    | PositionEnded
    | MemberLeft
)


@dataclass
class Period:
    """Something a member holds from one day to another, both included (`to` None: open)."""

    id: str
    from_: date
    to: date | None

    def covers(self, on: date) -> bool:
        return self.from_ <= on and (self.to is None or on <= self.to)

    def overlaps(self, from_: date, to: date | None) -> bool:
        return (self.to is None or from_ <= self.to) and (to is None or self.from_ <= to)


@dataclass
class Exemption(Period):
    reason: str = ""
    decision_ref: str = ""


@dataclass
class Attachment(Period):
    cell_id: str = ""


@dataclass
class Holding(Period):
    unit_id: str = ""
    position: str = ""
