"""Rulebook parameters: validation, merging over the defaults, which rulebook applies."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from chibo_reporting.periods import Period, PeriodError
from chibo_reporting.queries.evaluation import AT_TIME, Context
from chibo_reporting.rulebooks import (
    DEFAULTS,
    NATIONAL_DEFAULT,
    ParameterError,
    Rulebook,
    RulebookIndex,
    parameters,
    validate,
)

from .scenarios import moved_and_merged_tree


def test_the_national_default_holds_the_numbers_of_domain_section_7():
    assert NATIONAL_DEFAULT.rulebook_id == "national-default"
    assert NATIONAL_DEFAULT.version == 0
    assert (DEFAULTS.prescribed_day, DEFAULTS.regular_min_minutes,
            DEFAULTS.combined_min_minutes) == (3, 90, 120)
    assert (DEFAULTS.attendance_threshold, DEFAULTS.attendance_kpi) == (0.9, 0.8)
    assert DEFAULTS.overseer_quotas == {"executive_committee_member": 3,
                                        "standing_committee_member": 2}
    assert DEFAULTS.follow_through_bands == (0.9, 0.8, 0.7, 0.6, 0.5)


def test_published_values_are_merged_over_the_defaults():
    merged = validate({"prescribed_day": 24, "overseer_quotas": {"standing_committee_member": 4}})
    assert merged["prescribed_day"] == 24
    assert merged["regular_min_minutes"] == 90
    assert parameters(merged).overseer_quotas == {"standing_committee_member": 4}


@pytest.mark.parametrize(("published", "field"), [
    ({"prescribed_day": 32}, "prescribed_day"),
    ({"prescribed_day": "3"}, "prescribed_day"),
    ({"prescribed_day": True}, "prescribed_day"),
    ({"attendance_threshold": 1.5}, "attendance_threshold"),
    ({"quorum": 3}, "quorum"),
    ({"grade_bands": {"good": 60, "fair": 70, "average": 50}}, "grade_bands"),
    ({"follow_through_bands": [0.5, 0.9]}, "follow_through_bands"),
    ({"prescribed_day_exceptions": {"cell-1": 0}}, "prescribed_day_exceptions"),
    ({"review_rules": ["CR-99"]}, "review_rules"),
    ({"strike_off_warning_months": 4}, "strike_off_warning_months"),
])
def test_unknown_mistyped_or_out_of_range_parameters_are_refused_by_name(published, field):
    with pytest.raises(ParameterError) as caught:
        validate(published)
    assert list(caught.value.errors) == [field]


def _book(unit: str, version: int, start: date, day: int) -> Rulebook:
    return Rulebook(f"{unit}-{version}", unit, version, start, None,
                    parameters(validate({"prescribed_day": day})))


def test_the_nearest_unit_above_a_cell_with_a_rulebook_in_force_wins():
    index = RulebookIndex([_book("province", 1, date(2020, 1, 1), 5),
                           _book("commune", 1, date(2025, 7, 1), 24)])
    ancestry = {"cell": ["cell", "commune", "province"]}

    def chain(unit: str, _day: date) -> list[str]:
        return ancestry[unit]

    assert index.for_unit(chain, "cell", date(2025, 6, 30)).rulebook_id == "province-1"
    assert index.for_unit(chain, "cell", date(2025, 7, 1)).rulebook_id == "commune-1"
    assert index.for_unit(chain, "cell", date(2019, 1, 1)) is NATIONAL_DEFAULT


def test_of_a_units_versions_the_latest_effective_date_is_in_force():
    index = RulebookIndex([_book("p", 1, date(2024, 1, 1), 5), _book("p", 2, date(2024, 7, 1), 6),
                           _book("p", 3, date(2024, 3, 1), 7)])
    assert index.own("p", date(2024, 5, 1)).version == 3
    assert index.own("p", date(2024, 8, 1)).version == 2


def test_a_report_finds_the_rulebook_of_each_day_as_the_index_does_once_per_stretch():
    """A report looks a unit's rulebook up once per stretch between the tree's and the
    rulebooks' change days; each kind of change day falls on a day of its own here (a span
    starts 1 Jul, a parent merged away 15 Sep, rulebooks 10 May and 3 Feb), so leaving one
    out gives some day the answer of the day before."""
    tree = moved_and_merged_tree()
    index = RulebookIndex([_book("p", 1, date(2025, 2, 3), 5), _book("p", 2, date(2025, 5, 10), 6),
                           _book("d2", 1, date(2024, 1, 1), 7)])
    context = Context(Period.parse("2025"), date(2026, 1, 1), AT_TIME, tree, index)
    days = [date(2024, 12, 1) + timedelta(days=n) for n in range(400)]
    expected = {(u, day): index.for_unit(tree.ancestry, u, day) for u in tree.units for day in days}
    assert {(u, day): context.rulebook_for(u, day) for u in tree.units for day in days} == expected
    assert expected["x", date(2025, 9, 14)].rulebook_id == "p-2"
    assert expected["x", date(2025, 9, 15)].rulebook_id == "d2-1"
    assert expected["y", date(2025, 6, 30)].rulebook_id == "p-2"
    assert expected["y", date(2025, 7, 1)].rulebook_id == "d2-1"


@pytest.mark.parametrize("text", ["2024-13", "2024-Q5", "24", "2024-1", "", "2024-Q0", "1900",
                                  "2024\n", "٢٠٢٤"])
def test_a_period_must_be_a_year_a_quarter_or_a_month(text):
    with pytest.raises(PeriodError):
        Period.parse(text)


def test_periods_know_their_days_months_and_quarters():
    quarter = Period.parse("2024-Q1")
    assert (quarter.start, quarter.end, quarter.kind) == (date(2024, 1, 1), date(2024, 3, 31),
                                                          "quarter")
    assert [m.label for m in quarter.months()] == ["2024-01", "2024-02", "2024-03"]
    assert [q.label for q in Period.parse("2024-12").quarters_ending_within()] == ["2024-Q4"]
    assert Period.parse("2024-11").quarters_ending_within() == ()
    assert Period.parse("2024-02").end == date(2024, 2, 29)
