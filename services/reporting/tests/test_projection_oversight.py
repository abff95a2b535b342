"""Oversight end to end: assignments, visits and quotas (CR-24, CR-25), notices to overseers
(CR-08), and the remind-and-review list (CR-27) with the status of each case."""

from __future__ import annotations

from datetime import date

from .scenarios import CELL, COMMUNE, DISTRICT, PROVINCE, bi_ban_roll, bi_ban_tree
from .support import Client, catch_up, new_id
from .test_projection_cells import report

EXECUTIVE, STANDING = "executive_committee_member", "standing_committee_member"


def overseen_year(world) -> None:
    bi_ban_tree(world)
    world.unit("ta-hoc", "cell", COMMUNE)
    world.assign("uv-1", CELL, EXECUTIVE, date(2024, 1, 1))
    world.assign("uv-2", COMMUNE, STANDING, date(2024, 1, 1))
    for month in (2, 6):
        world.visit("uv-1", CELL, date(2024, month, 3))
    world.visit("uv-1", CELL, date(2024, 10, 3), counts=False)
    for month in (3, 9):
        world.visit("uv-2", CELL, date(2024, month, 3))
    world.visit("uv-2", "ta-hoc", date(2024, 4, 3))


def test_overseers_report_cells_visits_and_quota_by_position(world, service, client):
    overseen_year(world)
    world.publish()
    catch_up(service)
    answer = report(client, f"/reports/overseers?unit_id={COMMUNE}&period=2024")
    by_overseer = {o["overseer_id"]: o for o in answer["overseers"]}
    executive = by_overseer["uv-1"]
    assert (executive["position_basis"], executive["cells"]) == (EXECUTIVE, [CELL])
    assert (executive["visits"], executive["counted_visits"], executive["quota"]) == (3, 2, 3)
    assert executive["met"] is False
    standing = by_overseer["uv-2"]
    assert standing["cells"] == [CELL, "ta-hoc"]
    assert [(c["cell_id"], c["counted_visits"], c["required"]) for c in standing["per_cell"]] == [
        (CELL, 2, 2), ("ta-hoc", 1, 2)]
    assert standing["met"] is False

    cell = report(client, f"/reports/cells/{CELL}?period=2024")["rules"]
    assert cell["CR-24"]["result"] == "pass"
    assert cell["CR-24"]["figures"]["overseers"] == ["uv-1", "uv-2"]
    assert cell["CR-25"]["result"] == "fail"
    unit = report(client, f"/reports/units/{COMMUNE}?period=2024")
    assert unit["overseers"] == {"assigned_cells_share": 1.0, "quota_met": 0, "total": 2}


def test_a_withdrawn_visit_no_longer_counts_and_one_made_again_does(world, service, client, app):
    bi_ban_tree(world)
    world.assign("uv-1", CELL, EXECUTIVE, date(2024, 1, 1))
    visits = [world.visit("uv-1", CELL, date(2024, month, 3)) for month in (2, 6, 9)]
    world.publish()
    catch_up(service)
    overseers = f"/reports/overseers?unit_id={COMMUNE}&period=2024"

    def figures(*made):
        """The overseer's visits and verdict, and CR-25's in the cell with the visits it cites."""
        [entry] = report(client, overseers)["overseers"]
        cr25 = report(client, f"/reports/cells/{CELL}?period=2024")["rules"]["CR-25"]
        cited = {v.id for v in made} & set(cr25["evidence"])
        return entry["visits"], entry["met"], cr25["result"], cited

    assert figures(*visits) == (3, True, "pass", {v.id for v in visits})
    world.withdraw(visits[2])  # recorded by mistake: the September visit was another cell's
    world.publish()
    catch_up(service)
    assert figures(*visits) == (2, False, "fail", {visits[0].id, visits[1].id})
    # Its stream stays in the audit trail, for the auditors of the cell's commune too.
    auditor = Client(app, roles=("auditor",), scope=(COMMUNE,))
    trail = auditor.get(f"/audit/streams/{visits[2].stream_id}?source=oversight")
    assert trail.status_code == 200, trail.get_json()
    assert [e["type"] for e in trail.get_json()["events"]] == [
        "oversight.VisitMade", "oversight.VisitWithdrawn"]
    # Withdrawn and made again in one batch: the last event stands.
    world.withdraw(visits[1])
    made = visits[1].data | {"visited_on": date(2024, 6, 3)}
    again = world.oversight.emit(visits[1].stream_id, "VisitMade", **made)
    world.publish()
    catch_up(service)
    assert figures(*visits, again) == (2, False, "fail", {visits[0].id, again.id})


