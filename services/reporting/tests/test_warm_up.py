"""The warm-up runs the dashboard's roll-ups when the day or the shared stamps move, so that the
first visitor finds every cell's summary cached."""

from __future__ import annotations

import threading
import time
from datetime import date, timedelta

from chibo_reporting.bootstrap import bootstrap
from chibo_reporting.periods import Period
from chibo_reporting.queries import Reports
from chibo_reporting.queries.warm_up import WarmUp, periods_of

from .conftest import NOW, make_settings
from .scenarios import NA_NGHE, PROVINCE, na_nghe_roll, two_cells
from .support import Client, catch_up


def two_cells_in_2026(world) -> None:
    two_cells(world, 2026, range(1, 4))


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self):
        return self.now


def test_the_periods_are_the_current_year_quarter_and_month():
    assert [p.label for p in periods_of(date(2026, 11, 25))] == ["2026", "2026-Q4", "2026-11"]
    assert [p.label for p in periods_of(date(2026, 1, 1))] == ["2026", "2026-Q1", "2026-01"]


def test_the_first_roll_up_of_the_day_finds_every_summary_warm(world, service):
    two_cells_in_2026(world)
    catch_up(service)
    clock = Clock()
    reports = Reports(service.engine, service.model, clock)
    warm_up = WarmUp(reports)

    # 15 March 2026 in Vietnam: the top unit's roll-ups of the year, the quarter, the month.
    assert warm_up.once() == [(PROVINCE, "2026"), (PROVINCE, "2026-Q1"), (PROVINCE, "2026-03")]
    assert (reports.summaries.misses, reports.summaries.hits) == (6, 0)
    report = reports.unit(PROVINCE, Period.parse("2026"))
    assert (reports.summaries.misses, reports.summaries.hits) == (6, 2)
    assert report["cells"] == 2
    assert report["attendance"]["present"] == 11 * 3 + 4 * 3

    assert warm_up.once() == []  # nothing moved
    # A cell's own facts moving is no reason: a roll-up recomputes that cell alone on demand.
    world.meeting("nn-4", NA_NGHE, date(2026, 3, 12), roll=na_nghe_roll())
    world.publish()
    catch_up(service)
    assert warm_up.once() == []
    assert (reports.summaries.misses, reports.summaries.hits) == (6, 2)

    clock.now = NOW + timedelta(days=1)  # what is due is judged by a new day
    assert len(warm_up.once()) == 3
    assert reports.summaries.misses == 12
    reports.unit(PROVINCE, Period.parse("2026-Q1"))
    assert (reports.summaries.misses, reports.summaries.hits) == (12, 4)


def test_a_new_rulebook_warms_again(app, world, service):
    two_cells_in_2026(world)
    catch_up(service)
    reports = Reports(service.engine, service.model, Clock())
    warm_up = WarmUp(reports)
    assert len(warm_up.once()) == 3
    answer = Client(app).post("/rulebooks", {"unit_id": PROVINCE, "effective_from": "2026-01-01",
                                             "parameters": {"prescribed_day": 5}})
    assert answer.status_code == 201, answer.get_json()
    service.relay().run_once()
    catch_up(service)
    assert len(warm_up.once()) == 3
    assert reports.summaries.misses == 12
    report = reports.unit(PROVINCE, Period.parse("2026"))
    assert report["rulebook"]["unit_id"] == PROVINCE
    assert report["rules"]["CR-02"]["compliant"] == 1  # Nà Nghè on the 5th now, not Bi Ban
    assert reports.summaries.misses == 12


def test_the_warm_up_runs_until_stopped_and_outlives_a_failure(world, service):
    two_cells_in_2026(world)
    catch_up(service)
    reports = Reports(service.engine, service.model, Clock())
    calls = []
    real_tree = reports.tree

    def flaky_tree():
        calls.append(1)
        if len(calls) == 1:
            raise ConnectionError("database away")
        return real_tree()

    reports.tree = flaky_tree  # type: ignore[method-assign]
    warm_up, stop = WarmUp(reports, interval=0.01), threading.Event()
    thread = threading.Thread(target=warm_up.run, args=(stop,))
    thread.start()
    try:
        for _ in range(500):
            if reports.summaries.misses >= 6:  # the three roll-ups of two cells
                break
            time.sleep(0.01)
        assert reports.summaries.misses == 6
    finally:
        stop.set()
        thread.join(5)
    assert not thread.is_alive()
    assert len(calls) == 2  # failed once, warmed the next time, then nothing moved


def test_the_service_runs_its_warm_up_beside_the_api_unless_told_not_to(tmp_path, bus):
    url = f"sqlite:///{tmp_path}/reporting.db"
    on = bootstrap(make_settings(tmp_path, url), bus=bus)
    off = bootstrap(make_settings(tmp_path, url, warm_up=False), bus=bus)
    assert [w.name for w in on.api_workers()] == ["reporting-warm-up"]
    assert off.api_workers() == []
    on.engine.dispose()
    off.engine.dispose()
