"""A roll call against the cell's roll on the meeting day (DOMAIN.md §5), pure domain."""

from __future__ import annotations

import pytest

from chibo_meetings.domain import CellRoll, InvalidMeetingError
from chibo_meetings.domain.events import AttendanceEntry, Guest
from chibo_meetings.domain.roll import check_roll_call

from .domain_builders import DAY, make_roll, present

ROLL = CellRoll(
    cell_id="cell-1", on=DAY, required=frozenset({"A", "B", "P", "T"}),
    exempted=frozenset({"E"}), attached=frozenset({"T"}), voters=frozenset({"A", "B", "E"}),
    elsewhere={"O": "cell-2"}, names={"A": "Nguyễn Văn An", "O": "Lê Thị Oanh"},
)


def test_roll_call_must_name_every_required_member():
    with pytest.raises(InvalidMeetingError) as raised:
        check_roll_call(ROLL, present("B", "P", "T"), ())
    assert "Nguyễn Văn An (A)" in raised.value.errors["entries"][0]
    assert "missing required members" in str(raised.value)


def test_roll_call_refuses_members_not_on_the_roll_and_says_why():
    entries = (*present("A", "B", "P", "T"), AttendanceEntry("X", "present"),
               AttendanceEntry("O", "present"))
    with pytest.raises(InvalidMeetingError) as raised:
        check_roll_call(ROLL, entries, ())
    [message] = raised.value.errors["entries"]
    assert "not on the cell's roll" in message and "X" in message
    assert "Lê Thị Oanh (O) is attached to cell cell-2 that day" in message


def test_a_member_listed_twice_is_refused():
    with pytest.raises(InvalidMeetingError, match="more than once: B"):
        check_roll_call(ROLL, present("A", "B", "B", "P", "T"), ())


def test_an_excused_absence_needs_a_reason():
    entries = (*present("A", "B", "T"), AttendanceEntry("P", "absent_excused"))
    with pytest.raises(InvalidMeetingError, match="needs a reason"):
        check_roll_call(ROLL, entries, ())
    entries = (*present("A", "B", "T"), AttendanceEntry("P", "absent_excused", "ốm"))
    assert check_roll_call(ROLL, entries, ()).absent_excused == 1


def test_an_exempted_member_who_comes_is_present_but_does_not_enlarge_the_base():
    figures = check_roll_call(ROLL, present("A", "B", "P", "T", "E"), ())
    assert (figures.required, figures.present, figures.exempted_present) == (4, 5, 1)
    assert figures.attendance_rate == 1.25  # present ÷ required, not capped
    assert figures.exempted_present_member_ids == ("E",)
    assert figures.exempted_member_ids == ("E",)
    without = check_roll_call(ROLL, present("A", "B", "P", "T"), ())
    assert (without.present, without.exempted_present, without.required) == (4, 0, 4)


def test_an_exempted_member_who_comes_counts_in_the_rate_of_a_partly_absent_cell():
    entries = (*present("A", "B", "E"), AttendanceEntry("P", "absent_excused", "ốm"),
               AttendanceEntry("T", "absent_unexcused"))
    figures = check_roll_call(ROLL, entries, ())
    assert (figures.present, figures.absent_excused, figures.absent_unexcused) == (3, 1, 1)
    assert (figures.required, figures.attendance_rate) == (4, 0.75)


def test_attached_members_count_in_the_host_base_but_do_not_vote_there():
    figures = check_roll_call(ROLL, present("A", "B", "P", "T", "E"), ())
    assert figures.attached_member_ids == ("T",)
    assert "T" in figures.required_member_ids
    assert figures.voting_member_ids == ("A", "B", "E")  # P probationary, T attached
    assert figures.voting_base == 3


def test_absences_count_only_the_required_base():
    entries = (AttendanceEntry("A", "present"), AttendanceEntry("B", "absent_unexcused"),
               AttendanceEntry("P", "absent_excused", "công tác"),
               AttendanceEntry("T", "present"), AttendanceEntry("E", "absent_excused", "ốm"))
    figures = check_roll_call(ROLL, entries, ())
    assert (figures.present, figures.absent_excused, figures.absent_unexcused) == (2, 1, 1)
    assert figures.attendance_rate == 0.5 and figures.voting_base == 1


def test_guests_are_listed_apart_and_never_as_members_of_the_roll():
    guests = (Guest("O-1", "overseer"), Guest("O-1", "overseer"), Guest("A", "overseer"))
    with pytest.raises(InvalidMeetingError) as raised:
        check_roll_call(ROLL, present("A", "B", "P", "T"), guests)
    assert len(raised.value.errors["guests"]) == 2
    figures = check_roll_call(ROLL, present("A", "B", "P", "T"), (Guest("O-1", "overseer"),))
    assert figures.required == 4


def test_an_empty_cell_has_no_attendance_rate():
    roll = make_roll(required=(), exempted=(), voters=())
    assert check_roll_call(roll, (), ()).attendance_rate is None
