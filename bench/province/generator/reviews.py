"""Remind-and-review cases: the commune reminds some of each quarter's candidate cells, some
explain, some cases are closed (mostly fixed); now and then a reminder is withdrawn."""

from __future__ import annotations

import random
from datetime import date, timedelta

from bench.province.generator.tree import Ids
from bench.province.plan import Plan, Review


def build_reviews(plan: Plan, rng: random.Random, ids: Ids) -> list[Review]:
    from bench.province.truth import expected  # the committee reviews what the rules flag

    config = plan.config
    truth = expected(plan, date(config.end.year + 2, 1, 1))
    reviews: list[Review] = []
    for period in (p for p in truth.periods if p.kind == "quarter"):
        cells = truth.cells_of(period.label)
        candidates = {c: truth.cell(c, period.label)["CR-27"].figures["rules"] for c in cells}
        for cell, rules in candidates.items():
            if rules and rng.random() < config.reviewed:
                reviews.append(_case(rng, ids, cell, (period.label, period.end), tuple(rules)))
        quiet = [c for c, rules in candidates.items() if not rules]
        if quiet and rng.random() < 0.5:
            reminded = period.end + timedelta(days=10)
            reviews.append(Review(ids.new("review"), rng.choice(quiet), period.label,
                                  ("CR-01",), reminded, None, reminded + timedelta(days=3),
                                  "withdrawn"))
    return reviews


def _case(rng: random.Random, ids: Ids, cell: str, period: tuple[str, date],
          rules: tuple[str, ...]) -> Review:
    label, end = period
    reminded = end + timedelta(days=rng.randint(5, 15))
    explained = reminded + timedelta(days=rng.randint(3, 10)) if rng.random() < 0.6 else None
    if explained is None or rng.random() < 0.4:
        return Review(ids.new("review"), cell, label, rules, reminded, explained)
    outcome = "fixed" if rng.random() < 0.7 else "not_fixed"
    return Review(ids.new("review"), cell, label, rules, reminded, explained,
                  explained + timedelta(days=rng.randint(5, 20)), outcome)
