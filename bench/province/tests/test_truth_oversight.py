"""Hand-checked cases of the oversight rules (CR-24, CR-25) and the roll-ups (CR-28)."""

from __future__ import annotations

from datetime import date

from bench.province.plan import Unit, UnitChange
from bench.province.tests.handmade import CELL, OTHER, Assignment, Handmade, Visit


def test_a_cell_without_an_overseer_on_some_day_fails_cr24_for_those_days():
    made = Handmade()
    made.assignments.append(Assignment("as1", "o", "C", "standing_committee_member",
                                       date(2024, 3, 11)))
    truth = made.truth()
    assert truth.cell(CELL, "2024-03")["CR-24"].figures == {
        "overseers": ["o"], "days": 31, "covered_days": 21, "uncovered_days": 10}
    assert truth.cell(CELL, "2024-03")["CR-24"].result == "fail"
    assert truth.cell(CELL, "2024-04")["CR-24"].result == "pass"


def test_the_visit_quota_is_pro_rata_to_the_days_in_charge():
    made = Handmade()
    made.assignments.append(Assignment("as1", "o", CELL, "executive_committee_member",
                                       date(2023, 1, 1), ended_on=date(2024, 6, 30)))
    made.meeting(date(2024, 2, 3))
    made.visits.append(Visit("v1", "o", CELL, "m001", date(2024, 2, 3), True))
    made.visits.append(Visit("v2", "o", CELL, None, date(2024, 7, 5), False))
    truth = made.truth()
    (quota,) = truth.cell(CELL, "2024")["CR-25"].figures["overseers"]
    # In charge 182 of 366 days: ceil(3 * 182 / 366) = 2 visits; one counts (July: not in charge).
    assert (quota["required"], quota["visits"], quota["counted_visits"]) == (2, 2, 1)
    assert quota["state"] == "fail"
    (january,) = truth.cell(CELL, "2024-01")["CR-25"].figures["overseers"]
    assert (january["required"], january["state"]) == (1, "fail")
    (february,) = truth.cell(CELL, "2024-02")["CR-25"].figures["overseers"]
    assert (february["required"], february["state"]) == (1, "pass")


def test_the_unit_roll_up_counts_the_cells_judged_and_the_compliant_ones():
    made = Handmade()
    made.every_month(2024)
    made.every_month(2024, cell=OTHER)
    made.meetings.pop()  # no December meeting in K2
    truth = made.truth()
    rolled = truth.unit("P", "2024")
    assert rolled["cells"] == 2
    assert rolled["rules"]["CR-01"] == {"compliant": 1, "total": 2, "share": 0.5}
    assert rolled["rules"]["CR-05"] == {"compliant": 0, "total": 0, "share": None}
    assert rolled["attendance"]["average_rate"] == 1.0
    assert rolled["grades"]["good"] == 23
    assert list(rolled["children"]) == ["C"]


def test_overseers_are_reported_per_basis_with_every_cell_in_their_charge():
    made = Handmade()
    made.assignments.append(Assignment("as1", "o", "C", "standing_committee_member",
                                       date(2023, 1, 1)))
    made.meeting(date(2024, 2, 3))
    made.meeting(date(2024, 2, 4), cell=OTHER)
    made.visits.append(Visit("v1", "o", CELL, "m001", date(2024, 2, 3), True))
    made.visits.append(Visit("v2", "o", CELL, None, date(2024, 9, 3), False))
    truth = made.truth()
    (entry,) = truth.overseers("P", "2024").values()
    assert entry["cells"] == [CELL, OTHER]
    assert (entry["visits"], entry["counted_visits"], entry["required"]) == (2, 2, 4)
    assert entry["met"] is False


def test_a_quota_counts_the_days_in_charge_through_assignments_above_the_unit_asked_about():
    made = Handmade()
    made.assignments.append(Assignment("as1", "o", "P", "executive_committee_member",
                                       date(2024, 1, 1), ended_on=date(2024, 6, 30)))
    made.assignments.append(Assignment("as2", "o", "C", "executive_committee_member",
                                       date(2024, 7, 1)))
    made.meeting(date(2024, 2, 3))
    for month in (2, 8):
        made.visits.append(Visit(f"v{month}", "o", CELL, None, date(2024, month, 3), True))
    truth = made.truth()
    # In charge of both cells all year (366 days): 3 visits each for an executive member; the
    # commune sees one of the two assignments (2 + 2 for its half year) and the same quotas.
    for unit in ("P", "C"):
        entry = truth.overseers(unit, "2024")["o/executive_committee_member"]
        assert (entry["cells"], entry["counted_visits"], entry["required"]) == (
            [CELL, OTHER], 2, 6)


def test_a_cell_moved_mid_year_answers_to_the_overseers_of_each_place_in_turn():
    made = Handmade()
    made.more_units.append(Unit("C2", "C2", "Đảng ủy xã mới", "commune_committee", "P",
                                date(2024, 1, 1)))
    made.unit_changes.append(UnitChange(date(2024, 5, 15), CELL, "move", parent_id="C2"))
    made.assignments.append(Assignment("as1", "o", "C", "standing_committee_member",
                                       date(2023, 1, 1)))
    made.assignments.append(Assignment("as2", "o2", "C2", "executive_committee_member",
                                       date(2024, 5, 15)))
    for month in (2, 3):
        made.visits.append(Visit(f"v{month}", "o", CELL, None, date(2024, month, 3), True))
    truth = made.truth()
    # K was under C for 135 days of 2024 (to 14 May), under C2 for the 231 after.
    assert truth.cell(CELL, "2024")["CR-24"].figures == {
        "overseers": ["o", "o2"], "days": 366, "covered_days": 366, "uncovered_days": 0}
    assert truth.cell(CELL, "2024-Q2")["CR-24"].figures["overseers"] == ["o", "o2"]
    # o: ceil(2 x 135 / 366) = 1 due, 2 made; o2: ceil(3 x 231 / 366) = 2 due, none made.
    assert [(q["overseer_id"], q["required"], q["counted_visits"], q["state"])
            for q in truth.cell(CELL, "2024")["CR-25"].figures["overseers"]] == [
        ("o", 1, 2, "pass"), ("o2", 2, 0, "fail")]
    (old,) = truth.overseers("C", "2024").values()
    assert (old["overseer_id"], old["cells"], old["required"]) == ("o", [CELL, OTHER], 1 + 2)
    (new,) = truth.overseers("C2", "2024").values()
    assert (new["overseer_id"], new["cells"], new["required"]) == ("o2", [CELL], 2)
