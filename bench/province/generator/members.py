"""The member roll: members registered with statuses, officers and committee positions, and
what happens to them during the span (transfers, exemptions, attachments, leaving, new members)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from bench.province import names
from bench.province.config import Config
from bench.province.generator.tree import Ids, Layout, _split
from bench.province.plan import Member, MemberChange, Unit

TERM_START = date(2020, 10, 1)


@dataclass
class Roles:
    """What the meetings and oversight generators need to know about people."""

    secretaries: dict[str, str] = field(default_factory=dict)  # cell → member
    deputies: dict[str, str] = field(default_factory=dict)
    district_executive: dict[str, list[str]] = field(default_factory=dict)
    district_standing: dict[str, list[str]] = field(default_factory=dict)
    commune_standing: dict[str, list[str]] = field(default_factory=dict)  # by surviving commune
    chronic: set[str] = field(default_factory=set)  # absent without reason again and again
    long_absent: dict[str, tuple[date, date]] = field(default_factory=dict)  # away, excused
    home_cell: dict[str, str] = field(default_factory=dict)  # initial cell of every member
    stable: set[str] = field(default_factory=set)  # members whose cell and status never change


def _day_between(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randint(0, max(0, (last - first).days)))


class RollBuilder:
    def __init__(self, config: Config, rng: random.Random, ids: Ids, layout: Layout) -> None:
        self.config, self.rng, self.ids, self.layout = config, rng, ids, layout
        self.members: list[Member] = []
        self.changes: list[MemberChange] = []
        self.roles = Roles()
        self.by_cell: dict[str, list[Member]] = {}
        self.decision = 0

    def build(self) -> tuple[list[Member], list[MemberChange], Roles]:
        cells = [c for cs in self.layout.cells.values() for c in cs
                 if c not in self.layout.new_cells]
        for cell, size in zip(cells, _split(self.config.members, len(cells), self.rng, 0.3),
                              strict=True):
            self.by_cell[cell.id] = [self._register(cell, self._admission(cell))
                                     for _ in range(max(5, size))]
            self._officers(cell)
        self._committees()
        self._new_cells()
        self._merged_cells()
        self._traits()
        self._life_events()
        self._late_exemptions()
        return self.members, self.changes, self.roles

    def _ref(self) -> str:
        self.decision += 1
        return f"{self.decision}/QĐ-CB"

    def _admission(self, cell: Unit) -> date:
        first = max(cell.created_on, self.config.tree_from)
        last = self.config.start - timedelta(days=1)
        # Recent admissions are likelier than old ones: the roll renews itself.
        share = self.rng.random() ** 0.7
        return first + timedelta(days=int((last - first).days * share))

    def _register(self, cell: Unit, admitted: date, *, probationary: bool | None = None) -> Member:
        name, gender = names.person(self.rng)
        earliest_birth = date(1935, 1, 1)
        latest_birth = min(admitted - timedelta(days=18 * 366), date(2006, 1, 1))
        birth = _day_between(self.rng, max(earliest_birth, admitted - timedelta(days=60 * 365)),
                             latest_birth)
        if probationary is None:
            probationary = admitted > self.config.start - timedelta(days=365)
        member = Member(self.ids.new("member"), f"{self.layout.province.code}"
                        f"{len(self.members) + 1:07d}", name, birth, gender, cell.id,
                        "probationary" if probationary else "full", admitted)
        self.members.append(member)
        self.roles.home_cell[member.id] = cell.id
        if probationary:
            confirm = admitted + timedelta(days=365)
            if confirm <= self.config.end:
                self.changes.append(MemberChange(confirm, member.id, "confirm_full"))
            self.roles.stable.add(member.id)
        elif birth < date(1950, 1, 1) and self.rng.random() < 0.35:
            start = max(admitted + timedelta(days=30), date(2015, 1, 1))
            if start < self.config.start:
                self.changes.append(MemberChange(
                    start, member.id, "exempt", item_id=self.ids.new("exemption"), from_=start,
                    reason=self.rng.choice(names.EXEMPTION_REASONS), ref=self._ref()))
                self.roles.stable.add(member.id)
        return member

    def _eligible(self, cell_id: str, since: date) -> list[Member]:
        """Full members admitted before `since`, not exempted, not yet holding a role."""
        return [m for m in self.by_cell[cell_id] if m.status == "full" and m.admitted_on < since
                and m.id not in self.roles.stable]

    def _position(self, member: Member, unit_id: str, position: str, start: date,
                  end: date | None = None) -> None:
        item = self.ids.new("position")
        self.changes.append(MemberChange(start, member.id, "position", item_id=item,
                                         unit_id=unit_id, position=position, from_=start))
        if end is not None:
            self.changes.append(MemberChange(end, member.id, "end_position", item_id=item))
        self.roles.stable.add(member.id)

    def _officers(self, cell: Unit) -> None:
        start = max(TERM_START, cell.created_on)
        pool = self._eligible(cell.id, start) or self.by_cell[cell.id]
        chosen = self.rng.sample(pool, min(len(pool), 2 if len(pool) >= 10 else 1))
        self._position(chosen[0], cell.id, "secretary", max(start, chosen[0].admitted_on))
        self.roles.secretaries[cell.id] = chosen[0].id
        if len(chosen) > 1:
            self._position(chosen[1], cell.id, "deputy_secretary",
                           max(start, chosen[1].admitted_on))
            self.roles.deputies[cell.id] = chosen[1].id

    def _district_members(self, district: Unit) -> list[Member]:
        found = []
        for commune in self.layout.communes[district.id]:
            for org in self.layout.grassroots[commune.id]:
                for cell in self.layout.cells[org.id]:
                    found += self._eligible(cell.id, TERM_START) if cell.id in self.by_cell else []
        return found

    def _committees(self) -> None:
        """District executive and standing committee members (until the districts end) and
        commune standing committee members (merged communes' members move to the heir)."""
        last_district_day = self.config.restructure_on - timedelta(days=1)
        for district in self.layout.districts:
            cells = sum(len(self.layout.cells[o.id]) for c in self.layout.communes[district.id]
                        for o in self.layout.grassroots[c.id])
            pool = self._district_members(district)
            self.rng.shuffle(pool)
            executive = pool[:max(2, cells // 6)]
            standing = pool[len(executive):len(executive) + max(1, cells // 15)]
            for member in executive:
                self._position(member, district.id, "executive_committee_member", TERM_START,
                               last_district_day)
            for member in standing:
                self._position(member, district.id, "standing_committee_member", TERM_START,
                               last_district_day)
            self.roles.district_executive[district.id] = [m.id for m in executive]
            self.roles.district_standing[district.id] = [m.id for m in standing]
            for commune in self.layout.communes[district.id]:
                self._commune_standing(commune)

    def _commune_standing(self, commune: Unit) -> None:
        pool = [m for o in self.layout.grassroots[commune.id] for c in self.layout.cells[o.id]
                if c.id in self.by_cell for m in self._eligible(c.id, TERM_START)]
        chosen = self.rng.sample(pool, min(2, len(pool)))
        heir = self.layout.heirs.get(commune.id)
        day = self.config.restructure_on
        for member in chosen:
            if heir is None:
                self._position(member, commune.id, "standing_committee_member", TERM_START)
                continue
            self._position(member, commune.id, "standing_committee_member", TERM_START,
                           day - timedelta(days=1))
            self._position(member, heir, "standing_committee_member", day)
        self.roles.commune_standing.setdefault(heir or commune.id, []).extend(
            m.id for m in chosen)

    def _new_cells(self) -> None:
        """A new cell takes members from a sibling on its first day and gets its secretary."""
        for cell in self.layout.new_cells:
            org_cells = self.layout.cells[self._org_of(cell.id)]
            donor = max((c for c in org_cells if c.id in self.by_cell), key=lambda c: len(
                self.by_cell[c.id]))
            share = max(5, len(self.by_cell[donor.id]) // 3)
            movers = [m for m in self.by_cell[donor.id] if m.id not in self.roles.stable
                      and m.admitted_on < cell.created_on][:share]
            self.by_cell[cell.id] = []
            for member in movers:
                self.changes.append(MemberChange(cell.created_on, member.id, "transfer",
                                                 cell_id=cell.id))
                self.by_cell[donor.id].remove(member)
                self.by_cell[cell.id].append(member)
                self.roles.stable.add(member.id)
            secretary = movers[0]
            self.changes.append(MemberChange(
                cell.created_on, secretary.id, "position", item_id=self.ids.new("position"),
                unit_id=cell.id, position="secretary", from_=cell.created_on))
            self.roles.secretaries[cell.id] = secretary.id

    def _org_of(self, cell_id: str) -> str:
        return next(o for o, cells in self.layout.cells.items() if any(c.id == cell_id
                                                                         for c in cells))

    def _merged_cells(self) -> None:
        """Members of a merged cell move with it (the members service records it itself)."""
        for merged, into in self.layout.merged_cells:
            assert merged.ended_on is not None
            for member in self.by_cell[merged.id]:
                self.changes.append(MemberChange(merged.ended_on, member.id, "transfer",
                                                 cell_id=into.id, implied=True))
                self.roles.stable.add(member.id)

    def _traits(self) -> None:
        free = [m for m in self.members if m.id not in self.roles.stable]
        count = round(len(self.members) * self.config.chronic_absentees)
        self.roles.chronic = {m.id for m in self.rng.sample(free, min(count, len(free)))}
        free = [m for m in free if m.id not in self.roles.chronic]
        count = round(len(self.members) * self.config.long_absentees)
        for member in self.rng.sample(free, min(count, len(free))):
            start = _day_between(self.rng, self.config.start, self.config.end - timedelta(days=150))
            self.roles.long_absent[member.id] = (start, start + timedelta(days=self.rng.randint(
                110, 200)))
        self.roles.stable |= self.roles.chronic | set(self.roles.long_absent)

    def _movable(self) -> list[Member]:
        return [m for m in self.members if m.id not in self.roles.stable]

    def _cells_on(self, day: date) -> list[str]:
        """Cells a member can join on `day` (never one that will be merged away)."""
        return [c.id for cs in self.layout.cells.values() for c in cs
                if c.created_on <= day and c.ended_on is None and c.id in self.by_cell]

    def _life_events(self) -> None:
        years = (self.config.end - self.config.start).days / 365.25
        first, last = self.config.start + timedelta(days=5), self.config.end - timedelta(days=5)
        for member in self._movable():
            roll = self.rng.random() / years
            if self._life_event(member, roll, _day_between(self.rng, first, last)):
                self.roles.stable.add(member.id)
        units = {c.id: c for cs in self.layout.cells.values() for c in cs}
        for cell_id in self._cells_on(self.config.start):
            for _ in range(self._poisson(0.025 * years * len(self.by_cell[cell_id]))):
                day = _day_between(self.rng, first, last)
                newcomer = self._register(units[cell_id], day, probationary=True)
                self.roles.stable.add(newcomer.id)
        codes = {m.id: m.code for m in self.members}
        for chronic in sorted(self.roles.chronic, key=codes.__getitem__)[
                : len(self.roles.chronic) // 4]:
            self.changes.append(MemberChange(date(self.config.start.year, 12, 20), chronic,
                                             "leave", reason="struck_off"))

    def _life_event(self, member: Member, roll: float, day: date) -> bool:
        """At most one change per member: transfer, leaving, exemption or attachment."""
        if roll < 0.02:
            cells = [c for c in self._cells_on(day) if c != member.cell_id]
            self.changes.append(MemberChange(day, member.id, "transfer",
                                             cell_id=self.rng.choice(cells)))
        elif roll < 0.032:
            old = member.birth_date < date(1955, 1, 1)
            reason = "deceased" if old else self.rng.choice(("transferred_out", "resigned"))
            self.changes.append(MemberChange(day, member.id, "leave", reason=reason))
        elif roll < 0.038 and member.birth_date < date(1965, 1, 1):
            self._exemption(member, day)
        elif roll < 0.042:
            cells = [c for c in self._cells_on(day) if c != member.cell_id]
            to = day + timedelta(days=self.rng.randint(60, 150))
            self.changes.append(MemberChange(
                day, member.id, "attach", item_id=self.ids.new("attachment"),
                cell_id=self.rng.choice(cells), from_=day, to=to))
        else:
            return False
        return True

    def _exemption(self, member: Member, day: date) -> None:
        """Six months, or open-ended and sometimes ended early by the cell."""
        to = None if self.rng.random() < 0.5 else day + timedelta(days=180)
        item = self.ids.new("exemption")
        self.changes.append(MemberChange(
            day, member.id, "exempt", item_id=item, from_=day, to=to,
            reason=self.rng.choice(names.EXEMPTION_REASONS), ref=self._ref()))
        if to is None and self.rng.random() < 0.3:
            end = day + timedelta(days=self.rng.randint(60, 200))
            if end <= self.config.end:
                self.changes.append(MemberChange(end, member.id, "end_exemption",
                                                 item_id=item))

    def _poisson(self, mean: float) -> int:
        count, threshold, product = 0, pow(2.718281828, -mean), self.rng.random()
        while product > threshold:
            count += 1
            product *= self.rng.random()
        return count

    def _late_exemptions(self) -> None:
        """Exemptions decided early but recorded after the meetings (DOMAIN.md CR-17)."""
        pool = [m for m in self._movable() if m.birth_date < date(1970, 1, 1)
                and self.roles.home_cell[m.id] not in {c.id for c, _ in self.layout.merged_cells}]
        for member in self.rng.sample(pool, min(self.config.late_exemptions, len(pool))):
            day = _day_between(self.rng, self.config.start + timedelta(days=60),
                               self.config.end - timedelta(days=120))
            self.changes.append(MemberChange(
                day, member.id, "exempt", item_id=self.ids.new("exemption"), from_=day,
                reason="Ốm đau dài ngày", ref=self._ref(), late=True))
            self.roles.stable.add(member.id)


def build_roll(config: Config, rng: random.Random, ids: Ids,
               layout: Layout) -> tuple[list[Member], list[MemberChange], Roles]:
    return RollBuilder(config, rng, ids, layout).build()
