"""Report periods (`YYYY`, `YYYY-Qn`, `YYYY-MM`), their windows, and the rulebook in force."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from typing import Any

from bench.province.config import Config
from bench.province.plan import Plan

# DOMAIN.md §7 default parameters, as the reference computation reads them.
DEFAULTS: dict[str, Any] = {
    "regular_meetings_per_month": 1, "prescribed_day": 3, "thematic_meetings_per_quarter": 1,
    "thematic_meetings_per_year": 4, "thematic_kpi_target": 0.9, "combined_min_minutes": 120,
    "regular_min_minutes": 90, "documents_days_before": 1, "notice_days_before": 1,
    "final_documents_days_after": 2, "attendance_threshold": 0.9, "attendance_kpi": 0.8,
    "max_unexcused_absences": 0, "max_consecutive_excused": 3, "strike_off_alert_months": 3,
    "strike_off_warning_months": 2, "grade_bands": {"good": 90, "fair": 70, "average": 50},
    "grade_confirmation_days": 10, "follow_through_bands": [0.9, 0.8, 0.7, 0.6, 0.5],
    "resolution_majority": 0.5, "overseer_coverage_target": 1.0,
    "overseer_quotas": {"executive_committee_member": 3, "standing_committee_member": 2},
    "review_rules": ["CR-01", "CR-03", "CR-12", "CR-18"], "review_average_streak": 2,
    "prescribed_day_exceptions": {},
}


@dataclass(frozen=True)
class Window:
    start: date
    end: date
    label: str

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end


@dataclass(frozen=True)
class Period(Window):
    kind: str

    @classmethod
    def parse(cls, label: str) -> Period:
        year = int(label[:4])
        if "-Q" in label:
            quarter = quarter_window(year, int(label[-1]))
            return cls(quarter.start, quarter.end, label, "quarter")
        if len(label) == 7:
            month = month_window(year, int(label[5:]))
            return cls(month.start, month.end, label, "month")
        return cls(date(year, 1, 1), date(year, 12, 31), label, "year")

    @property
    def year(self) -> int:
        return self.start.year

    def months(self) -> list[Window]:
        return [month_window(self.year, m) for m in range(self.start.month, self.end.month + 1)]

    def quarters_ending_within(self) -> list[Window]:
        return [quarter_window(self.year, m.start.month // 3) for m in self.months()
                if m.start.month % 3 == 0]


def month_window(year: int, month: int) -> Window:
    return Window(date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]),
                  f"{year}-{month:02d}")


def quarter_window(year: int, quarter: int) -> Window:
    return Window(month_window(year, quarter * 3 - 2).start,
                  month_window(year, quarter * 3).end, f"{year}-Q{quarter}")


def periods(config: Config) -> list[Period]:
    """Every month, quarter and year the plan spans."""
    labels: list[str] = []
    for year, month in config.months:
        labels.append(f"{year}-{month:02d}")
        if month % 3 == 0:
            labels.append(f"{year}-Q{month // 3}")
        if month == 12 or (year, month) == config.months[-1]:
            labels.append(f"{year}")
    return [Period.parse(label) for label in labels]


class Rulebooks:
    """The province's rulebooks: the one in force on a day, merged over the defaults."""

    def __init__(self, plan: Plan) -> None:
        self.books = sorted(plan.rulebooks, key=lambda b: b.effective_from)

    def on(self, day: date) -> dict[str, Any]:
        chosen = [b for b in self.books if b.effective_from <= day]
        return DEFAULTS | (chosen[-1].parameters if chosen else {})
