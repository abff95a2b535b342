"""The synthetic province generator: a deterministic plan from a seed and a size."""

from __future__ import annotations

import random
from datetime import date

from bench.province.config import Config
from bench.province.generator.meetings import CellStyle, build_meetings
from bench.province.generator.members import build_roll
from bench.province.generator.oversight import build_assignments, build_visits
from bench.province.generator.reviews import build_reviews
from bench.province.generator.tree import Ids, Layout, build_tree, cell_changes, restructure
from bench.province.plan import Plan, Rulebook
from bench.province.world import World


def generate(config: Config) -> Plan:
    """The same config always gives the same plan (ids included)."""
    rng = random.Random(config.seed)
    ids = Ids(config.seed, config.id_salt)
    units, layout = build_tree(config, rng, ids)
    unit_changes = cell_changes(config, rng, ids, layout, units)
    unit_changes += restructure(config, rng, layout)
    members, member_changes, roles = build_roll(config, rng, ids, layout)
    assignments = build_assignments(config, rng, ids, layout, roles)
    plan = Plan(config, layout.province.id, units, unit_changes, members, member_changes, [],
                assignments, [], [])
    known, final = World(plan, include_late=False), World(plan)
    plan.meetings, styles = build_meetings(config, ids, (known, final), plan.cells(), roles,
                                           assignments=assignments)
    plan.visits = build_visits(config, rng, ids, known, assignments=assignments,
                               meetings=plan.meetings)
    plan.rulebooks = _rulebooks(config, ids, layout, styles)
    if config.reviewed:
        plan.reviews = build_reviews(plan, rng, ids)
    return plan


def _rulebooks(config: Config, ids: Ids, layout: Layout,
               styles: dict[str, CellStyle]) -> list[Rulebook]:
    """The province's own meeting days until 2025; from 2025 the Party-wide 3rd, with the
    few exceptions the province permitted."""
    own = {cell: s.own_day for cell, s in styles.items() if s.own_day is not None}
    permitted = {cell: s.own_day for cell, s in styles.items()
                 if s.own_day is not None and s.permitted}
    province = layout.province.id
    return [
        Rulebook(ids.new("rulebook"), province, date(2020, 1, 1),
                 {"prescribed_day_exceptions": own}, "Quy định sinh hoạt chi bộ (2020)"),
        Rulebook(ids.new("rulebook"), province, date(config.restructure_on.year, 1, 1),
                 {"prescribed_day_exceptions": permitted},
                 "Ngày sinh hoạt chi bộ thống nhất ngày 3 hằng tháng (2025)"),
    ]


__all__ = ["generate"]
