"""Handlers with the in-memory store and a fake roll: loading, ids, If-Match, defaults."""

from __future__ import annotations

import typing
from datetime import UTC, date, datetime, timedelta

import pytest

from chibo_eventsourcing.memory import MemoryEventStore
from chibo_eventsourcing.repository import Repository
from chibo_eventsourcing.store import ConcurrencyError, Metadata
from chibo_meetings import commands as c
from chibo_meetings import publishing
from chibo_meetings.domain import (
    InvalidMeetingError,
    Meeting,
    MeetingExistsError,
    MeetingNotFoundError,
)
from chibo_meetings.domain.events import Guest
from chibo_meetings.handlers import HANDLERS, Context, handle

from .domain_builders import CELL, CELL_ID, DAY, END, START, make_roll, present

CLOCK_NOW = datetime(2025, 3, 3, 18, 30, tzinfo=UTC)  # already 4 March in Vietnam


class FakeRoster:
    members = frozenset({"A", "B", "C", "P", "E", "O-1"})

    def cell(self, cell_id):
        return CELL if cell_id == CELL_ID else None

    def roll(self, cell_id, on):
        return make_roll(on=on)

    def known_members(self, member_ids):
        return set(member_ids) & self.members


class StoreTaskIndex:
    """Finds tasks in the stored ResolutionAdopted events (what the SQL index is written from)."""

    def __init__(self, store):
        self.store = store

    def meeting_of(self, task_id):
        for envelope in self.store.read_all():
            tasks = envelope.data.get("tasks", ()) if envelope.type.endswith("Adopted") else ()
            if any(t["task_id"] == task_id for t in tasks):
                return envelope.stream_id
        return None


class Harness:
    def __init__(self):
        self.store = MemoryEventStore("meetings")
        self.meetings = Repository(self.store, Meeting, publishing)
        self.now = CLOCK_NOW

    def run(self, command, if_match=None):
        context = Context(self.meetings, FakeRoster(), StoreTaskIndex(self.store),
                          lambda: self.now, if_match)
        return self.meetings.save(handle(command, context), Metadata("tester"),
                                  expected_version=if_match)

    def meeting(self, meeting_id):
        return self.meetings.find(meeting_id)

    def held(self, meeting_id, start=START):
        self.run(c.ScheduleMeeting(meeting_id, CELL_ID, "regular", start))
        self.run(c.RecordMeetingHeld(meeting_id, start, start + timedelta(hours=2), "Nhà văn hóa",
                                     "A", "B"))
        self.run(c.RecordRollCall(meeting_id, present("A", "B", "C", "P")))


@pytest.fixture
def harness():
    return Harness()


def test_every_command_has_a_handler():
    assert set(HANDLERS) == set(typing.get_args(c.Command))


def test_a_meeting_id_is_scheduled_once_and_the_same_plan_again_changes_nothing(harness):
    first = harness.run(c.ScheduleMeeting("m-1", CELL_ID, "regular", DAY))
    again = harness.run(c.ScheduleMeeting("m-1", CELL_ID, "regular", DAY))
    assert (again.stream_id, again.version) == (first.stream_id, first.version)
    with pytest.raises(MeetingExistsError, match="other data"):
        harness.run(c.ScheduleMeeting("m-1", CELL_ID, "thematic", DAY, topic="Đường"))
    assert harness.store.last_position() == 1


def test_scheduling_for_a_cell_the_roll_does_not_know_is_refused(harness):
    with pytest.raises(InvalidMeetingError, match="unknown cell"):
        harness.run(c.ScheduleMeeting("m-1", "cell-404", "regular", DAY))
    assert harness.store.last_position() == 0


def test_commands_on_an_unknown_meeting_are_not_found(harness):
    with pytest.raises(MeetingNotFoundError):
        harness.run(c.CancelMeeting("nope", "x"))


def test_a_stale_if_match_fails_before_the_meeting_decides(harness):
    written = harness.run(c.ScheduleMeeting("m-1", CELL_ID, "regular", DAY))
    harness.run(c.RescheduleMeeting("m-1", DAY + timedelta(days=1), "Bão"), if_match=1)
    with pytest.raises(ConcurrencyError):
        harness.run(c.CancelMeeting("m-1", "x"), if_match=written.version)
    assert harness.meeting("m-1").status == "scheduled"


