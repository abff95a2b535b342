"""The aggregates on their own: invariants, and the events they trigger (no I/O)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from chibo_oversight.domain import (
    Appearance,
    Assignment,
    AssignmentFacts,
    Basis,
    Charge,
    ConflictError,
    Holding,
    InvalidError,
    MeetingInfo,
    MemberInfo,
    Report,
    Review,
    UnitInfo,
    Visit,
    VisitFacts,
    charge_for,
    period_start,
    visit_id_for,
)
from chibo_oversight.domain.events import (
    AssignmentEnded,
    OverseerAssigned,
    ReviewClosed,
    VisitMade,
)

D = date(2025, 1, 1)
CELL = UnitInfo("cell", "CELL", "cell", date(2020, 1, 1))
OVERSEER = MemberInfo("o", "Lò Văn O")
HOLDING = Holding("pos", "o", "commune", "executive_committee_member", date(2020, 1, 1))
BASIS = Basis("o", "cell", "executive_committee_member", D)


def facts(**changes) -> AssignmentFacts:
    base = {"overseer": OVERSEER, "unit": CELL, "ancestors": ("grassroots", "commune"),
            "holdings": (HOLDING,), "others": ()}
    return AssignmentFacts(**(base | changes))


def assigned(basis: Basis = BASIS, **changes) -> Assignment:
    assignment = Assignment("a-1")
    assignment.assign(basis, facts(**changes))
    return assignment


def test_the_assignment_names_the_committee_where_the_basis_position_is_held():
    [event] = assigned().collect()
    assert event == OverseerAssigned("a-1", "o", "cell", "executive_committee_member", "commune",
                                     "pos", D, None)


def test_the_nearest_committee_above_is_the_basis_when_several_fit():
    province = Holding("pos-p", "o", "province", "executive_committee_member", date(2020, 1, 1))
    nearer = assigned(holdings=(province, HOLDING),
                      ancestors=("grassroots", "commune", "province"))
    assert nearer.assigned is not None and nearer.assigned.position_unit_id == "commune"
    named = assigned(Basis("o", "cell", "executive_committee_member", D,
                           position_unit_id="province"),
                     holdings=(province, HOLDING), ancestors=("commune", "province"))
    assert named.assigned is not None and named.assigned.position_unit_id == "province"


@pytest.mark.parametrize(("changes", "field"), [
    ({"overseer": None}, "overseer_id"),
    ({"unit": None}, "unit_id"),
    ({"unit": UnitInfo("c", "C", "commune_committee", date(2020, 1, 1))}, "unit_id"),
    ({"unit": UnitInfo("cell", "CELL", "cell", date(2025, 6, 1))}, "from"),
    ({"unit": UnitInfo("cell", "CELL", "cell", date(2020, 1, 1), date(2024, 7, 1))}, "from"),
    ({"ancestors": ("grassroots",)}, "position_basis"),
    ({"holdings": (Holding("pos", "o", "commune", "executive_committee_member",
                           date(2020, 1, 1), date(2024, 12, 31)),)}, "position_basis"),
    ({"holdings": (Holding("pos", "o", "commune", "secretary", date(2020, 1, 1)),)},
     "position_basis"),
])
def test_an_assignment_without_its_basis_is_invalid(changes, field):
    with pytest.raises(InvalidError) as raised:
        assigned(**changes)
    assert field in raised.value.errors


def test_days_out_of_order_are_invalid():
    with pytest.raises(InvalidError) as raised:
        assigned(Basis("o", "cell", "executive_committee_member", D, date(2024, 12, 31)))
    assert "to" in raised.value.errors


def test_overlapping_assignments_to_the_same_unit_conflict_and_others_do_not():
    def other(unit: str, start: date, last: date | None) -> Charge:
        return Charge("a-0", "o", unit, "executive_committee_member", start, last)

    with pytest.raises(ConflictError):
        assigned(others=(other("cell", date(2024, 1, 1), None),))
    with pytest.raises(ConflictError):
        assigned(others=(other("cell", date(2025, 12, 1), date(2026, 1, 1)),))
    assigned(others=(other("cell", date(2024, 1, 1), date(2024, 12, 31)),))
    assigned(others=(other("grassroots", date(2024, 1, 1), None),))


def test_an_assignment_ends_once_within_its_days():
    assignment = assigned(Basis("o", "cell", "executive_committee_member", D, date(2025, 12, 31)))
    with pytest.raises(InvalidError):
        assignment.end(date(2024, 12, 31))
    with pytest.raises(InvalidError):
        assignment.end(date(2026, 1, 1))
    assignment.end(date(2025, 6, 30))
    assert assignment.collect()[-1] == AssignmentEnded("a-1", "o", "cell", date(2025, 6, 30))
    assert assignment.charge().last_day == date(2025, 6, 30)
    with pytest.raises(ConflictError):
        assignment.end(date(2025, 6, 30))


def test_the_charge_a_visit_counts_for_is_the_nearest_one_in_force():
    cell = Charge("a-cell", "o", "cell", "standing_committee_member", D, date(2025, 6, 30))
    grassroots = Charge("a-gr", "o", "grassroots", "executive_committee_member", D)
    lineage = ["cell", "grassroots", "commune"]
    assert charge_for([grassroots, cell], lineage, date(2025, 3, 3)) == cell
    assert charge_for([grassroots, cell], lineage, date(2025, 7, 1)) == grassroots
    assert charge_for([grassroots, cell], ["cell-2", "commune"], date(2025, 3, 3)) is None
    assert charge_for([cell], lineage, date(2024, 12, 31)) is None


MEETING = MeetingInfo("m", "cell", date(2025, 3, 3), date(2025, 3, 3))
REPORT = Report("o", "cell", date(2025, 3, 3), "m", "Tốt", ("thiếu biên bản",), ())


def test_a_visit_by_hand_counts_only_with_a_charge():
    charge = Charge("a-1", "o", "cell", "executive_committee_member", D)
    counted, kept = Visit("v-1"), Visit("v-2")
    counted.record(REPORT, VisitFacts(OVERSEER, CELL, MEETING, charge=charge))
    kept.record(REPORT, VisitFacts(OVERSEER, CELL, MEETING))
    [made] = counted.collect()
    assert made.counts_toward_quota and made.assignment_id == "a-1" and not made.derived
    [other] = kept.collect()
    assert not other.counts_toward_quota and other.assignment_id is None
    assert other.issues == ("thiếu biên bản",)


@pytest.mark.parametrize(("facts", "field"), [
    (VisitFacts(None, CELL, MEETING), "overseer_id"),
    (VisitFacts(OVERSEER, None, MEETING), "cell_id"),
    (VisitFacts(OVERSEER, CELL, None), "meeting_id"),
    (VisitFacts(OVERSEER, CELL, MeetingInfo("m", "cell-2", date(2025, 3, 3))), "meeting_id"),
    (VisitFacts(OVERSEER, CELL, MeetingInfo("m", "cell", date(2025, 3, 4))), "visited_on"),
    (VisitFacts(OVERSEER, CELL, MeetingInfo("m", "cell", D, cancelled=True)), "meeting_id"),
])
def test_a_visit_must_fit_what_is_known(facts, field):
    with pytest.raises(InvalidError) as raised:
        Visit("v").record(REPORT, facts)
    assert field in raised.value.errors


def test_a_second_visit_to_a_meeting_conflicts():
    with pytest.raises(ConflictError):
        Visit("v").record(REPORT, VisitFacts(OVERSEER, CELL, MEETING, earlier_visit_id="v-0"))


def test_a_derived_visit_names_its_charge_and_the_guest_role():
    charge = Charge("a-1", "o", "grassroots", "standing_committee_member", D)
    visit = Visit(visit_id_for("o", "m"))
    visit.derive(Appearance("m", "cell", date(2025, 3, 3), "o", "overseer"), charge)
    assert visit.collect() == [VisitMade(
        visit_id_for("o", "m"), "o", "cell", "m", date(2025, 3, 3), None, (), (), True, True,
        "a-1", "standing_committee_member", "overseer")]
    assert visit_id_for("o", "m") == visit_id_for("o", "m") != visit_id_for("o", "m2")


def test_periods_start_on_their_first_day():
    assert period_start("2025") == date(2025, 1, 1)
    assert period_start("2025-Q3") == date(2025, 7, 1)
    assert period_start("2025-11") == date(2025, 11, 1)
    for bad in ("2025-Q5", "2025-13", "25", "2025-1"):
        with pytest.raises(ValueError):
            period_start(bad)


def test_a_review_goes_from_reminded_to_explained_to_fixed():
    review = Review("r")
    review.open(CELL, "cell", "2025-Q1", ("CR-01",), date(2025, 4, 2))
    assert review.status == "reminded"
    review.explain("Bí thư ốm", date(2025, 4, 5))
    assert review.status == "explained"
    with pytest.raises(InvalidError):
        review.close("fixed", date(2025, 4, 4))
    review.close("fixed", date(2025, 4, 30))
    assert review.status == "fixed"
    assert review.collect()[-1] == ReviewClosed("r", "cell", "fixed", date(2025, 4, 30))
    with pytest.raises(ConflictError):
        review.explain("Muộn", date(2025, 5, 1))


def test_a_second_open_case_for_the_same_cell_and_period_conflicts():
    with pytest.raises(ConflictError):
        Review("r").open(CELL, "cell", "2025-Q1", ("CR-01",), date(2025, 4, 2), open_case="r0")
    with pytest.raises(InvalidError):
        Review("r").open(CELL, "cell", "2025-Q1", (), date(2025, 4, 2))


def test_a_period_with_a_final_newline_is_no_period():
    for bad in ("1991\n", "2025-Q1\n", "2025-03\n", "\u0662\u0660\u0662\u0665"):
        with pytest.raises(ValueError):
            period_start(bad)


def test_a_closed_review_is_fixed_only_when_its_outcome_is():
    for outcome, status in (("fixed", "fixed"), ("not_fixed", "closed"), ("withdrawn", "closed")):
        review = Review("r")
        review.open(CELL, "cell", "2025-Q1", ("CR-01",), date(2025, 4, 2))
        review.close(outcome, date(2025, 4, 30))
        assert (review.status, review.closed.outcome if review.closed else None) \
            == (status, outcome)


def test_a_review_names_only_rules_of_the_domain_guide():
    with pytest.raises(InvalidError) as raised:
        Review("r").open(CELL, "cell", "2025", ("CR-01", "CR-09", "CR-99"), date(2025, 4, 2))
    assert raised.value.errors == {"rule_ids": ["not rules of DOMAIN.md §7: CR-09, CR-99"]}


def test_opening_the_same_review_again_changes_nothing_and_other_data_conflicts():
    review = Review("r")
    review.open(CELL, "cell", "2025-Q1", ("CR-01",), date(2025, 4, 2))
    review.collect()
    review.open(CELL, "cell", "2025-Q1", ["CR-01"], date(2025, 4, 2), open_case="r")
    assert review.collect() == []
    with pytest.raises(ConflictError, match="other data"):
        review.open(CELL, "cell", "2025-Q1", ("CR-03",), date(2025, 4, 2), open_case="r")


def test_assigning_the_same_again_changes_nothing_and_other_data_conflicts():
    assignment = assigned()
    assignment.collect()
    assignment.assign(BASIS, facts(others=(assignment.charge(),)))
    named = Basis("o", "cell", "executive_committee_member", D, position_unit_id="commune")
    assignment.assign(named, facts())
    assert assignment.collect() == []
    for other in (Basis("o", "cell", "executive_committee_member", D, date(2025, 12, 31)),
                  Basis("o", "cell", "executive_committee_member", D, position_unit_id="prov")):
        with pytest.raises(ConflictError, match="other data"):
            assignment.assign(other, facts())


def test_reporting_the_same_visit_again_changes_nothing_and_other_data_conflicts():
    visit = Visit("v")
    visit.record(REPORT, VisitFacts(OVERSEER, CELL, MEETING))
    visit.collect()
    visit.record(REPORT, VisitFacts(OVERSEER, CELL, MEETING, earlier_visit_id="v"))
    assert visit.collect() == []
    with pytest.raises(ConflictError, match="other data"):
        visit.record(replace(REPORT, comments="Khác"), VisitFacts(OVERSEER, CELL))


def test_a_review_of_something_that_is_no_period_is_invalid():
    for bad in ("1991\n", "\uff12\uff10\uff12\uff15", "\u0662\u0660\u0662\u0665"):
        with pytest.raises(InvalidError) as raised:
            Review("r").open(CELL, "cell", bad, ("CR-01",), date(2025, 4, 2))
        assert list(raised.value.errors) == ["period"]
