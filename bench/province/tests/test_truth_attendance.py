"""Hand-checked cases of the attendance rules (CR-11 … CR-17)."""

from __future__ import annotations

from datetime import date

from bench.province.tests.handmade import CELL, Handmade, MemberChange


def test_the_rate_is_present_over_the_required_base_of_the_period():
    made = Handmade()
    made.meeting(date(2024, 1, 3), absent={"a": "absent_excused"})
    made.meeting(date(2024, 2, 3))
    truth = made.truth()
    figures = truth.cell(CELL, "2024-Q1")["CR-11"].figures
    assert (figures["required"], figures["present"], figures["rate"]) == (8, 7, 0.875)
    assert truth.cell(CELL, "2024-Q1")["CR-12"].result == "fail"  # 87.5 % < 90 %
    assert truth.cell(CELL, "2024-02")["CR-12"].result == "pass"


def test_a_held_meeting_without_a_roll_call_fails_cr11_and_is_left_out_of_the_rate():
    made = Handmade()
    made.meeting(date(2024, 1, 3), entries=None)
    made.meeting(date(2024, 1, 20), "thematic")
    truth = made.truth()
    assert truth.cell(CELL, "2024-01")["CR-11"].result == "fail"
    assert truth.cell(CELL, "2024-01")["CR-11"].figures["missing_roll_call"] == 1
    assert truth.cell(CELL, "2024-01")["CR-12"].figures["rate"] == 1.0


def test_one_unexcused_absence_fails_cr13():
    made = Handmade()
    made.meeting(date(2024, 1, 3), absent={"b": "absent_unexcused"})
    made.meeting(date(2024, 2, 3))
    truth = made.truth()
    assert truth.cell(CELL, "2024-01")["CR-13"].result == "fail"
    assert truth.cell(CELL, "2024-02")["CR-13"].result == "pass"
    assert truth.cell(CELL, "2024-03")["CR-13"].result == "not_applicable"


def test_four_consecutive_excused_absences_flag_cr14_and_three_do_not():
    made = Handmade()
    for month in range(1, 9):
        absent = {"c": "absent_excused"} if month in (1, 2, 3, 5, 6, 7, 8) else {}
        made.meeting(date(2024, month, 3), absent=absent)
    truth = made.truth()
    assert truth.cell(CELL, "2024-03")["CR-14"].figures["members"] == []  # a run of 3
    assert truth.cell(CELL, "2024-07")["CR-14"].figures["members"] == []  # run restarted in May
    assert truth.cell(CELL, "2024-08")["CR-14"].figures["members"] == ["c"]
    assert truth.cell(CELL, "2024-08")["CR-14"].result == "fail"
    assert truth.member("c", "2024")["flags"] == ["CR-14"]


def test_unexcused_absences_in_three_months_are_a_strike_off_alert_and_two_a_warning():
    made = Handmade()
    made.meeting(date(2024, 1, 3), absent={"d": "absent_unexcused"})
    made.meeting(date(2024, 1, 20), "thematic", absent={"d": "absent_unexcused"})
    made.meeting(date(2024, 2, 3), absent={"d": "absent_unexcused"})
    made.meeting(date(2024, 4, 3), absent={"d": "absent_unexcused"})
    truth = made.truth()
    assert truth.cell(CELL, "2024-01")["CR-15"].figures == {"alerts": [], "warnings": []}
    assert truth.cell(CELL, "2024-02")["CR-15"].figures == {"alerts": [], "warnings": ["d"]}
    assert truth.cell(CELL, "2024-04")["CR-15"].figures == {"alerts": ["d"], "warnings": []}
    assert truth.member("d", "2024-02")["warnings"] == ["CR-15"]
    assert truth.member("d", "2024")["flags"] == ["CR-15"]


def test_an_exemption_recorded_after_the_meetings_takes_the_member_out_of_the_base():
    made = Handmade()
    made.changes.append(MemberChange(date(2024, 2, 1), "a", "exempt", item_id="x1",
                                     from_=date(2024, 2, 1), reason="Ốm", ref="1/QĐ-CB",
                                     late=True))
    made.meeting(date(2024, 1, 3), absent={"a": "absent_unexcused"})
    made.meeting(date(2024, 2, 3), absent={"a": "absent_unexcused"})
    made.meeting(date(2024, 3, 3), absent={"a": "absent_unexcused"})
    truth = made.truth()
    march = truth.cell(CELL, "2024-03")
    assert march["CR-11"].figures["required"] == 3
    assert march["CR-13"].result == "pass"
    assert march["CR-17"].result == "fail"
    assert march["CR-17"].figures["exempted_left_out_of_base"] == 1
    assert truth.cell(CELL, "2024-01")["CR-17"].result == "pass"
    assert truth.member("a", "2024")["flags"] == []  # only January counts against a


def test_an_exempted_member_who_comes_counts_as_present_outside_the_base():
    made = Handmade()
    made.changes.append(MemberChange(date(2020, 1, 1), "a", "exempt", item_id="x1",
                                     from_=date(2020, 1, 1), reason="Tuổi cao", ref="2/QĐ-CB"))
    meeting = made.meeting(date(2024, 1, 3))
    truth = made.truth()
    figures = truth.cell(CELL, "2024-01")["CR-11"].figures
    assert (figures["required"], figures["present"], figures["exempted_present"]) == (3, 4, 1)
    assert figures["rate"] == 1.3333  # 4 ÷ 3 (DOMAIN §5: present ÷ base, not capped)
    assert meeting.entries is not None
    assert truth.cell(CELL, "2024-01")["CR-17"].result == "pass"
