"""A caller's sight of the tree: what its scope reaches, on which days."""

from __future__ import annotations

import random
from datetime import date, timedelta

from chibo_reporting.access import Sight, reaches
from chibo_web.auth import Caller

from .scenarios import moved_and_merged_tree


def test_a_sight_remembers_its_reach_per_stretch_of_the_tree_and_answers_as_the_tree_does():
    """The sight remembers an answer per unit and stretch between two of the tree's change
    days (1 Jul: commune c1 moves from d1 to d2; 15 Sep: c2 is merged into c3); asked in a
    shuffled order, it must answer every unit on every day as a walk up the tree does, so a
    remembered answer of one stretch never stands for another's."""
    tree = moved_and_merged_tree()
    today = date(2026, 1, 1)
    days = [date(2025, 1, 1) + timedelta(days=n) for n in range(400)]
    asked = [(unit, day) for unit in tree.units for day in days]
    random.Random(7).shuffle(asked)
    for scope in (("d1",), ("d2",), ("c1",), ("c2",), ("c3", "y")):
        caller = Caller("auditor-1", frozenset({"auditor"}), scope)
        sight = Sight(caller, tree, today)
        assert {(u, d): sight.reaches(u, d) for u, d in asked} == {
            (u, d): reaches(caller, tree, u, (today, d)) for u, d in asked}
    d1 = Sight(Caller("auditor-1", frozenset({"auditor"}), ("d1",)), tree, today)
    # On today's tree, cell y (via c1) and cell x (via c2 → c3) are under d2; before 1 Jul y is
    # d1's, before 15 Sep x is.
    assert d1.reaches("y", date(2025, 6, 30)) and not d1.reaches("y", date(2025, 7, 1))
    assert d1.reaches("x", date(2025, 9, 14)) and not d1.reaches("x", date(2025, 9, 15))


def test_where_a_sight_may_reach_holds_every_unit_it_reaches_on_some_day():
    """What `candidates` narrows a search to must hold everything the sight reaches, on any
    day: d2 reaches cell y (via c1) from 1 Jul, and cell x once c2 is merged into c3."""
    tree = moved_and_merged_tree()
    today = date(2026, 1, 1)
    days = [date(2025, 1, 1) + timedelta(days=n) for n in range(400)]
    expected = {("d1",): {"d1", "c1", "c2", "x", "y"},
                ("d2",): {"d2", "c1", "c2", "c3", "x", "y"},
                ("c3",): {"c2", "c3", "x"}, ("x",): {"x"}}
    for scope, candidates in expected.items():
        sight = Sight(Caller("auditor-1", frozenset({"auditor"}), scope), tree, today)
        assert sight.candidates() == candidates
        assert {u for u in tree.units for d in days if sight.reaches(u, d)} <= candidates
    whole = Sight(Caller("auditor-1", frozenset({"auditor"}), ("*",)), tree, today)
    assert whole.candidates() is None