def charged_twice(world, service, first: tuple[str, str], second: tuple[str, str], *,
                  months: tuple[int, ...]) -> None:
    """uv-1 in charge of Bi Ban in 2024 through `first` (unit, basis) until 30 June and
    `second` from 1 July, visiting it on the 3rd of `months`; projected."""
    bi_ban_tree(world)
    (unit, basis), (then_unit, then_basis) = first, second
    world.assign("uv-1", unit, basis, date(2024, 1, 1), to=date(2024, 6, 30))
    world.assign("uv-1", then_unit, then_basis, date(2024, 7, 1))
    for month in months:
        world.visit("uv-1", CELL, date(2024, month, 3))
    world.publish()
    catch_up(service)


def test_an_overseers_quota_in_a_cell_is_the_same_in_every_report(world, service, client):
    # uv-1 has Bi Ban in their charge all of 2024: through the district until 30 June, then
    # through the commune. Two visits, against 3 for a year in charge.
    charged_twice(world, service, (DISTRICT, EXECUTIVE), (COMMUNE, EXECUTIVE), months=(2, 8))
    cell = report(client, f"/reports/cells/{CELL}?period=2024")["rules"]["CR-25"]
    assert ([(o["overseer_id"], o["required"]) for o in cell["figures"]["overseers"]],
            cell["result"]) == ([("uv-1", 3)], "fail")
    for unit in (COMMUNE, DISTRICT):  # the commune's report sees one assignment, not its charge
        (entry,) = report(client, f"/reports/overseers?unit_id={unit}&period=2024")["overseers"]
        assert ([(c["cell_id"], c["counted_visits"], c["required"]) for c in entry["per_cell"]],
                entry["met"]) == ([(CELL, 2, 3)], False)
    # Roll-ups keep the quotas they computed for the next: the district's is the commune's too.
    for unit in (COMMUNE, DISTRICT):
        assert report(client, f"/reports/units/{unit}?period=2024")["overseers"][
            "quota_met"] == 0


def test_a_promoted_overseer_answers_for_the_year_under_their_new_basis(world, service, client):
    charged_twice(world, service, (COMMUNE, STANDING), (COMMUNE, EXECUTIVE), months=(3, 9))
    (entry,) = report(client, f"/reports/overseers?unit_id={COMMUNE}&period=2024")["overseers"]
    assert (entry["position_basis"], entry["quota"], entry["required"], entry["visits"],
            entry["met"]) == (EXECUTIVE, 3, 3, 2, False)
    cell = report(client, f"/reports/cells/{CELL}?period=2024")["rules"]["CR-25"]
    assert [(o["position_basis"], o["required"]) for o in cell["figures"]["overseers"]] == [
        (EXECUTIVE, 3)]


def test_an_overseer_on_track_in_one_cell_and_not_yet_due_in_the_other_has_met(world, service,
                                                                             client):
    """`met` is the row's `state`: a cell whose quota is still pending (the year is not over)
    or has none does not make the overseer fall short (a black-box audit found `met` false
    beside `state` pass, and the unit's `quota_met` one short)."""
    bi_ban_tree(world)
    world.unit("ta-hoc", "cell", COMMUNE)
    world.assign("uv-2", COMMUNE, STANDING, date(2026, 1, 1))
    for month in (1, 2):
        world.visit("uv-2", CELL, date(2026, month, 3))
    world.publish()
    catch_up(service)
    (entry,) = report(client, f"/reports/overseers?unit_id={COMMUNE}&period=2026")["overseers"]
    assert [(c["cell_id"], c["counted_visits"], c["required"], c["state"])
            for c in entry["per_cell"]] == [(CELL, 2, 2, "pass"), ("ta-hoc", 0, 2, "pending")]
    assert (entry["state"], entry["met"]) == ("pass", True)
    unit = report(client, f"/reports/units/{COMMUNE}?period=2026")
    assert (unit["overseers"]["quota_met"], unit["overseers"]["total"]) == (1, 1)


def test_a_provincial_rulebook_sets_the_quotas(world, service, client):
    overseen_year(world)
    world.publish()
    catch_up(service)
    client.post("/rulebooks", {"unit_id": PROVINCE, "effective_from": "2024-01-01",
                               "name": "Quỳnh Nhai (ví dụ)",
                               "parameters": {"overseer_quotas": {EXECUTIVE: 2, STANDING: 1}}})
    service.relay().run_once()
    catch_up(service)
    answer = report(client, f"/reports/overseers?unit_id={COMMUNE}&period=2024")
    assert {o["overseer_id"]: o["met"] for o in answer["overseers"]} == {"uv-1": True,
                                                                         "uv-2": True}


