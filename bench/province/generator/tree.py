"""The organisation tree: province → districts → communes → grassroots organisations → cells,
then the July 2025 restructuring (districts dissolved, communes merged and moved up)."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta

from bench.province import names
from bench.province.config import Config
from bench.province.plan import Unit, UnitChange

RESTRUCTURING_REASON = (
    "Kết thúc hoạt động của đảng bộ cấp huyện từ ngày 01/7/2025 (Nghị quyết 60-NQ/TW)"
)


class Ids:
    """Deterministic UUIDs: the seed, a kind and a counter name every id."""

    def __init__(self, seed: int, salt: str = "") -> None:
        self.namespace = uuid.uuid5(uuid.NAMESPACE_URL, f"chibo-province-{seed}{salt}")
        self.counters: dict[str, int] = {}

    def new(self, kind: str) -> str:
        number = self.counters.get(kind, 0) + 1
        self.counters[kind] = number
        return str(uuid.uuid5(self.namespace, f"{kind}:{number}"))


@dataclass
class Layout:
    """Who sits where at the start, for the other generators."""

    province: Unit
    districts: list[Unit] = field(default_factory=list)
    communes: dict[str, list[Unit]] = field(default_factory=dict)  # by district
    grassroots: dict[str, list[Unit]] = field(default_factory=dict)  # by commune
    cells: dict[str, list[Unit]] = field(default_factory=dict)  # by grassroots organisation
    heirs: dict[str, str] = field(default_factory=dict)  # merged commune → surviving commune
    new_cells: list[Unit] = field(default_factory=list)
    merged_cells: list[tuple[Unit, Unit]] = field(default_factory=list)  # (merged, into)


def _split(total: int, parts: int, rng: random.Random, spread: float = 0.35) -> list[int]:
    """`total` split into `parts` positive integers of roughly equal size."""
    parts = max(1, min(parts, total))
    weights = [max(0.2, rng.gauss(1.0, spread)) for _ in range(parts)]
    scale = total / sum(weights)
    sizes = [max(1, int(w * scale)) for w in weights]
    while sum(sizes) < total:
        sizes[rng.randrange(parts)] += 1
    while sum(sizes) > total:
        index = max(range(parts), key=lambda i: sizes[i])
        sizes[index] -= 1
    return sizes


def build_tree(config: Config, rng: random.Random, ids: Ids) -> tuple[list[Unit], Layout]:
    born = config.tree_from
    province = Unit(ids.new("unit"), "TU", names.nfc(f"Tỉnh ủy {config.province_name}"),
                    "provincial_committee", None, born)
    units = [province]
    layout = Layout(province)
    initial_cells = config.cells - config.new_cells
    for d, district_cells in enumerate(_split(initial_cells, config.districts, rng, 0.15), 1):
        district = Unit(ids.new("unit"), f"H{d:02d}", f"Huyện ủy {names.place(rng)}",
                        "district_committee", province.id, born)
        units.append(district)
        layout.districts.append(district)
        layout.communes[district.id] = []
        communes = max(2, round(district_cells / 12))
        for c, commune_cells in enumerate(_split(district_cells, communes, rng), 1):
            commune = Unit(ids.new("unit"), f"{district.code}-X{c:02d}",
                           f"Đảng ủy xã {names.place(rng)}", "commune_committee", district.id, born)
            units.append(commune)
            layout.communes[district.id].append(commune)
            units += _grassroots(commune, commune_cells, rng, ids, layout)
    return units, layout


def _grassroots(commune: Unit, count: int, rng: random.Random, ids: Ids,
                layout: Layout) -> list[Unit]:
    created: list[Unit] = []
    layout.grassroots[commune.id] = []
    sizes, left = [], count
    while left > 0:
        size = min(left, rng.choice((1, 2, 3, 4, 4, 5, 6, 8)))
        sizes.append(size)
        left -= size
    for g, size in enumerate(sizes, 1):
        code = f"{commune.code}-G{g:02d}"
        if size == 1:
            org = Unit(ids.new("unit"), code, f"Chi bộ {rng.choice(names.AGENCIES)} "
                       f"{names.place(rng)}", "cell", commune.id, commune.created_on)
            layout.grassroots[commune.id].append(org)
            layout.cells[org.id] = [org]
            created.append(org)
            continue
        org = Unit(ids.new("unit"), code, f"Đảng bộ {names.village(rng, g)}",
                   "grassroots_committee", commune.id, commune.created_on)
        layout.grassroots[commune.id].append(org)
        created.append(org)
        layout.cells[org.id] = []
        for k in range(1, size + 1):
            cell = Unit(ids.new("unit"), f"{code}-C{k:02d}",
                        f"Chi bộ {names.village(rng, k)}", "cell", org.id, org.created_on)
            layout.cells[org.id].append(cell)
            created.append(cell)
    return created


def cell_changes(config: Config, rng: random.Random, ids: Ids, layout: Layout,
                 units: list[Unit]) -> list[UnitChange]:
    """New cells created and small cells merged into a sibling during the first year."""
    changes: list[UnitChange] = []
    committees = [org for orgs in layout.grassroots.values() for org in orgs
                  if org.kind == "grassroots_committee"]
    for n in range(config.new_cells):
        org = rng.choice(committees)
        day = date(config.start.year, rng.randint(3, 7), rng.choice((1, 15)))
        cell = Unit(ids.new("unit"), f"{org.code}-N{n + 1:02d}",
                    f"Chi bộ {names.village(rng, 90 + n)}", "cell", org.id, day)
        layout.cells[org.id].append(cell)
        layout.new_cells.append(cell)
        units.append(cell)
    candidates = [org for org in committees if len(layout.cells[org.id]) >= 3]
    for org in rng.sample(candidates, min(config.merged_cells, len(candidates))):
        merged, into = rng.sample([c for c in layout.cells[org.id] if c not in layout.new_cells],
                                  2)
        day = date(config.start.year, rng.randint(8, 11), 1)
        merged.ended_on, merged.merged_into = day, into.id
        layout.merged_cells.append((merged, into))
        changes.append(UnitChange(day, merged.id, "merge", into_id=into.id))
    return changes


def restructure(config: Config, rng: random.Random, layout: Layout) -> list[UnitChange]:
    """1 July 2025: about a third of the communes merge into a neighbour, every surviving
    commune moves under the province (the merged ones renamed), the districts are dissolved."""
    day = config.restructure_on
    changes: list[UnitChange] = []
    if not config.start <= day <= config.end + timedelta(days=1):
        return changes
    for district in layout.districts:
        communes = list(layout.communes[district.id])
        rng.shuffle(communes)
        merges = len(communes) // 3
        for merged, into in zip(communes[:merges], communes[merges:2 * merges], strict=True):
            merged.ended_on, merged.merged_into = day, into.id
            layout.heirs[merged.id] = into.id
            changes.append(UnitChange(day, merged.id, "merge", into_id=into.id))
            for child in layout.grassroots[merged.id]:
                changes.append(UnitChange(day, child.id, "move", parent_id=into.id,
                                          implied=True))
        for survivor in communes[merges:]:
            changes.append(UnitChange(day, survivor.id, "move", parent_id=layout.province.id))
            if survivor.id in layout.heirs.values():
                changes.append(UnitChange(day, survivor.id, "rename",
                                          name=f"Đảng ủy xã {names.place(rng)}"))
        district.ended_on = day
        changes.append(UnitChange(day, district.id, "dissolve", reason=RESTRUCTURING_REASON))
    return changes
