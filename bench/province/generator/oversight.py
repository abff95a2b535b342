"""Overseers put in charge of grassroots organisations by position, and their visits to cells."""

from __future__ import annotations

import math
import random
from collections import defaultdict
from datetime import date, timedelta

from bench.province.config import Config
from bench.province.generator.members import Roles
from bench.province.generator.tree import Ids, Layout
from bench.province.plan import Assignment, Meeting, Visit
from bench.province.world import World

QUOTAS = {"executive_committee_member": 3, "standing_committee_member": 2}
COMMENTS = ("Chi bộ chuẩn bị nội dung chu đáo", "Cần tăng cường tự phê bình và phê bình",
            "Đề nghị chi bộ bám sát nghị quyết của cấp ủy cấp trên")
ISSUES = ("Tỷ lệ đảng viên dự họp chưa cao", "Biên bản ghi chưa đầy đủ", None, None)


def build_assignments(config: Config, rng: random.Random, ids: Ids, layout: Layout,
                      roles: Roles) -> list[Assignment]:
    """Before 1 July 2025 district executive (and some standing) committee members are in
    charge of each grassroots organisation; from then on a standing committee member of the
    commune. A few organisations are left without anyone for a while (CR-24)."""
    assignments: list[Assignment] = []
    before = config.start - timedelta(days=400)
    last_district_day = config.restructure_on - timedelta(days=1)
    for district in layout.districts:
        executive = roles.district_executive[district.id]
        standing = roles.district_standing[district.id]
        orgs = [o for c in layout.communes[district.id] for o in layout.grassroots[c.id]]
        for number, org in enumerate(orgs):
            cells = {c.id for c in layout.cells[org.id]}
            late = rng.random() < config.uncovered_cells
            start = config.start + timedelta(days=rng.randint(30, 75)) if late else before
            overseer = _outsider(executive, number, cells, roles)
            assignments.append(Assignment(ids.new("assignment"), overseer, org.id,
                                          "executive_committee_member", start,
                                          ended_on=last_district_day))
            if standing and rng.random() < 0.3:
                assignments.append(Assignment(
                    ids.new("assignment"), _outsider(standing, number, cells, roles), org.id,
                    "standing_committee_member", before, ended_on=last_district_day))
    if config.restructure_on > config.end:
        return assignments
    for commune_id, standing in roles.commune_standing.items():
        orgs = [o for c in (commune_id, *[m for m, h in layout.heirs.items() if h == commune_id])
                for o in layout.grassroots[c]]
        for number, org in enumerate(orgs):
            cells = {c.id for c in layout.cells[org.id]}
            late = rng.random() < config.uncovered_cells
            start = config.restructure_on + timedelta(days=rng.randint(20, 50) if late else 0)
            assignments.append(Assignment(ids.new("assignment"),
                                          _outsider(standing, number, cells, roles), org.id,
                                          "standing_committee_member", start))
    return assignments


def _outsider(pool: list[str], number: int, cells: set[str], roles: Roles) -> str:
    """The pool's member for this organisation, taken from outside its own cells if possible."""
    ordered = pool[number % len(pool):] + pool[:number % len(pool)]
    return next((m for m in ordered if roles.home_cell[m] not in cells), ordered[0])


def by_unit(assignments: list[Assignment]) -> dict[str, list[Assignment]]:
    found: dict[str, list[Assignment]] = defaultdict(list)
    for assignment in assignments:
        found[assignment.unit_id].append(assignment)
    return found


def in_charge(world: World, assignments: dict[str, list[Assignment]], cell_id: str,
              day: date) -> list[str]:
    """Overseers in charge of the cell on `day`: assigned to it or to a unit above it."""
    return sorted({a.overseer_id for unit in world.ancestry(cell_id, day)
                   for a in assignments.get(unit, ())
                   if a.from_ <= day and (a.last_day is None or day <= a.last_day)})


def build_visits(config: Config, rng: random.Random, ids: Ids, world: World, *,
                 assignments: list[Assignment], meetings: list[Meeting]) -> list[Visit]:
    """Each overseer visits each cell in charge about the pro-rata quota of the year; about a
    fifth fall one short. Most visits are recorded as roll-call guests, the rest directly."""
    by_cell: dict[str, list[Meeting]] = defaultdict(list)
    for meeting in meetings:
        if meeting.held:
            by_cell[meeting.cell_id].append(meeting)
    visits: list[Visit] = []
    taken: set[tuple[str, str]] = set()
    for assignment in assignments:
        for year in range(config.start.year, config.end.year + 1):
            first = max(assignment.from_, date(year, 1, 1), config.start)
            last = min(assignment.last_day or date.max, date(year, 12, 31), config.end)
            if first > last:
                continue
            cells = set(world.cells_under(assignment.unit_id, first))
            cells |= set(world.cells_under(assignment.unit_id, last))
            for cell_id in world.by_code(cells):
                cell = world.plan.unit(cell_id)
                cell_last = last if cell.ended_on is None else min(
                    last, cell.ended_on - timedelta(days=1))
                cell_first = max(first, cell.created_on)
                if cell_first <= cell_last:
                    visits += _visits_to(rng, ids, assignment, cell_id, (cell_first, cell_last),
                                         meetings=by_cell[cell_id], taken=taken, config=config)
    return visits


def _visits_to(rng: random.Random, ids: Ids, assignment: Assignment, cell_id: str,
               days_in_charge: tuple[date, date], *, meetings: list[Meeting],
               taken: set[tuple[str, str]], config: Config) -> list[Visit]:
    first, last = days_in_charge
    year_days = 366 if first.year % 4 == 0 else 365
    days = (last - first).days + 1
    target = math.ceil(QUOTAS[assignment.position_basis] * days / year_days - 1e-9)
    if rng.random() < config.visit_shortfall:
        target -= 1
    elif rng.random() < 0.1:
        target += 1
    choices = [m for m in meetings if m.held_on and first <= m.held_on <= last
               and (assignment.overseer_id, m.id) not in taken]
    chosen = sorted(rng.sample(choices, min(max(target, 0), len(choices))),
                    key=lambda m: m.started_at or m.scheduled_for)
    visits = []
    for meeting in chosen:
        taken.add((assignment.overseer_id, meeting.id))
        listed = {e.member_id for e in meeting.entries or ()}
        via_roll_call = (meeting.entries is not None and assignment.overseer_id not in listed
                         and rng.random() < 0.6)
        if via_roll_call:
            meeting.guests = (*meeting.guests, (assignment.overseer_id, "overseer"))
        assert meeting.held_on is not None
        visits.append(Visit(ids.new("visit"), assignment.overseer_id, cell_id, meeting.id,
                            meeting.held_on, via_roll_call, rng.choice(COMMENTS),
                            rng.choice(ISSUES), None))
    return visits