def test_every_overseer_in_charge_must_be_notified_of_the_meeting(world, service, client):
    bi_ban_tree(world)
    world.assign("uv-1", CELL, EXECUTIVE, date(2024, 1, 1))
    world.meeting("told", CELL, date(2024, 3, 3), roll=bi_ban_roll(), notices=["uv-1"])
    world.meeting("untold", CELL, date(2024, 4, 3), roll=bi_ban_roll(), notices=[])
    world.publish()
    catch_up(service)
    assert report(client, f"/reports/cells/{CELL}?period=2024-03")["rules"]["CR-08"][
        "result"] == "pass"
    april = report(client, f"/reports/cells/{CELL}?period=2024-04")["rules"]["CR-08"]
    assert april["result"] == "fail"
    assert april["figures"]["exceptions"][0]["overseers_not_notified_in_time"] == ["uv-1"]


def test_the_remind_and_review_list_follows_each_case(world, service, client):
    bi_ban_tree(world)
    world.unit("ta-hoc", "cell", COMMUNE)
    for cell in (CELL, "ta-hoc"):
        for month in (1, 3):
            world.meeting(f"{cell}-{month}", cell, date(2024, month, 3), roll=bi_ban_roll())
        weak = world.meeting(f"{cell}-2", cell, date(2024, 2, 3), kind="combined", minutes=125,
                             roll=bi_ban_roll(), score=None if cell == CELL else 45.0)
    world.publish()
    catch_up(service)
    items = report(client, f"/reports/reminders?unit_id={COMMUNE}&period=2024-Q1")["items"]
    assert [(i["cell_id"], i["rules"], i["status"]) for i in items] == [
        (CELL, ["CR-18"], "candidate"), ("ta-hoc", ["CR-18"], "candidate")]
    assert "graded weak on 2024-02-03" in items[1]["reason"]
    # No event ids in the list (its summaries keep none): the cell's report gives them.
    assert set(items[1]) == {"cell_id", "name", "rules", "reason", "status", "review_id",
                             "outcome"}
    cr27 = report(client, "/reports/cells/ta-hoc?period=2024-Q1")["rules"]["CR-27"]
    assert weak["assessed"].id in cr27["evidence"]  # what the candidacy rests on

    review = new_id()
    world.oversight.emit(review, "ReviewOpened", review_id=review, cell_id=CELL,
                         period="2024-Q1", rule_ids=["CR-18"], reminded_on=date(2024, 4, 5))
    world.publish()
    catch_up(service)
    items = report(client, f"/reports/reminders?unit_id={COMMUNE}&period=2024-Q1")["items"]
    assert (items[0]["status"], items[0]["review_id"]) == ("reminded", review)
    world.oversight.emit(review, "ExplanationRecorded", review_id=review, cell_id=CELL,
                         text="Chưa kịp chấm điểm", received_on=date(2024, 4, 12))
    world.publish()
    catch_up(service)
    items = report(client, f"/reports/reminders?unit_id={COMMUNE}&period=2024-Q1")["items"]
    assert items[0]["status"] == "explained"
    world.oversight.emit(review, "ReviewClosed", review_id=review, cell_id=CELL,
                         outcome="fixed", closed_on=date(2024, 4, 20))
    world.publish()
    catch_up(service)
    items = report(client, f"/reports/reminders?unit_id={COMMUNE}&period=2024-Q1")["items"]
    assert items[0]["status"] == "fixed"
    assert "review case open" not in items[0]["reason"]


