"""The parameter set of a rulebook: every number of DOMAIN.md §7, with its national default."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

REVIEWABLE_RULES = ("CR-01", "CR-02", "CR-03", "CR-12", "CR-13", "CR-18", "CR-19", "CR-21")


@dataclass(frozen=True)
class Parameters:
    """The parameter set of one rulebook; field names are the published keys."""

    regular_meetings_per_month: int = 1  # CR-01
    prescribed_day: int = 3  # CR-02
    prescribed_day_exceptions: Mapping[str, int] = field(default_factory=dict)  # CR-02, by cell
    thematic_meetings_per_quarter: int = 1  # CR-03
    thematic_meetings_per_year: int = 4  # CR-04
    thematic_kpi_target: float = 0.9  # CR-04, share of cells
    combined_min_minutes: int = 120  # CR-05
    regular_min_minutes: int = 90  # CR-06
    documents_days_before: int = 1  # CR-07
    notice_days_before: int = 1  # CR-08
    final_documents_days_after: int = 2  # CR-10
    attendance_threshold: float = 0.9  # CR-12, quality
    attendance_kpi: float = 0.8  # CR-12, unit KPI
    max_unexcused_absences: int = 0  # CR-13
    max_consecutive_excused: int = 3  # CR-14
    strike_off_alert_months: int = 3  # CR-15
    strike_off_warning_months: int = 2  # CR-15
    grade_bands: Mapping[str, float] = field(
        default_factory=lambda: {"good": 90.0, "fair": 70.0, "average": 50.0}
    )  # CR-18, points out of 100
    grade_confirmation_days: int = 10  # CR-19
    follow_through_bands: tuple[float, ...] = (0.9, 0.8, 0.7, 0.6, 0.5)  # CR-20
    resolution_majority: float = 0.5  # CR-21, strictly more than this share
    overseer_coverage_target: float = 1.0  # CR-24, unit KPI
    overseer_quotas: Mapping[str, int] = field(
        default_factory=lambda: {"executive_committee_member": 3, "standing_committee_member": 2}
    )  # CR-25, visits per cell per year by position basis
    review_rules: tuple[str, ...] = ("CR-01", "CR-03", "CR-12", "CR-18")  # CR-27
    review_average_streak: int = 2  # CR-27, "Average twice running"; 0 turns it off

    def quota_for(self, basis: str, level: str | None = None) -> int | None:
        """Visits a year for a position basis; `<level>/<basis>` (the kind of the committee the
        overseer sits on, e.g. `provincial_committee/standing_committee_member`) wins."""
        if level is not None and f"{level}/{basis}" in self.overseer_quotas:
            return self.overseer_quotas[f"{level}/{basis}"]
        return self.overseer_quotas.get(basis)

    def prescribed_day_for(self, cell_id: str) -> int:
        return self.prescribed_day_exceptions.get(cell_id, self.prescribed_day)

    def grade(self, score: float | None) -> str | None:
        """The band of a score out of 100 (None when the meeting has no score)."""
        if score is None:
            return None
        for band in ("good", "fair", "average"):
            if score >= self.grade_bands[band]:
                return band
        return "weak"

    def to_json(self) -> dict[str, Any]:
        raw = asdict(self)
        return {k: list(v) if isinstance(v, tuple) else v for k, v in raw.items()}


DEFAULTS = Parameters()
