"""What callers ask the members service to do (one dataclass per request, imperative names)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

# Ids derived from human codes, so that creating the same unit or member twice (by hand, by
# import, or both) names the same stream. Never change this value.
ID_NAMESPACE = uuid.UUID("6f1c0a52-3d0e-5b8e-9a57-6368696230a1")


def unit_id_for_code(code: str) -> str:
    return str(uuid.uuid5(ID_NAMESPACE, f"unit:{code}"))


def member_id_for_code(code: str) -> str:
    return str(uuid.uuid5(ID_NAMESPACE, f"member:{code}"))


@dataclass(frozen=True)
class CreateOrgUnit:
    unit_id: str
    code: str
    name: str
    kind: str
    parent_id: str | None
    effective_from: date


@dataclass(frozen=True)
class RenameOrgUnit:
    unit_id: str
    name: str
    effective_from: date


@dataclass(frozen=True)
class MoveOrgUnit:
    unit_id: str
    parent_id: str
    effective_from: date


@dataclass(frozen=True)
class MergeOrgUnit:
    unit_id: str
    into_id: str
    effective_from: date


@dataclass(frozen=True)
class DissolveOrgUnit:
    unit_id: str
    reason: str
    effective_from: date


@dataclass(frozen=True)
class RegisterMember:
    member_id: str
    full_name: str
    cell_id: str
    status: str
    admitted_on: date
    birth_date: date | None = None
    gender: str | None = None
    code: str | None = None


@dataclass(frozen=True)
class TransferMember:
    member_id: str
    cell_id: str
    effective_from: date


@dataclass(frozen=True)
class ConfirmFullMembership:
    member_id: str
    effective_from: date


@dataclass(frozen=True)
class ExemptMember:
    member_id: str
    exemption_id: str
    from_: date
    to: date | None
    reason: str
    decision_ref: str


@dataclass(frozen=True)
class EndExemption:
    member_id: str
    on: date
    exemption_id: str | None = None


@dataclass(frozen=True)
class AttachMember:
    member_id: str
    attachment_id: str
    cell_id: str
    from_: date
    to: date | None = None


@dataclass(frozen=True)
class AssignPosition:
    member_id: str
    position_id: str
    unit_id: str
    position: str
    from_: date
    to: date | None = None


@dataclass(frozen=True)
class EndPosition:
    member_id: str
    position_id: str
    on: date


@dataclass(frozen=True)
class RecordLeaving:
    member_id: str
    reason: str
    effective_from: date


Command = (
    CreateOrgUnit
    | RenameOrgUnit
    | MoveOrgUnit
    | MergeOrgUnit
    | DissolveOrgUnit
    | RegisterMember
    | TransferMember
    | ConfirmFullMembership
    | ExemptMember
    | EndExemption
    | AttachMember
    | AssignPosition
    | EndPosition
    | RecordLeaving
)


def effective_date(command: Command) -> date:
    """The day a command takes effect (what its answer is rendered as of)."""
    for name in ("effective_from", "admitted_on", "from_", "on"):
        if hasattr(command, name):
            value: date = getattr(command, name)
            return value
    raise TypeError(f"{type(command).__name__} has no effective date")