def test_a_cell_moved_mid_year_is_in_the_charge_of_its_old_overseer_until_the_move(
        world, service, client):
    """Bi Ban leaves the grassroots committee of a farm (uv-3 in charge of it since 2024) for
    the commune's direct charge on 15 May 2025, where uv-2 takes it over. It was covered on
    every day; uv-3 (standing, 2 a year) had it 134 days of 2025: ceil(2 x 134 / 365) = 1 visit
    due, 2 made; uv-2 (executive, 3 a year) the 231 days after: ceil(3 x 231 / 365) = 2 due,
    1 made. A black-box audit found the year's report calling 1 January to 14 May uncovered
    and leaving uv-3 and his visits out, while the Q1 report, read on its own, said covered."""
    bi_ban_tree(world)
    farm = "nong-truong"
    world.unit(farm, "grassroots_committee", COMMUNE)
    world.move(CELL, farm, date(2024, 1, 1))
    world.unit("ta-hoc", "cell", farm)
    world.assign("uv-3", farm, STANDING, date(2024, 1, 1))
    world.move(CELL, COMMUNE, date(2025, 5, 15))
    world.assign("uv-2", CELL, EXECUTIVE, date(2025, 5, 15))
    for month in (1, 3):
        world.visit("uv-3", CELL, date(2025, month, 3))
    world.visit("uv-3", "ta-hoc", date(2025, 6, 3))
    world.visit("uv-2", CELL, date(2025, 6, 3))
    for month in (3, 6):
        world.meeting(f"bb-{month}", CELL, date(2025, month, 3), roll=bi_ban_roll(), notices=[])
    world.publish()
    catch_up(service)

    def coverage(period: str) -> tuple[str, int, int, list[str]]:
        cr24 = report(client, f"/reports/cells/{CELL}?period={period}")["rules"]["CR-24"]
        figures = cr24["figures"]
        return (cr24["result"], figures["covered_days"], figures["uncovered_days"],
                figures["overseers"])

    assert coverage("2025-Q1") == ("pass", 90, 0, ["uv-3"])
    assert coverage("2025-Q2") == ("pass", 91, 0, ["uv-2", "uv-3"])
    assert coverage("2025") == ("pass", 365, 0, ["uv-2", "uv-3"])
    cr25 = report(client, f"/reports/cells/{CELL}?period=2025")["rules"]["CR-25"]
    assert [(o["overseer_id"], o["position_basis"], o["required"], o["counted_visits"],
             o["state"]) for o in cr25["figures"]["overseers"]] == [
        ("uv-2", EXECUTIVE, 2, 1, "fail"), ("uv-3", STANDING, 1, 2, "pass")]
    # The overseers report of the commune names both, and the farm's names uv-3 with both
    # cells (Tà Học all year: 2 due, 1 made), as the cells' own reports do.
    by_overseer = {o["overseer_id"]: o for o in report(
        client, f"/reports/overseers?unit_id={COMMUNE}&period=2025")["overseers"]}
    assert [(c["cell_id"], c["required"], c["counted_visits"])
            for c in by_overseer["uv-3"]["per_cell"]] == [(CELL, 1, 2), ("ta-hoc", 2, 1)]
    assert [(c["cell_id"], c["required"], c["counted_visits"])
            for c in by_overseer["uv-2"]["per_cell"]] == [(CELL, 2, 1)]
    (farm_entry,) = report(client, f"/reports/overseers?unit_id={farm}&period=2025")["overseers"]
    assert (farm_entry["overseer_id"], farm_entry["cells"]) == ("uv-3", [CELL, "ta-hoc"])
    unit = report(client, f"/reports/units/{COMMUNE}?period=2025")
    assert unit["overseers"]["assigned_cells_share"] == 1.0
    # CR-08: each meeting's notice was due to whoever had the cell in charge on its day.
    cr08 = report(client, f"/reports/cells/{CELL}?period=2025")["rules"]["CR-08"]
    assert [(e["overseers_in_charge"], e["overseers_not_notified_in_time"])
            for e in cr08["figures"]["exceptions"]] == [(["uv-3"], ["uv-3"]),
                                                        (["uv-2"], ["uv-2"])]


def test_a_cell_dissolved_in_the_year_keeps_its_quota_in_the_overseers_report(
        world, service, client):
    """Tà Học is dissolved on 1 July 2024 (182 days of 366 in existence): uv-2's standing quota
    there is ceil(2 x 182 / 366) = 1 visit, as in the cell's own report; the commune's
    overseers report used to drop the cell (not active at the year's end)."""
    bi_ban_tree(world)
    world.unit("ta-hoc", "cell", COMMUNE)
    world.assign("uv-2", COMMUNE, STANDING, date(2024, 1, 1))
    world.members.emit("ta-hoc", "OrgUnitDissolved", unit_id="ta-hoc", reason="sáp nhập",
                       effective_from=date(2024, 7, 1))
    world.visit("uv-2", "ta-hoc", date(2024, 3, 3))
    world.publish()
    catch_up(service)
    own = report(client, "/reports/cells/ta-hoc?period=2024")["rules"]["CR-25"]
    assert [(o["required"], o["counted_visits"], o["state"])
            for o in own["figures"]["overseers"]] == [(1, 1, "pass")]
    (entry,) = report(client, f"/reports/overseers?unit_id={COMMUNE}&period=2024")["overseers"]
    assert [(c["cell_id"], c["required"], c["counted_visits"]) for c in entry["per_cell"]] == [
        (CELL, 2, 0), ("ta-hoc", 1, 1)]
