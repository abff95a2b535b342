"""CR-24 and CR-25: an overseer in charge of every cell, and their visit quotas."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from chibo_reporting.rules.oversight import cr24_overseer_assigned, cr25_visit_quota

from .builders import assignment, cell_period, rulebook, visit


def test_a_cell_in_someones_charge_all_year_passes_cr24_and_a_gap_fails_it():
    whole_year = (assignment("uv-1", start=date(2023, 6, 1)),)
    assert cr24_overseer_assigned(cell_period("2024", assignments=whole_year)).result == "pass"
    gap = (assignment("uv-1", start=date(2024, 1, 1), last_day=date(2024, 3, 31)),
           assignment("uv-2", start=date(2024, 5, 1)))
    result = cr24_overseer_assigned(cell_period("2024", assignments=gap))
    assert result.result == "fail"
    assert result.figures["uncovered_days"] == 30  # April 2024
    assert result.figures["overseers"] == ["uv-1", "uv-2"]


def test_an_executive_member_needs_three_counted_visits_a_year():
    charge = (assignment("uv-1"),)
    three = tuple(visit("uv-1", date(2024, m, 3)) for m in (2, 6, 10))
    result = cr25_visit_quota(cell_period("2024", assignments=charge, visits=three))
    assert result.result == "pass"
    assert result.figures["overseers"][0] | {} == {
        "overseer_id": "uv-1", "cell_id": "cell-bi-ban",
        "position_basis": "executive_committee_member", "quota": 3, "required": 3,
        "visits": 3, "counted_visits": 3, "state": "pass"}
    two_counted = (*three[:2], visit("uv-1", date(2024, 11, 3), counts=False))
    result = cr25_visit_quota(cell_period("2024", assignments=charge, visits=two_counted))
    assert result.result == "fail"
    assert (result.figures["overseers"][0]["visits"],
            result.figures["overseers"][0]["counted_visits"]) == (3, 2)


def test_a_standing_member_needs_two_and_the_province_sets_the_numbers():
    charge = (assignment("uv-2", basis="standing_committee_member"),)
    two = tuple(visit("uv-2", date(2024, m, 3)) for m in (3, 9))
    assert cr25_visit_quota(cell_period("2024", assignments=charge, visits=two)).result == "pass"
    kon_tum = rulebook(overseer_quotas={"standing_committee_member": 6})
    result = cr25_visit_quota(cell_period("2024", assignments=charge, visits=two,
                                          books=[kon_tum]))
    assert (result.result, result.figures["overseers"][0]["required"]) == ("fail", 6)


def test_a_quota_is_pro_rata_to_the_period_and_the_days_in_charge():
    charge = (assignment("uv-1"),)
    one = (visit("uv-1", date(2024, 2, 3)),)
    quarter = cr25_visit_quota(cell_period("2024-Q1", assignments=charge, visits=one))
    assert (quarter.result, quarter.figures["overseers"][0]["required"]) == ("pass", 1)
    from_july = (assignment("uv-1", start=date(2024, 7, 1)),)
    half = cr25_visit_quota(cell_period("2024", assignments=from_july, visits=one))
    # 184 of 366 days in charge: ceil(3 x 184 / 366) = 2 visits, and the February one is
    # before the assignment but still a visit of that overseer to the cell in the year.
    assert half.figures["overseers"][0]["required"] == 2
    assert half.result == "fail"


def test_a_quota_can_depend_on_the_level_of_the_overseers_committee():
    kon_tum = rulebook(overseer_quotas={"provincial_committee/standing_committee_member": 2,
                                        "standing_committee_member": 6})
    two = tuple(visit("uv-1", date(2024, m, 3)) for m in (3, 9))
    provincial = replace(assignment("uv-1", basis="standing_committee_member"),
                         position_level="provincial_committee")
    district = replace(provincial, position_level="district_committee")
    met = cr25_visit_quota(cell_period("2024", assignments=(provincial,), visits=two,
                                       books=[kon_tum]))
    assert (met.result, met.figures["overseers"][0]["quota"]) == ("pass", 2)
    short = cr25_visit_quota(cell_period("2024", assignments=(district,), visits=two,
                                         books=[kon_tum]))
    assert (short.result, short.figures["overseers"][0]["quota"]) == ("fail", 6)


def test_cr25_does_not_apply_without_an_overseer_in_charge():
    assert cr25_visit_quota(cell_period("2024")).result == "not_applicable"