def test_resolution_tasks_get_ids_and_later_meetings_report_on_them(harness):
    harness.held("m-1")
    harness.run(c.AdoptResolution("m-1", "Nghị quyết", 3, 0, 0, (
        c.TaskSpec("Làm đường", "A", DAY + timedelta(days=20)),
    )))
    [task] = harness.meeting("m-1").resolution.tasks
    assert len(task.task_id) == 36
    harness.now += timedelta(days=31)
    harness.held("m-2", START + timedelta(days=31))
    harness.run(c.ReportTaskProgress("m-2", task.task_id, "done", "xong"))
    [report] = harness.meeting("m-2").task_reports
    assert (report.resolution_meeting_id, report.status) == ("m-1", "done")
    with pytest.raises(InvalidMeetingError, match="not a task"):
        harness.run(c.ReportTaskProgress("m-2", "no-such-task", "done"))


def test_a_task_id_belongs_to_one_meeting(harness):
    harness.held("m-1")
    due = DAY + timedelta(days=9)
    harness.run(c.AdoptResolution("m-1", "x", 1, 0, 0, (c.TaskSpec("a", "A", due, "t-1"),)))
    harness.now += timedelta(days=31)
    harness.held("m-2", START + timedelta(days=31))
    with pytest.raises(InvalidMeetingError, match="already used: t-1"):
        harness.run(c.AdoptResolution("m-2", "y", 1, 0, 0, (
            c.TaskSpec("b", "A", date(2025, 5, 1), "t-1"),
        )))


def test_default_dates_are_the_cells_calendar_day(harness):
    harness.held("m-1")
    scores = {"preparation": 15, "attendance": 15, "procedure": 15, "content": 25,
              "discussion": 15, "resolution": 15}
    harness.run(c.AssessMeeting("m-1", scores, 100, "good"))
    harness.run(c.ConfirmGrade("m-1", 95, "good"))
    meeting = harness.meeting("m-1")
    assert meeting.assessment.assessed_on == date(2025, 3, 4)
    assert meeting.confirmation.confirmed_on == date(2025, 3, 4)


def test_the_roll_call_is_checked_against_the_roll_of_the_meeting_day(harness):
    harness.run(c.ScheduleMeeting("m-1", CELL_ID, "regular", DAY))
    harness.run(c.RecordMeetingHeld("m-1", START, END, "x", "A", "B"))
    with pytest.raises(InvalidMeetingError, match="missing required members on 2025-03-03: P"):
        harness.run(c.RecordRollCall("m-1", present("A", "B", "C")))


def test_members_named_by_a_command_must_be_known_from_members_events(harness):
    harness.run(c.ScheduleMeeting("m-1", CELL_ID, "regular", DAY))
    with pytest.raises(InvalidMeetingError) as raised:
        harness.run(c.RecordMeetingHeld("m-1", START, END, "x", "nobody", "no-one"))
    assert raised.value.errors == {
        "chair_id": ["unknown members (not, or not yet, received from members.events): nobody"],
        "minute_taker_id": [
            "unknown members (not, or not yet, received from members.events): no-one"
        ],
    }
    with pytest.raises(InvalidMeetingError, match=r"to_overseer_ids: .*: ghost$"):
        harness.run(c.SendNotice("m-1", START, True, ("O-1", "ghost")))
    harness.run(c.SendNotice("m-1", START, True, ("O-1",)))
    harness.run(c.RecordMeetingHeld("m-1", START, END, "x", "A", "E"))
    with pytest.raises(InvalidMeetingError, match=r"guests: .*: ghost$"):
        harness.run(c.RecordRollCall("m-1", present("A", "B", "C", "P"),
                                     (Guest("O-1", "overseer"), Guest("ghost", "overseer"))))
    harness.run(c.RecordRollCall("m-1", present("A", "B", "C", "P"), (Guest("O-1", "overseer"),)))
    with pytest.raises(InvalidMeetingError, match=r"tasks: .*: nobody$"):
        harness.run(c.AdoptResolution("m-1", "x", 1, 0, 0, (
            c.TaskSpec("a", "A", DAY), c.TaskSpec("b", "nobody", DAY),
        )))
    assert harness.store.last_position() == 4
