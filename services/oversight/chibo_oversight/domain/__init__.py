"""The oversight domain: assignments, visits and review cases, their private events and errors."""

from chibo_oversight.domain.assignment import Assignment, AssignmentFacts, Basis
from chibo_oversight.domain.errors import (
    AccessError,
    ConflictError,
    InvalidError,
    NotFoundError,
    OversightError,
)
from chibo_oversight.domain.facts import (
    Appearance,
    Charge,
    Holding,
    MeetingInfo,
    MemberInfo,
    UnitInfo,
)
from chibo_oversight.domain.review import OUTCOMES, STATUSES, Review, period_start
from chibo_oversight.domain.visit import Report, Visit, VisitFacts, charge_for, visit_id_for

__all__ = [
    "OUTCOMES",
    "STATUSES",
    "AccessError",
    "Appearance",
    "Assignment",
    "AssignmentFacts",
    "Basis",
    "Charge",
    "ConflictError",
    "Holding",
    "InvalidError",
    "MeetingInfo",
    "MemberInfo",
    "NotFoundError",
    "OversightError",
    "Report",
    "Review",
    "UnitInfo",
    "Visit",
    "VisitFacts",
    "charge_for",
    "period_start",
    "visit_id_for",
]
