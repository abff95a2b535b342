"""Roll-ups reuse the summaries of cells whose facts did not change, and only those."""

from __future__ import annotations

from datetime import date

from chibo_reporting.periods import Period
from chibo_reporting.queries import Reports
from chibo_reporting.queries.loading import Loader

from . import scenarios
from .scenarios import (
    CELL,
    COMMUNE,
    MEMBERS,
    NA_NGHE,
    NA_NGHE_MEMBERS,
    bi_ban_roll,
    na_nghe_roll,
)
from .support import Roll, catch_up


def two_cells(world) -> None:
    scenarios.two_cells(world, 2024, range(1, 3))


def compliant_cr14(report: dict) -> dict[str, int]:
    return {c["unit_id"]: c["rules"]["CR-14"]["compliant"] for c in report["children"]}


def fresh(service) -> Reports:
    return Reports(service.engine, service.model, service.reports.clock)


def test_a_new_roll_call_in_one_cell_recomputes_that_cell_only(world, service):
    two_cells(world)
    catch_up(service)
    reports, period = service.reports, Period.parse("2024-Q1")
    first = reports.unit(COMMUNE, period)
    assert (reports.summaries.misses, reports.summaries.hits) == (2, 0)
    assert first["attendance"]["present"] == 11 * 2 + 4 * 2

    # Nà Nghè's March meeting: two of four absent without reason.
    world.meeting("nn-3", NA_NGHE, date(2024, 3, 5),
                  roll=na_nghe_roll(**{"nn-1": "absent_unexcused", "nn-2": "absent_unexcused"}))
    world.publish()
    catch_up(service)
    second = reports.unit(COMMUNE, period)
    assert (reports.summaries.misses, reports.summaries.hits) == (3, 1)
    assert (second["attendance"]["present"], second["attendance"]["required"]) == (32, 34)
    assert second["rules"]["CR-13"] == {"compliant": 1, "total": 2, "share": 0.5}
    cold = fresh(service).unit(COMMUNE, period)
    assert {k: v for k, v in second.items() if k != "positions"} == {
        k: v for k, v in cold.items() if k != "positions"}

    reports.unit(COMMUNE, period)  # nothing changed: both from the cache
    assert (reports.summaries.misses, reports.summaries.hits) == (3, 3)


def test_a_run_that_moves_to_another_cell_restamps_the_cell_it_left(world, service):
    """bb-01 is excused at Bi Ban's four meetings of January to April: a run of four, more than
    3 (CR-14), that Bi Ban answers for. Transferred to Nà Nghè, bb-01 is excused there in May:
    the run grows to five and its last absence, which answers for it, is now Nà Nghè's. No row
    of Bi Ban changed, yet its cached summary must not survive."""
    two_cells(world)
    for month in (3, 4):
        world.meeting(f"bb-{month}", CELL, date(2024, month, 3), roll=bi_ban_roll())
    for month in (1, 2, 3, 4):
        world.correct_roll(f"bb-{month}", CELL, date(2024, month, 3),
                           bi_ban_roll(**{MEMBERS[0]: "absent_excused"}))
    world.publish()
    catch_up(service)
    reports, period = service.reports, Period.parse("2024")
    before = reports.unit(COMMUNE, period)
    assert before["rules"]["CR-14"] == {"compliant": 1, "total": 2, "share": 0.5}
    assert compliant_cr14(before) == {CELL: 0, NA_NGHE: 1}

    world.transfer(MEMBERS[0], NA_NGHE, date(2024, 4, 10))
    world.meeting("nn-5", NA_NGHE, date(2024, 5, 5),
                  roll=Roll(required=[MEMBERS[0], *NA_NGHE_MEMBERS],
                            statuses={MEMBERS[0]: "absent_excused"}))
    world.publish()
    catch_up(service)
    cached = reports.unit(COMMUNE, period)
    cold = fresh(service).unit(COMMUNE, period)
    assert compliant_cr14(cached) == compliant_cr14(cold) == {CELL: 1, NA_NGHE: 0}
    bi_ban = fresh(service).cell(CELL, period)["rules"]["CR-14"]["result"]
    na_nghe = fresh(service).cell(NA_NGHE, period)["rules"]["CR-14"]["result"]
    assert (bi_ban, na_nghe) == ("pass", "fail")
    assert cached["members_flagged"]["CR-14"] == 1


def test_a_tree_change_invalidates_every_summary(world, service):
    two_cells(world)
    catch_up(service)
    reports, period = service.reports, Period.parse("2024")
    reports.unit(COMMUNE, period)
    world.unit("xa-moi", "commune_committee", None, name="Xã mới")
    world.publish()
    catch_up(service)
    reports.unit(COMMUNE, period)
    assert (reports.summaries.misses, reports.summaries.hits) == (4, 0)


