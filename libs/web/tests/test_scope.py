"""Reach in an effective-dated tree: on one day, and as periods for filtering lists by date."""

from __future__ import annotations

from datetime import date

from chibo_web.scope import ALWAYS, DatedTree

D = date


def reorganised() -> DatedTree:
    """Province P; district X until 2025-07-01, when commune A (new) takes cell K1 and commune B
    is merged into A; cell K2 stays under B until the merger."""
    return DatedTree.from_rows(
        [
            ("P", D(2020, 1, 1), None),
            ("X", D(2020, 1, 1), "P"),
            ("B", D(2020, 1, 1), "X"),
            ("K1", D(2020, 1, 1), "X"),
            ("K2", D(2020, 1, 1), "B"),
            ("A", D(2025, 7, 1), "P"),
            ("K1", D(2025, 7, 1), "A"),
        ],
        [("B", D(2025, 7, 1), "A"), ("X", D(2025, 7, 1), None)],
    )


def test_lineage_follows_the_parents_and_mergers_of_the_day():
    tree = reorganised()
    assert tree.lineage("K1", D(2024, 1, 1)) == ["K1", "X", "P"]
    assert tree.lineage("K1", D(2025, 7, 1)) == ["K1", "A", "P"]
    assert tree.lineage("K2", D(2025, 8, 1)) == ["K2", "B", "A", "P"]
    assert tree.lineage("unknown", D(2025, 8, 1)) == ["unknown"]


def test_a_scope_reaches_a_unit_only_on_the_days_it_lies_below():
    tree = reorganised()
    assert not tree.reaches(["A"], "K1", D(2025, 6, 30))
    assert tree.reaches(["A"], "K1", D(2025, 7, 1))
    assert tree.reaches(["X"], "K1", D(2025, 6, 30)) and not tree.reaches(
        ["X"], "K1", D(2026, 1, 1)
    )


def test_periods_say_from_when_to_when_a_unit_lay_in_the_scope():
    tree = reorganised()
    assert tree.periods(["A"], "K1") == ((D(2025, 7, 1), None),)
    assert tree.periods(["X"], "K1") == ((D(2020, 1, 1), D(2025, 7, 1)),)
    assert tree.periods(["X"], "K2") == ((D(2020, 1, 1), D(2025, 7, 1)),)
    assert tree.periods(["P"], "K2") == ((D(2020, 1, 1), None),)
    assert tree.periods(["K1"], "K1") == ALWAYS
    assert tree.periods(["A"], "elsewhere") == ()


def test_a_cycle_in_the_data_does_not_hang():
    tree = DatedTree.from_rows([("U", D(2020, 1, 1), "V"), ("V", D(2020, 1, 1), "U")])
    assert tree.lineage("U", D(2021, 1, 1)) == ["U", "V"]
    assert tree.periods(["W"], "U") == ()
