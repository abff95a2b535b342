"""The effective-dated tree: a unit's ancestry over a window, in the stretches it stays the same."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from chibo_reporting.periods import Window
from chibo_reporting.read_models.tree import Span, Tree, Unit

from .scenarios import moved_and_merged_tree

YEAR = Window(date(2025, 1, 1), date(2025, 12, 31), "2025")


def test_ancestries_follow_a_move_and_a_merger_of_the_units_above():
    tree = moved_and_merged_tree()
    # y's commune c1 moves from d1 to d2 on 1 July; x's commune c2 is merged into c3 on 15 Sep.
    assert tree.ancestries("y", YEAR) == (
        (Window(date(2025, 1, 1), date(2025, 6, 30), "2025"), ("y", "c1", "d1", "p")),
        (Window(date(2025, 7, 1), date(2025, 12, 31), "2025"), ("y", "c1", "d2", "p")))
    assert tree.ancestries("x", YEAR) == (
        (Window(date(2025, 1, 1), date(2025, 9, 14), "2025"), ("x", "c2", "d1", "p")),
        (Window(date(2025, 9, 15), date(2025, 12, 31), "2025"), ("x", "c3", "d2", "p")))
    # A window on one side of the changes is one stretch; p never moves.
    assert tree.ancestries("y", Window(date(2025, 7, 1), date(2025, 9, 30), "Q3")) == (
        (Window(date(2025, 7, 1), date(2025, 9, 30), "Q3"), ("y", "c1", "d2", "p")),)
    assert tree.ancestries("p", YEAR) == ((YEAR, ("p",)),)
    assert tree.ancestries("p", Window(date(2025, 2, 1), date(2025, 1, 31), "none")) == ()


UNITS = ["a", "b", "c", "d", "e", "f"]
DAYS = st.integers(min_value=-40, max_value=400).map(lambda n: date(2025, 1, 1) + timedelta(n))


@st.composite
def trees(draw: st.DrawFn) -> Tree:
    """Six units, each with up to three spans under any other unit (or none) and maybe merged
    into another on some day: cycles and chains of mergers included."""
    units, spans = [], []
    for unit_id in UNITS:
        merged = draw(st.booleans())
        into = draw(st.sampled_from([u for u in UNITS if u != unit_id])) if merged else None
        units.append(Unit(unit_id, "cell", None, date(2020, 1, 1),
                          draw(DAYS) if merged else None, "merged" if merged else None, into))
        for first in sorted(set(draw(st.lists(DAYS, min_size=1, max_size=3)))):
            spans.append((unit_id, Span(first, None, draw(st.sampled_from([None, *UNITS])),
                                        unit_id)))
    return Tree(units, spans)


@settings(max_examples=150, deadline=None)
@given(tree=trees(), unit_id=st.sampled_from(UNITS), first=DAYS, days=st.integers(0, 120))
def test_ancestries_are_the_ancestry_of_every_day(tree, unit_id, first, days):
    window = Window(first, first + timedelta(days), "w")
    stretches = tree.ancestries(unit_id, window)
    by_day = {}
    for stretch, chain in stretches:
        for n in range(stretch.days):
            by_day[stretch.start + timedelta(n)] = chain
    every_day = [window.start + timedelta(n) for n in range(window.days)]
    assert by_day == {day: tuple(tree.ancestry(unit_id, day)) for day in every_day}
    assert len(by_day) == sum(s.days for s, _ in stretches)  # no day twice
    assert all(a[1] != b[1] for a, b in pairwise(stretches))  # each a change
