"""What to generate: the size, the span, the seed and the shares of what goes wrong."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Config:
    """What to generate; every share is a probability per meeting, member or cell."""

    seed: int = 1
    id_salt: str = ""  # another salt, other ids: the same plan can be loaded twice side by side
    cells: int = 50
    members: int = 1500
    districts: int = 1
    start: date = date(2024, 1, 1)
    end: date = date(2025, 12, 31)
    restructure_on: date = date(2025, 7, 1)
    tree_from: date = date(1976, 1, 1)
    province_name: str = "Nghệ Tĩnh"
    # The shares of things going wrong (defaults give every rule passes and failures).
    skip_month: float = 0.03
    cancel_month: float = 0.01
    off_day_with_reason: float = 0.04
    off_day_without_reason: float = 0.04
    short_meeting: float = 0.05
    skip_quarter: float = 0.06
    combined_share: float = 0.12
    late_documents: float = 0.05
    missing_documents: float = 0.02
    late_notice: float = 0.04
    overseer_not_notified: float = 0.04
    late_minutes: float = 0.06
    missing_minutes: float = 0.02
    badly_attended: float = 0.05
    chronic_absentees: float = 0.012
    long_absentees: float = 0.01
    missing_roll_call: float = 0.005
    roll_call_corrected: float = 0.02
    weak_majority: float = 0.01
    unassessed: float = 0.03
    late_confirmation: float = 0.08
    unconfirmed: float = 0.06
    own_day_cells: float = 0.12
    late_exemptions: int = 2
    uncovered_cells: float = 0.06
    visit_shortfall: float = 0.2
    new_cells: int = 1
    merged_cells: int = 1
    reviewed: float = 0.35  # share of each quarter's remind-and-review candidates reminded

    @property
    def months(self) -> list[tuple[int, int]]:
        months, (year, month) = [], (self.start.year, self.start.month)
        while (year, month) <= (self.end.year, self.end.month):
            months.append((year, month))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return months
