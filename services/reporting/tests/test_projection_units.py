"""Roll-ups by unit with an effective-dated tree, and rulebooks under `at_time` vs `current`."""

from __future__ import annotations

from datetime import date

from .scenarios import CELL, COMMUNE, DISTRICT, PROVINCE, bi_ban_roll, bi_ban_tree
from .support import Roll, catch_up
from .test_projection_cells import report

NEW_COMMUNE = "xa-muong-giang-moi"


def a_year_of_meetings(world, cell: str, year: int, *, minutes: int = 95, months=range(1, 13),
                       roll: Roll | None = None) -> None:
    for month in months:
        world.meeting(f"{cell}-{year}-{month:02d}", cell, date(year, month, 3), minutes=minutes,
                      roll=roll)


def test_a_cell_moved_to_a_new_commune_mid_year_rolls_up_under_the_tree_of_the_day(
        world, service, client):
    bi_ban_tree(world)
    world.unit("ta-hoc", "cell", COMMUNE, name="Chi bộ bản Tà Học")
    world.unit(NEW_COMMUNE, "commune_committee", PROVINCE, on=date(2025, 7, 1),
               name="Đảng ủy xã Mường Giàng (mới)")
    world.move(CELL, NEW_COMMUNE, date(2025, 7, 1))
    a_year_of_meetings(world, CELL, 2025, roll=bi_ban_roll())
    a_year_of_meetings(world, "ta-hoc", 2025, months=range(1, 12),
                       roll=Roll(required=["th-1", "th-2", "th-3", "th-4"],
                                 statuses={"th-4": "absent_excused"}))
    world.publish()
    catch_up(service)

    # By default the tree of the period's end: Bi Ban is under the new commune, with its
    # whole year (12 regular meetings) — and no longer under the old one.
    new = report(client, f"/reports/units/{NEW_COMMUNE}?period=2025")
    assert (new["cells"], new["tree_as_of"]) == (1, "2025-12-31")
    assert new["rules"]["CR-01"] == {"compliant": 1, "total": 1, "share": 1.0}
    assert new["attendance"]["average_rate"] == 1.0
    old = report(client, f"/reports/units/{COMMUNE}?period=2025")
    assert old["cells"] == 1
    assert old["rules"]["CR-01"] == {"compliant": 0, "total": 1, "share": 0.0}  # Tà Học: no Dec
    # As the tree stood in June 2025, both cells were in the old commune under the district.
    june = report(client, f"/reports/units/{COMMUNE}?period=2025&tree_as_of=2025-06-30")
    assert june["cells"] == 2
    assert june["rules"]["CR-01"] == {"compliant": 1, "total": 2, "share": 0.5}
    assert june["attendance"]["present"] == 12 * 11 + 11 * 3
    assert june["attendance"]["required"] == 12 * 11 + 11 * 4
    province_2024_style = report(client, f"/reports/units/{PROVINCE}?period=2025"
                                         "&tree_as_of=2025-06-30")
    assert [(c["unit_id"], c["cells"]) for c in province_2024_style["children"]] == [
        (DISTRICT, 2)]
    province_now = report(client, f"/reports/units/{PROVINCE}?period=2025")
    assert sorted((c["unit_id"], c["cells"]) for c in province_now["children"]) == [
        (DISTRICT, 1), (NEW_COMMUNE, 1)]
    assert province_now["cells"] == 2


def test_a_rulebook_changed_mid_year_under_at_time_and_under_current(world, service, client):
    bi_ban_tree(world)
    a_year_of_meetings(world, CELL, 2024, minutes=100)
    world.publish()
    catch_up(service)  # a rulebook's unit must be known to reporting
    first = client.post("/rulebooks", {"unit_id": PROVINCE, "effective_from": "2020-01-01",
                                       "name": "Quy định Sơn La", "parameters": {}})
    assert first.status_code == 201, first.get_json()
    stricter = client.post("/rulebooks", {"unit_id": PROVINCE, "effective_from": "2024-07-01",
                                          "parameters": {"regular_min_minutes": 120}})
    assert stricter.status_code == 201
    assert stricter.get_json()["version"] == 2
    assert stricter.headers["Chibo-Position"] == "reporting:2"
    service.relay().run_once()
    catch_up(service)
    listed = client.get("/rulebooks").get_json()["items"]
    assert [(r["id"], r["unit_id"], r["version"]) for r in listed] == [
        ("national-default", None, 0), (first.get_json()["id"], PROVINCE, 1),
        (stricter.get_json()["id"], PROVINCE, 2)]
    assert listed[2]["parameters"]["regular_min_minutes"] == 120

    at_time = report(client, f"/reports/cells/{CELL}?period=2024")
    length = at_time["rules"]["CR-06"]
    assert (length["result"], length["figures"]["passed"], length["figures"]["failed"]) == (
        "fail", 6, 6)  # 100 minutes was enough until 30 June, not from 1 July
    assert at_time["rulebook"]["version"] == 2
    assert {r["version"] for r in at_time["rulebooks_used"]} == {1, 2}
    first_half = report(client, f"/reports/cells/{CELL}?period=2024-Q2")
    assert first_half["rules"]["CR-06"]["result"] == "pass"
    assert first_half["rulebook"]["version"] == 1
    current = report(client, f"/reports/cells/{CELL}?period=2024-Q2&rules=current")
    assert current["rules"]["CR-06"]["figures"]["failed"] == 3
    assert current["rulebook"]["version"] == 2
    assert current["rules_mode"] == "current"
    unit = report(client, f"/reports/units/{PROVINCE}?period=2024-Q2&rules=current")
    assert unit["rules"]["CR-06"] == {"compliant": 0, "total": 1, "share": 0.0}


def test_a_commune_rulebook_overrides_the_provinces_for_its_cells(world, service, client):
    bi_ban_tree(world)
    world.meeting("bb-24", CELL, date(2024, 6, 24))
    world.publish()
    catch_up(service)
    client.post("/rulebooks", {"unit_id": PROVINCE, "effective_from": "2020-01-01",
                               "parameters": {"prescribed_day": 5}})
    client.post("/rulebooks", {"unit_id": COMMUNE, "effective_from": "2020-01-01",
                               "parameters": {"prescribed_day_exceptions": {CELL: 24}}})
    service.relay().run_once()
    catch_up(service)
    answer = report(client, f"/reports/cells/{CELL}?period=2024-06")
    assert answer["rules"]["CR-02"]["result"] == "pass"
    assert answer["rulebook"]["unit_id"] == COMMUNE
