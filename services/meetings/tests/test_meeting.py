"""The Meeting aggregate's life cycle and invariants (pure domain, no I/O)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from chibo_meetings.domain import (
    CellInfo,
    IdInUseError,
    InvalidMeetingError,
    Meeting,
    MeetingExistsError,
    MeetingStateError,
)
from chibo_meetings.domain.events import (
    AttendanceCorrected,
    AttendanceEntry,
    AttendanceRecorded,
    Guest,
    MeetingCancelled,
    MeetingHeld,
    MeetingScheduled,
    ResolutionTask,
)

from .domain_builders import (
    CELL,
    CELL_ID,
    DAY,
    END,
    NOW,
    START,
    held,
    present,
    roll_of,
    scheduled,
    with_roll_call,
)

SCORES = {"preparation": 14, "attendance": 15, "procedure": 13, "content": 22,
          "discussion": 13, "resolution": 14}  # 91


def test_a_scheduled_meeting_records_its_cell_kind_date_and_topic():
    meeting = scheduled(kind="thematic", topic="Đường bê tông 75 m")
    [event] = meeting.collect()
    assert isinstance(event, MeetingScheduled)
    assert (event.cell_id, event.kind, event.scheduled_on) == (CELL_ID, "thematic", DAY)
    assert event.topic == "Đường bê tông 75 m"
    assert meeting.status == "scheduled"


@pytest.mark.parametrize("topic", [None, "", "   "])
def test_a_thematic_meeting_needs_a_topic(topic):
    with pytest.raises(InvalidMeetingError) as raised:
        scheduled(kind="thematic", topic=topic)
    assert "topic" in raised.value.errors


def test_a_meeting_of_an_unknown_or_vanished_cell_cannot_be_scheduled():
    with pytest.raises(InvalidMeetingError, match="unknown cell"):
        Meeting("m").schedule(None, "nowhere", "regular", DAY)
    merged = CellInfo(CELL_ID, "cell", date(2020, 1, 1), date(2025, 1, 1), "cell-9")
    with pytest.raises(InvalidMeetingError, match="merged into cell-9"):
        Meeting("m").schedule(merged, CELL_ID, "regular", DAY)
    commune = CellInfo("x", "commune_committee", date(2020, 1, 1))
    with pytest.raises(InvalidMeetingError, match="not a cell"):
        Meeting("m").schedule(commune, "x", "regular", DAY)


def test_a_meeting_is_held_only_on_a_day_its_cell_exists():
    """Planned before its cell was merged (3 March), the meeting cannot be recorded as held
    after the merger, as it could not be rescheduled there."""
    meeting = scheduled()
    merged = CellInfo(CELL_ID, "cell", date(2020, 1, 1), date(2025, 3, 10), "cell-9")
    with pytest.raises(InvalidMeetingError, match="merged into cell-9") as raised:
        meeting.hold(merged, START + timedelta(days=14), END + timedelta(days=14), place="x",
                     chair_id="A", minute_taker_id="B")
    assert "cell_id" in raised.value.errors and meeting.held is None
    meeting.hold(merged, START, END, place="x", chair_id="A", minute_taker_id="B")
    assert meeting.held is not None and meeting.held.held_on == DAY


def test_a_meeting_is_scheduled_once_and_a_retry_of_the_same_plan_changes_nothing():
    meeting = scheduled()
    meeting.reschedule(CELL, DAY + timedelta(days=7), "Bão")
    version = meeting.version
    meeting.schedule(CELL, CELL_ID, "regular", START, place="Nhà văn hóa")
    assert meeting.version == version and meeting.scheduled_on == DAY + timedelta(days=7)
    for other in ({"place": "Hội trường"}, {"agenda": ("Kiểm điểm",)}):
        with pytest.raises(MeetingExistsError):
            meeting.schedule(CELL, CELL_ID, "regular", START, **other)
    with pytest.raises(MeetingExistsError):
        meeting.schedule(CELL, CELL_ID, "regular", DAY, place="Nhà văn hóa")
    assert meeting.version == version


def test_a_rescheduled_meeting_keeps_the_previous_day_and_the_reason():
    meeting = scheduled()
    meeting.reschedule(CELL, DAY + timedelta(days=7), "Bão")
    assert meeting.scheduled_on == DAY + timedelta(days=7)
    assert meeting.reschedules[0].previous_scheduled_on == DAY


def test_nothing_can_be_recorded_after_a_cancellation():
    meeting = scheduled()
    meeting.cancel("Lũ lụt", NOW)
    assert meeting.status == "cancelled"
    attempts = [
        lambda: meeting.reschedule(CELL, DAY, "x"),
        lambda: meeting.cancel("again", NOW),
        lambda: meeting.send_notice("n", NOW, True, ()),
        lambda: meeting.post_document("d", "before", "Dự thảo", NOW, None),
        lambda: meeting.hold(CELL, START, END, place="x", chair_id="A", minute_taker_id="B"),
        lambda: meeting.call_roll(roll_of, present("A"), ()),
        lambda: meeting.adopt_resolution("x", 1, 0, 0),
        lambda: meeting.self_assess(None, {}, 0, "weak", DAY),
        lambda: meeting.confirm_grade(0, "weak", DAY),
    ]
    for attempt in attempts:
        with pytest.raises(MeetingStateError, match="cancelled"):
            attempt()
    assert [type(e) for e in meeting.collect()] == [MeetingScheduled, MeetingCancelled]


def test_no_roll_call_before_the_meeting_is_held():
    meeting = scheduled()
    with pytest.raises(MeetingStateError, match="not been held"):
        meeting.call_roll(roll_of, present("A", "B", "C", "P"), ())


def test_a_meeting_ends_after_it_starts():
    for end in (START, START - timedelta(minutes=1), START + timedelta(hours=25)):
        with pytest.raises(InvalidMeetingError) as raised:
            scheduled().hold(CELL, START, end, place="x", chair_id="A", minute_taker_id="B")
        assert "ended_at" in raised.value.errors


def test_a_held_meeting_records_its_day_and_duration():
    meeting = held()
    event = meeting.collect()[-1]
    assert isinstance(event, MeetingHeld)
    assert (event.held_on, event.duration_minutes, event.cell_id) == (DAY, 120, CELL_ID)
    with pytest.raises(MeetingStateError):
        meeting.hold(CELL, START, END, place="x", chair_id="A", minute_taker_id="B")
    with pytest.raises(MeetingStateError):
        meeting.cancel("too late", NOW)


def test_the_meeting_day_is_the_day_in_vietnam_whatever_the_offset_written():
    meeting = scheduled()
    late_evening_utc = datetime(2025, 3, 3, 18, 30, tzinfo=UTC)  # 01:30 on 4 March in Vietnam
    meeting.hold(CELL, late_evening_utc, late_evening_utc + timedelta(hours=2), place="x",
                 chair_id="A", minute_taker_id="B")
    assert meeting.held is not None and meeting.held.held_on == date(2025, 3, 4)


def test_the_first_roll_call_is_recorded_and_later_ones_are_corrections():
    meeting = held()
    meeting.call_roll(roll_of, present("A", "B", "C", "P"), ())
    absent = (*present("A", "B", "C"), AttendanceEntry("P", "absent_excused", "ốm"))
    meeting.call_roll(roll_of, absent, (Guest("O-1", "overseer"),), reason="P was ill")
    first, correction = meeting.collect()[-2:]
    assert type(first) is AttendanceRecorded
    assert isinstance(correction, AttendanceCorrected)
    assert (correction.correction, correction.reason) == (1, "P was ill")
    assert (correction.present, correction.absent_excused, correction.required) == (3, 1, 4)
    assert meeting.roll_call == correction


def test_repeating_the_current_roll_call_records_nothing():
    meeting = with_roll_call()
    version = meeting.version
    meeting.call_roll(roll_of, tuple(reversed(present("A", "B", "C", "P"))), ())
    assert meeting.version == version and not meeting.collect()[version:]


def test_a_resolution_needs_the_roll_call_and_stays_within_the_voting_base():
    meeting = held()
    with pytest.raises(MeetingStateError, match="roll"):
        meeting.adopt_resolution("Nghị quyết", 3, 0, 0)
    meeting.call_roll(roll_of, present("A", "B", "C", "P"), ())
    with pytest.raises(InvalidMeetingError, match="voting base"):
        meeting.adopt_resolution("Nghị quyết", 3, 1, 0)  # P is probationary: 3 may vote
    meeting.adopt_resolution("Nghị quyết", 2, 0, 1)
    assert meeting.resolution is not None and meeting.resolution.voting_base == 3
    with pytest.raises(MeetingStateError, match="already"):
        meeting.adopt_resolution("Again", 1, 0, 0)


def test_a_correction_cannot_shrink_the_voting_base_below_the_adopted_tally():
    meeting = with_roll_call()
    meeting.adopt_resolution("Nghị quyết", 3, 0, 0)
    fewer = (*present("A", "B", "P"), AttendanceEntry("C", "absent_unexcused"))
    with pytest.raises(InvalidMeetingError, match="exceed"):
        meeting.call_roll(roll_of, fewer, ())


def test_resolution_tasks_are_due_after_the_meeting_and_have_distinct_ids():
    meeting = with_roll_call()
    early = ResolutionTask("t1", "Đổ bê tông", "A", DAY - timedelta(days=1))
    with pytest.raises(InvalidMeetingError, match="due before"):
        meeting.adopt_resolution("x", 1, 0, 0, (early,))
    twice = ResolutionTask("t1", "Đổ bê tông", "A", DAY)
    with pytest.raises(InvalidMeetingError, match="twice"):
        meeting.adopt_resolution("x", 1, 0, 0, (twice, twice))


def test_task_progress_is_reported_at_a_later_meeting_of_the_same_cell():
    earlier = with_roll_call("m-1")
    earlier.adopt_resolution("x", 3, 0, 0, (ResolutionTask("t1", "Đường", "A", DAY),))
    later = held("m-2", START + timedelta(days=30))
    later.report_task(earlier, "t1", "done", "xong")
    report = later.task_reports[0]
    assert (report.resolution_meeting_id, report.task_id, report.status) == ("m-1", "t1", "done")
    with pytest.raises(InvalidMeetingError, match="not a task"):
        later.report_task(earlier, "t-unknown", "done")
    with pytest.raises(InvalidMeetingError, match="not a task"):
        later.report_task(None, "t1", "done")
    even_later = with_roll_call("m-3", START + timedelta(days=60))
    even_later.adopt_resolution("y", 1, 0, 0, (ResolutionTask("t2", "Cầu", "B", date(2025, 9, 1)),))
    with pytest.raises(InvalidMeetingError, match="not at an earlier one"):
        later.report_task(even_later, "t2", "done")


def test_the_self_assessment_must_add_up_and_fit_the_rubric_bands():
    meeting = held()
    meeting.self_assess(None, SCORES, 91, "good", DAY)
    assert meeting.assessment is not None and meeting.assessment.rubric == "default-regular"
    with pytest.raises(InvalidMeetingError) as raised:
        held().self_assess(None, SCORES, 90, "good", DAY)
    assert "total" in raised.value.errors
    with pytest.raises(InvalidMeetingError) as raised:
        held().self_assess(None, SCORES, 91, "fair", DAY)
    assert "grade" in raised.value.errors
    with pytest.raises(InvalidMeetingError) as raised:
        held().self_assess(None, {**SCORES, "content": 26}, 95, "good", DAY)
    assert "scores" in raised.value.errors
    with pytest.raises(InvalidMeetingError, match="not for regular"):
        held().self_assess("default-thematic", SCORES, 91, "good", DAY)


def test_a_grade_is_confirmed_only_after_a_self_assessment_and_must_match_its_total():
    meeting = held()
    with pytest.raises(MeetingStateError, match="not assessed"):
        meeting.confirm_grade(91, "good", DAY)
    meeting.self_assess(None, SCORES, 91, "good", DAY)
    with pytest.raises(InvalidMeetingError, match="graded 'fair'"):
        meeting.confirm_grade(85, "good", DAY)
    meeting.confirm_grade(85, "fair", DAY + timedelta(days=5))
    assert meeting.confirmation is not None and meeting.confirmation.self_grade == "good"
    with pytest.raises(MeetingStateError):
        meeting.confirm_grade(85, "fair", DAY)
    with pytest.raises(MeetingStateError):
        meeting.self_assess(None, SCORES, 91, "good", DAY)


def test_an_after_document_needs_the_meeting_held():
    meeting = scheduled()
    meeting.post_document("d1", "before", "Dự thảo nghị quyết", NOW, "https://x/d1")
    with pytest.raises(MeetingStateError):
        meeting.post_document("d2", "after", "Biên bản", NOW, None)
    meeting.hold(CELL, START, END, place="x", chair_id="A", minute_taker_id="B")
    with pytest.raises(InvalidMeetingError):
        meeting.post_document("d2", "after", "Biên bản", START - timedelta(hours=1), None)
    meeting.post_document("d2", "after", "Biên bản", END, None)
    assert [d.phase for d in meeting.documents] == ["before", "after"]


def test_rehydrating_the_events_gives_back_the_same_meeting():
    meeting = with_roll_call()
    meeting.adopt_resolution("x", 3, 0, 0, (ResolutionTask("t1", "Đường", "A", DAY),))
    meeting.self_assess(None, SCORES, 91, "good", DAY)
    events = meeting.collect()
    again = Meeting.rehydrate(meeting.id, events)
    assert vars(again) == vars(meeting)
    assert again.version == len(events)


def test_a_notice_sent_again_with_its_id_is_a_retry_and_other_content_a_conflict():
    meeting = scheduled()
    meeting.send_notice("n-1", NOW, True, ("O-1",))
    version = meeting.version
    meeting.send_notice("n-1", NOW, True, ["O-1"])
    assert meeting.version == version and len(meeting.notices) == 1
    with pytest.raises(IdInUseError, match="notice n-1"):
        meeting.send_notice("n-1", NOW, True, ("O-1", "O-2"))
    meeting.send_notice("n-2", NOW, True, ("O-1",))
    assert [n.notice_id for n in meeting.notices] == ["n-1", "n-2"]


def test_a_document_posted_again_with_its_id_is_a_retry_and_other_content_a_conflict():
    meeting = held()
    meeting.post_document("d-1", "after", "Biên bản", END, "https://docs/1")
    version = meeting.version
    meeting.post_document("d-1", "after", "Biên bản", END, "https://docs/1")
    assert meeting.version == version and len(meeting.documents) == 1
    with pytest.raises(IdInUseError, match="document d-1"):
        meeting.post_document("d-1", "after", "Nghị quyết", END, "https://docs/1")
    assert meeting.version == version
