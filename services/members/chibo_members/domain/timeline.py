"""A value that changes on effective dates: a unit's name or parent, a member's cell."""

from __future__ import annotations

import bisect
from datetime import date
from typing import Generic, TypeVar

T = TypeVar("T")


class Timeline(Generic[T]):
    """Each value holds from its date until the next; of two on one date, the later recorded wins.

    Changes may be recorded out of date order (a back-dated decision), so entries stay sorted.
    """

    def __init__(self) -> None:
        self._dates: list[date] = []
        self._values: list[T] = []

    def set(self, on: date, value: T) -> None:
        index = bisect.bisect_right(self._dates, on)
        self._dates.insert(index, on)
        self._values.insert(index, value)

    def at(self, on: date) -> T | None:
        """The value in force on `on`, None before the first date."""
        index = bisect.bisect_right(self._dates, on)
        return self._values[index - 1] if index else None

    def latest(self) -> T | None:
        return self._values[-1] if self._values else None

    def last_date(self) -> date | None:
        return self._dates[-1] if self._dates else None

    def dates(self) -> list[date]:
        return list(self._dates)

    def periods(self, end: date | None = None) -> list[tuple[date, date | None, T]]:
        """(from, to exclusive or None, value) for each date, the last one closed by `end`."""
        kept = [
            (day, value)
            for index, (day, value) in enumerate(zip(self._dates, self._values, strict=True))
            if index + 1 == len(self._dates) or self._dates[index + 1] != day
        ]
        ends = [day for day, _ in kept[1:]] + [end]
        return [(day, to, value) for (day, value), to in zip(kept, ends, strict=True)]
