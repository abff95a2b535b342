"""Reads of the service's SQL tables: the directory handlers consult, and the paged lists."""

from chibo_oversight.queries.directory import SqlDirectory
from chibo_oversight.queries.lists import (
    AssignmentFilter,
    Page,
    ReviewFilter,
    Sight,
    VisitFilter,
    list_assignments,
    list_reviews,
    list_visits,
    units_below,
)

__all__ = [
    "AssignmentFilter",
    "Page",
    "ReviewFilter",
    "Sight",
    "SqlDirectory",
    "VisitFilter",
    "list_assignments",
    "list_reviews",
    "list_visits",
    "units_below",
]
