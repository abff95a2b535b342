"""Reports pause the cyclic garbage collector, and collect after themselves what they left."""

from __future__ import annotations

import gc

from chibo_reporting.queries import LEFT_BEHIND, _allocating


def collections_run(monkeypatch) -> list[int]:
    run: list[int] = []
    collect = gc.collect

    def recording(generation: int = 2) -> int:
        run.append(generation)
        return collect(generation)

    monkeypatch.setattr(gc, "collect", recording)
    return run


def test_a_report_that_left_many_objects_behind_collects_them_itself(monkeypatch):
    """A cold roll-up leaves millions of objects in the caches; the first young-generation
    collections after it walk them all (94 ms measured), in whichever request comes next —
    unless the report runs them itself, at its end."""
    run = collections_run(monkeypatch)
    kept: list[list[int]] = []
    with _allocating():
        assert not gc.isenabled()
        kept.extend([n] for n in range(LEFT_BEHIND * 2))
    assert gc.isenabled()
    assert run == [1]


def test_a_small_report_leaves_the_collector_to_its_own_pace(monkeypatch):
    run = collections_run(monkeypatch)
    kept: list[list[int]] = []
    with _allocating():
        kept.extend([n] for n in range(1_000))
    assert gc.isenabled()
    assert run == []