def test_a_new_visit_recomputes_the_quotas_of_its_cell_from_that_cells_visits_only(
        world, service, monkeypatch):
    """Ông Lò (standing, the commune: both cells) and bà Cầm (executive, Nà Nghè only). A
    visit of ông Lò to Nà Nghè in March restamps Nà Nghè: the next roll-up computes the two
    quotas in Nà Nghè again, reading Nà Nghè's visits only, and keeps ông Lò's in Bi Ban."""
    two_cells(world)
    world.assign("lo", COMMUNE, "standing", date(2024, 1, 1))
    world.assign("cam", NA_NGHE, "executive", date(2024, 1, 1))
    world.visit("lo", CELL, date(2024, 2, 10))
    world.visit("cam", NA_NGHE, date(2024, 1, 20))
    world.publish()
    catch_up(service)
    reports, period = service.reports, Period.parse("2024-Q1")
    reports.unit(COMMUNE, period)

    world.visit("lo", NA_NGHE, date(2024, 3, 12))
    world.publish()
    catch_up(service)
    read_for: list[list[str] | None] = []
    visits = Loader.visits

    def spied(loader: Loader, cells: list[str] | None, first: date, last: date) -> list:
        read_for.append(cells)
        return visits(loader, cells, first, last)

    monkeypatch.setattr(Loader, "visits", spied)
    cached = reports.unit(COMMUNE, period)
    # The summary of Nà Nghè first (one cell of two: `most_of` reads them all), then the
    # quotas: Nà Nghè's visits only.
    assert read_for[1:] == [[NA_NGHE]]
    monkeypatch.undo()
    cold = fresh(service)
    assert {k: v for k, v in cached.items() if k != "positions"} == {
        k: v for k, v in cold.unit(COMMUNE, period).items() if k != "positions"}
    by_overseer = {e["overseer_id"]: e for e in cold.overseers(COMMUNE, period)["overseers"]}
    assert {o: (e["cells"], e["visits"]) for o, e in by_overseer.items()} == {
        "lo": ([CELL, NA_NGHE], 2), "cam": ([NA_NGHE], 1)}


def test_who_had_which_cell_in_charge_is_kept_until_an_assignment_or_the_tree_changes(
        world, service, monkeypatch):
    """The overseers' charges over the year are resolved once for the whole tree and kept
    while the tree and the assignments stand: a warm roll-up reads no assignment; a new one,
    or a cell moved, is in the next answer."""
    two_cells(world)
    world.assign("lo", COMMUNE, "standing_committee_member", date(2024, 1, 1))
    world.publish()
    catch_up(service)
    reports, period = service.reports, Period.parse("2024")

    def charges() -> dict[str, list[str]]:
        return {e["overseer_id"]: e["cells"]
                for e in reports.overseers(COMMUNE, period)["overseers"]}

    assert charges() == {"lo": [CELL, NA_NGHE]}
    reports.unit(COMMUNE, period)
    reads: list[object] = []
    assignments = Loader.assignments
    monkeypatch.setattr(Loader, "assignments", lambda loader, *args: reads.append(args) or
                        assignments(loader, *args))
    reports.unit(COMMUNE, period)
    assert charges() == {"lo": [CELL, NA_NGHE]}
    assert reads == []

    world.assign("cam", NA_NGHE, "executive_committee_member", date(2024, 7, 1))
    world.publish()
    catch_up(service)
    assert charges() == {"lo": [CELL, NA_NGHE], "cam": [NA_NGHE]}
    world.unit("xa-moi", "commune_committee", None, name="Xã mới")
    world.move(NA_NGHE, "xa-moi", date(2024, 4, 1))
    world.publish()
    catch_up(service)

    def quotas(unit: str) -> dict[str, list[tuple[str, int]]]:
        return {e["overseer_id"]: [(c["cell_id"], c["required"]) for c in e["per_cell"]]
                for e in reports.overseers(unit, period)["overseers"]}

    # Nà Nghè left the commune on 1 April: lo had it in charge 91 days (ceil(2 x 91 / 366)
    # = 1 visit), and cam's assignment on it is below the new commune at the year's end.
    assert quotas(COMMUNE) == {"lo": [(CELL, 2), (NA_NGHE, 1)]}
    assert quotas("xa-moi") == {"cam": [(NA_NGHE, 2)]}


def test_reminders_come_from_the_summaries_the_roll_ups_keep(world, service):
    """A province's reminders would evaluate every cell again; they read the cached summaries,
    and a fresh process computing them gives the same list."""
    two_cells(world)
    catch_up(service)
    reports, period = service.reports, Period.parse("2024-Q1")
    reports.unit(COMMUNE, period)
    assert (reports.summaries.misses, reports.summaries.hits) == (2, 0)
    reminders = reports.reminders(COMMUNE, period)
    assert (reports.summaries.misses, reports.summaries.hits) == (2, 2)  # no cell evaluated
    # Both cells met in January and February only: no March meeting (CR-01), no thematic one
    # in the quarter (CR-03), both among the rules a rulebook watches by default.
    assert [(i["cell_id"], i["rules"], i["status"]) for i in reminders["items"]] == [
        (CELL, ["CR-01", "CR-03"], "candidate"), (NA_NGHE, ["CR-01", "CR-03"], "candidate")]
    assert reminders == fresh(service).reminders(COMMUNE, period)
