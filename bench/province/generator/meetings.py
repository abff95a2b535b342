"""Each cell's meetings over the span: monthly regular and quarterly thematic meetings, with
the realistic share of what goes wrong (late, short, skipped, badly attended, posted late…)."""

from __future__ import annotations

import calendar
import random
from dataclasses import dataclass, field
from datetime import date, time

from bench.province import names
from bench.province.config import Config
from bench.province.generator.conduct import MeetingConduct, at
from bench.province.generator.members import Roles
from bench.province.generator.oversight import by_unit
from bench.province.generator.tree import Ids
from bench.province.plan import Assignment, Meeting, Unit
from bench.province.world import World

PARTY_WIDE_DAY = 3
OWN_DAYS = (24, 24, 24, 5, 10, 15, 20, 25)


@dataclass(frozen=True)
class CellStyle:
    """What stays the same for one cell: its own day, hour, quality and attendance habits."""

    own_day: int | None
    keeps_own_day: bool
    permitted: bool
    hour: time
    quality: float

    def intended_day(self, year: int, restructured_year: int) -> int:
        if self.own_day is None:
            return PARTY_WIDE_DAY
        if year >= restructured_year and not self.keeps_own_day:
            return PARTY_WIDE_DAY
        return self.own_day


def cell_style(config: Config, rng: random.Random, cell: Unit) -> CellStyle:
    own = rng.choice(OWN_DAYS) if rng.random() < config.own_day_cells else None
    agency = any(word in cell.name for word in ("Trường", "Trạm", "Hợp tác", "Công an",
                                                "Quân sự", "Bưu điện"))
    hour = time(14, 0) if agency else rng.choice((time(19, 30), time(19, 30), time(7, 30)))
    quality = min(96.0, max(58.0, rng.gauss(84, 7)))
    keeps = own is not None and rng.random() < 0.35
    return CellStyle(own, keeps, keeps and rng.random() < 0.5, hour, quality)


@dataclass
class CellMeetings(MeetingConduct):
    config: Config
    rng: random.Random
    ids: Ids
    world: World
    cell: Unit
    style: CellStyle
    roles: Roles
    assignments: dict[str, list[Assignment]]
    final_world: World
    meetings: list[Meeting] = field(default_factory=list)
    used: set[date] = field(default_factory=set)

    def build(self) -> list[Meeting]:
        months = [m for m in self.config.months if self._whole_month(*m)]
        combined_in: set[tuple[int, int]] = set()
        for year, quarter in sorted({(y, (m - 1) // 3 + 1) for y, m in months}):
            in_quarter = [(y, m) for y, m in months if y == year and (m - 1) // 3 + 1 == quarter]
            combined_in |= self._thematic(in_quarter)
        for year, month in months:
            if (year, month) not in combined_in:
                self._regular(year, month)
        self.meetings.sort(key=lambda m: m.rescheduled_to or m.scheduled_for)
        self._follow_up()
        return self.meetings

    def _whole_month(self, year: int, month: int) -> bool:
        first = date(year, month, 1)
        last = date(year, month, calendar.monthrange(year, month)[1])
        return self.cell.created_on <= first and (
            self.cell.ended_on is None or last < self.cell.ended_on)

    def _day(self, year: int, month: int, day: int) -> date:
        return date(year, month, min(day, calendar.monthrange(year, month)[1]))

    def _intended(self, year: int, month: int) -> date:
        day = self.style.intended_day(year, self.config.restructure_on.year)
        return self._day(year, month, day)

    def _other_day(self, year: int, month: int, avoid: date) -> date:
        """Another day of the month, near `avoid`, when the cell has no other meeting."""
        while True:
            candidate = self._day(year, month, self.rng.randint(1, 28))
            if (candidate != avoid and candidate not in self.used
                    and abs((candidate - avoid).days) <= 12):
                return candidate

    def _regular(self, year: int, month: int) -> None:
        roll = self.rng.random()
        c = self.config
        if roll < c.skip_month:
            return
        intended = self._intended(year, month)
        if intended in self.used:
            intended = self._other_day(year, month, intended)
        meeting = self._new("regular", intended, topic=None)
        if roll < c.skip_month + c.cancel_month:
            self._notice(meeting)
            meeting.cancel_reason = self.rng.choice(names.CANCEL_REASONS)
            return
        roll -= c.skip_month + c.cancel_month
        if roll < c.off_day_with_reason:
            moved = self._other_day(year, month, intended)
            meeting.rescheduled_to = at(moved, self.style.hour)
            meeting.reschedule_reason = self.rng.choice(names.RESCHEDULE_REASONS)
            self.used.add(moved)
        elif roll < c.off_day_with_reason + c.off_day_without_reason:
            moved = self._other_day(year, month, intended)
            meeting.scheduled_for = at(moved, self.style.hour)
            self.used.add(moved)
        short = self.rng.random() < c.short_meeting
        self._conduct(meeting, self.rng.randint(45, 85) if short else self.rng.randint(95, 150))

    def _thematic(self, months: list[tuple[int, int]]) -> set[tuple[int, int]]:
        """This quarter's thematic meetings; the months whose regular meeting they join."""
        c = self.config
        if not months or self.rng.random() < c.skip_quarter:
            return set()
        year, month = months[len(months) // 2]
        if self.rng.random() < c.combined_share:
            meeting = self._new("combined", self._intended(year, month),
                                topic=self.rng.choice(names.TOPICS))
            short = self.rng.random() < c.short_meeting
            self._conduct(meeting, self.rng.randint(95, 118) if short
                          else self.rng.randint(120, 170))
            return {(year, month)}
        count = 2 if self.rng.random() < 0.03 and len(months) > 1 else 1
        for in_year, in_month in months[-count:] if count == 2 else [(year, month)]:
            avoid = self._intended(in_year, in_month)
            day = self._other_day(in_year, in_month, avoid)
            meeting = self._new("thematic", day, topic=self.rng.choice(names.TOPICS))
            self._conduct(meeting, self.rng.randint(90, 150))
        return set()

    def _new(self, kind: str, day: date, topic: str | None) -> Meeting:
        place = "Nhà văn hóa " + self.cell.name.removeprefix("Chi bộ ")
        agenda = (("Trình bày chuyên đề", "Thảo luận", "Kết luận") if kind == "thematic" else
                  ("Đánh giá kết quả tháng", "Triển khai nhiệm vụ tháng tới"))
        meeting = Meeting(self.ids.new("meeting"), self.cell.id, kind, at(day, self.style.hour),
                          place, topic, agenda)
        self.meetings.append(meeting)
        self.used.add(day)
        return meeting


def build_meetings(config: Config, ids: Ids, worlds: tuple[World, World], cells: list[Unit],
                   roles: Roles, *,
                   assignments: list[Assignment]) -> tuple[list[Meeting], dict[str, CellStyle]]:
    """Every cell's meetings; `worlds` are the roll as the meetings service knows it when the
    roll calls are recorded, and the final one (with the exemptions recorded late)."""
    world, final_world = worlds
    seed = config.seed
    meetings: list[Meeting] = []
    styles: dict[str, CellStyle] = {}
    charges = by_unit(assignments)
    for cell in cells:
        rng = random.Random(f"{seed}:{cell.code}")
        styles[cell.id] = cell_style(config, rng, cell)
        meetings += CellMeetings(config, rng, ids, world, cell, styles[cell.id], roles,
                                 charges, final_world).build()
    return meetings, styles
