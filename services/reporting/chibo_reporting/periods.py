"""Report periods (`YYYY`, `YYYY-Qn`, `YYYY-MM`) and the calendar windows rules are judged on."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

_PATTERN = re.compile(r"(?P<year>[0-9]{4})(?:-(?:Q(?P<quarter>[1-4])|(?P<month>0[1-9]|1[0-2])))?")


class PeriodError(ValueError):
    """A period that is not `YYYY`, `YYYY-Qn` or `YYYY-MM`."""


@dataclass(frozen=True, order=True)
class Window:
    """A calendar span [start, end], both days included, with its label (`2024-03`, `2024-Q1`)."""

    start: date
    end: date
    label: str

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class Period(Window):
    """The period a report covers; always whole months."""

    kind: str = "year"

    @classmethod
    def parse(cls, text: str) -> Period:
        match = _PATTERN.fullmatch(text or "")
        if match is None:
            raise PeriodError(f"period must be YYYY, YYYY-Qn or YYYY-MM, not {text!r}")
        year = int(match["year"])
        if year < 1930:
            raise PeriodError(f"period {text!r} is before the Party existed")
        if match["quarter"]:
            quarter = quarter_window(year, int(match["quarter"]))
            return cls(quarter.start, quarter.end, text, "quarter")
        if match["month"]:
            month = month_window(year, int(match["month"]))
            return cls(month.start, month.end, text, "month")
        return cls(date(year, 1, 1), date(year, 12, 31), text, "year")

    @property
    def year(self) -> int:
        return self.end.year

    @cache  # noqa: B019 - periods are few, immutable values
    def months(self) -> tuple[Window, ...]:
        return tuple(month_window(self.year, m)
                     for m in range(self.start.month, self.end.month + 1))

    @cache  # noqa: B019
    def quarters_ending_within(self) -> tuple[Window, ...]:
        """Quarters whose last month lies in the period (a December report judges Q4)."""
        return tuple(quarter_window(self.year, m.start.month // 3)
                     for m in self.months() if m.start.month % 3 == 0)

    @cache  # noqa: B019
    def year_to_date(self) -> Window:
        """1 January of the period's year to the period's last day."""
        return Window(date(self.year, 1, 1), self.end, f"{self.year}-01..{self.label}")


@cache
def month_window(year: int, month: int) -> Window:
    last = calendar.monthrange(year, month)[1]
    return Window(date(year, month, 1), date(year, month, last), f"{year}-{month:02d}")


@cache
def quarter_window(year: int, quarter: int) -> Window:
    first = month_window(year, quarter * 3 - 2)
    last = month_window(year, quarter * 3)
    return Window(first.start, last.end, f"{year}-Q{quarter}")


def clamp_day(year: int, month: int, day: int) -> date:
    """`day` of the month, or the month's last day when it is shorter (day 31 in April → 30)."""
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def next_day(day: date) -> date:
    return day + timedelta(days=1)
