"""The codec: every private event maps to its public contract and back, unchanged."""

from __future__ import annotations

from datetime import timedelta

from chibo_contracts.catalog import public_registry
from chibo_contracts.meetings import EVENTS
from chibo_eventsourcing.memory import MemoryEventStore
from chibo_eventsourcing.store import Metadata
from chibo_meetings import publishing
from chibo_meetings.domain.events import EVENT_CLASSES, AttendanceEntry, Guest, ResolutionTask

from .domain_builders import CELL, DAY, NOW, START, make_roll, scheduled


def every_event():
    earlier = scheduled("m-0")
    meeting = scheduled("m-1", kind="thematic", topic="Đường bê tông")
    earlier.hold(CELL, START - timedelta(days=30), START - timedelta(days=30, minutes=-90),
                 place="x", chair_id="A", minute_taker_id="B")
    earlier.call_roll(lambda c, d: make_roll(on=d), tuple(
        AttendanceEntry(m, "present") for m in "ABCP"), ())
    earlier.adopt_resolution("x", 3, 0, 0, (ResolutionTask("t0", "Đường", "A", DAY),))
    meeting.reschedule(CELL, DAY, "Bão")
    meeting.send_notice("n1", NOW, True, ("O1",))
    meeting.post_document("d1", "before", "Dự thảo", NOW, "https://docs/1")
    meeting.hold(CELL, START, START + timedelta(minutes=125), place="Nhà văn hóa", chair_id="A",
                 minute_taker_id="B")
    entries = (AttendanceEntry("A", "present"), AttendanceEntry("B", "absent_excused", "ốm"),
               AttendanceEntry("C", "absent_unexcused"), AttendanceEntry("P", "present"),
               AttendanceEntry("E", "present"))
    meeting.call_roll(lambda c, d: make_roll(on=d), entries, (Guest("O1", "overseer"),))
    meeting.call_roll(lambda c, d: make_roll(on=d), entries, (), reason="guest left out")
    meeting.adopt_resolution("Nghị quyết", 1, 0, 1, (ResolutionTask("t1", "Cầu", "C", DAY),))
    meeting.report_task(earlier, "t0", "in_progress", "đang làm")
    meeting.self_assess("default-thematic", {"topic": 15, "preparation": 15, "attendance": 10,
                        "presentation": 20, "discussion": 20, "conclusion": 10.5}, 90.5, "good",
                        DAY)
    meeting.confirm_grade(88, "fair", DAY + timedelta(days=3))
    cancelled = scheduled("m-2")
    cancelled.cancel("Lũ", NOW)
    return earlier.collect() + meeting.collect() + cancelled.collect()


def test_the_contract_has_exactly_the_private_events():
    assert {cls.__name__ for cls in EVENT_CLASSES} == set(EVENTS)
    registry = public_registry()
    assert {f"meetings.{name}" for name in EVENTS} <= set(registry.types())


def test_every_event_survives_the_round_trip_through_the_store():
    events = every_event()
    assert {type(e).__name__ for e in events} == set(EVENTS)
    store = MemoryEventStore("meetings")
    for event in events:
        version = len(store.load(event.meeting_id))
        store.append(event.meeting_id, version, [publishing.encode(event)], Metadata("t"))
    stored = [e for stream in ("m-0", "m-1", "m-2") for e in store.load(stream)]
    assert [publishing.decode(envelope) for envelope in stored] == events
    assert all(envelope.subject == envelope.stream_id for envelope in stored)


def test_date_times_keep_their_offset_and_dates_are_iso():
    [scheduled_event] = scheduled("m-9").collect()
    data = publishing.encode(scheduled_event).data
    assert data["scheduled_for"] == "2025-03-03T19:00:00+07:00"
    assert data["scheduled_on"] == "2025-03-03"
