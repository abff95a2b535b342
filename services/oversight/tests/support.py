"""Test helpers: members.events and meetings.events producers, a catch-up, an HTTP client."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from chibo_contracts.catalog import public_registry, topic_for
from chibo_eventsourcing.bus import Bus
from chibo_eventsourcing.relay import Relay
from chibo_eventsourcing.sql.engine import create_engine
from chibo_eventsourcing.sql.store import SqlEventStore
from chibo_eventsourcing.store import Metadata, NewEvent
from chibo_oversight.bootstrap import OversightService
from chibo_web.auth import issue_token

SECRET = "oversight-test-secret-of-some-length-0123456789"
FOUNDED = date(2020, 1, 1)
PROVINCE, COMMUNE, OTHER_COMMUNE = "province-1", "commune-1", "commune-2"
GRASSROOTS, CELL, GRASSROOTS_CELL, FAR_CELL = "grassroots-1", "cell-1", "cell-2", "cell-3"
OVERSEER, STANDING, NOBODY, MEMBER = "O", "S", "N", "A"
MEETING, OTHER_MEETING = "meeting-1", "meeting-2"
MEETING_DAY, OTHER_DAY = date(2025, 3, 3), date(2025, 3, 5)


def new_id() -> str:
    return str(uuid.uuid4())


class Feed:
    """Publishes real contract events of `source` as that service does: store → relay → bus."""

    def __init__(self, source: str, database_url: str, bus: Bus, partitions: int = 3) -> None:
        self.source = source
        self.store = SqlEventStore(create_engine(database_url), source)
        self.store.create_tables()
        self.registry = public_registry()
        self.topic = topic_for(source)
        bus.ensure_topics([self.topic], partitions)
        self.relay = Relay(self.store, bus.publisher(), self.topic)

    def emit(self, stream_id: str, event_name: str, **data: Any) -> None:
        event_type = f"{self.source}.{event_name}"
        event = NewEvent(event_type, self.registry.encode(event_type, data), subject=stream_id)
        version = len(self.store.load(stream_id))
        self.store.append(stream_id, version, [event], Metadata(actor=f"{self.source}-test"))

    def publish(self) -> int:
        published = 0
        while (batch := self.relay.run_once()) > 0:
            published += batch
        return published

    def republish(self) -> int:
        """Deliver everything again, as a relay that crashed before saving its cursor would."""
        self.store.save_cursor(self.relay.cursor, 0)
        return self.publish()

    def close(self) -> None:
        self.relay.publisher.close()
        self.store.engine.dispose()


class MembersFeed(Feed):
    def __init__(self, database_url: str, bus: Bus) -> None:
        super().__init__("members", database_url, bus)

    def unit(self, unit_id: str, kind: str = "cell", parent_id: str | None = None,
             on: date = FOUNDED) -> None:
        self.emit(unit_id, "OrgUnitCreated", unit_id=unit_id, code=unit_id.upper(),
                  name=f"Đơn vị {unit_id}", kind=kind, parent_id=parent_id, effective_from=on)

    def member(self, member_id: str, cell_id: str = CELL) -> None:
        self.emit(member_id, "MemberRegistered", member_id=member_id,
                  full_name=f"Nguyễn Văn {member_id}", birth_date=None, gender=None,
                  cell_id=cell_id, status="full", admitted_on=FOUNDED)

    def position(self, member_id: str, unit_id: str, position: str, *, from_: date = FOUNDED,
                 to: date | None = None, position_id: str | None = None) -> str:
        position_id = position_id or new_id()
        self.emit(member_id, "PositionAssigned", member_id=member_id, position_id=position_id,
                  unit_id=unit_id, position=position, from_=from_, to=to)
        return position_id

    def end_position(self, member_id: str, position_id: str, on: date) -> None:
        self.emit(member_id, "PositionEnded", member_id=member_id, position_id=position_id, on=on)

    def move(self, unit_id: str, parent_id: str, on: date) -> None:
        self.emit(unit_id, "OrgUnitMoved", unit_id=unit_id, parent_id=parent_id,
                  previous_parent_id=None, effective_from=on)

    def world(self) -> None:
        """Province > commune > grassroots committee > cell-1; commune > cell-2 (a grassroots
        cell); province > commune-2 > cell-3. O sits on the commune's executive committee, S
        on its standing committee; N holds nothing; A is a member of cell-1."""
        self.unit(PROVINCE, "provincial_committee")
        self.unit(COMMUNE, "commune_committee", PROVINCE)
        self.unit(OTHER_COMMUNE, "commune_committee", PROVINCE)
        self.unit(GRASSROOTS, "grassroots_committee", COMMUNE)
        self.unit(CELL, "cell", GRASSROOTS)
        self.unit(GRASSROOTS_CELL, "cell", COMMUNE)
        self.unit(FAR_CELL, "cell", OTHER_COMMUNE)
        for member, cell in ((OVERSEER, GRASSROOTS_CELL), (STANDING, GRASSROOTS_CELL),
                             (NOBODY, FAR_CELL), (MEMBER, CELL)):
            self.member(member, cell)
        self.position(OVERSEER, COMMUNE, "executive_committee_member", position_id="pos-O")
        self.position(STANDING, COMMUNE, "standing_committee_member", position_id="pos-S")


class MeetingsFeed(Feed):
    def __init__(self, database_url: str, bus: Bus) -> None:
        super().__init__("meetings", database_url, bus)

    def held(self, meeting_id: str = MEETING, cell_id: str = CELL, day: date = MEETING_DAY
             ) -> None:
        self.emit(meeting_id, "MeetingScheduled", meeting_id=meeting_id, cell_id=cell_id,
                  kind="regular", scheduled_for=day, scheduled_on=day, place=None, topic=None,
                  agenda=[])
        started, ended = f"{day}T19:00:00+07:00", f"{day}T21:00:00+07:00"
        self.emit(meeting_id, "MeetingHeld", meeting_id=meeting_id, cell_id=cell_id,
                  kind="regular", topic=None, scheduled_on=day, held_on=day,
                  started_at=_moment(started), ended_at=_moment(ended), duration_minutes=120,
                  place="Nhà văn hóa", chair_id=MEMBER, minute_taker_id=MEMBER)

    def roll_call(self, meeting_id: str = MEETING, cell_id: str = CELL, *,
                  day: date = MEETING_DAY, guests: tuple[tuple[str, str], ...] = (),
                  correction: int = 0) -> None:
        data: dict[str, Any] = {
            "meeting_id": meeting_id, "cell_id": cell_id, "kind": "regular", "held_on": day,
            "entries": [{"member_id": MEMBER, "status": "present", "reason": None}],
            "guests": [{"member_id": m, "role": role} for m, role in guests],
            "required": 1, "present": 1, "absent_excused": 0, "absent_unexcused": 0,
            "exempted_present": 0, "attendance_rate": 1.0, "required_member_ids": [MEMBER],
            "attached_member_ids": [], "exempted_member_ids": [],
            "exempted_present_member_ids": [], "voting_member_ids": [MEMBER], "voting_base": 1,
        }
        if correction:
            data |= {"correction": correction, "reason": "sửa điểm danh"}
            self.emit(meeting_id, "AttendanceCorrected", **data)
        else:
            self.emit(meeting_id, "AttendanceRecorded", **data)

    def scheduled(self, meeting_id: str, cell_id: str, day: date) -> None:
        self.emit(meeting_id, "MeetingScheduled", meeting_id=meeting_id, cell_id=cell_id,
                  kind="regular", scheduled_for=day, scheduled_on=day, place=None, topic=None,
                  agenda=[])

    def rescheduled(self, meeting_id: str, cell_id: str, day: date, before: date) -> None:
        self.emit(meeting_id, "MeetingRescheduled", meeting_id=meeting_id, cell_id=cell_id,
                  kind="regular", scheduled_for=day, scheduled_on=day,
                  previous_scheduled_on=before, reason="trùng lịch")

    def cancelled(self, meeting_id: str, cell_id: str, day: date) -> None:
        self.scheduled(meeting_id, cell_id, day)
        self.emit(meeting_id, "MeetingCancelled", meeting_id=meeting_id, cell_id=cell_id,
                  kind="regular", scheduled_on=day, reason="mưa lũ",
                  cancelled_at=_moment(f"{day}T08:00:00+07:00"))


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


def catch_up(service: OversightService) -> int:
    """Run the service's consumer until it has nothing more to apply."""
    runner = service.consumer()
    runner.poll_timeout = 0.05
    runner.open()
    applied = 0
    try:
        while (report := runner.run_once()).polled:
            applied += report.applied
    finally:
        runner.close()
    return applied


def event_count(service: OversightService) -> int:
    return service.store.last_position()


def stored(service: OversightService, event_name: str) -> list[dict[str, Any]]:
    """Every stored oversight event of that name, decoded by the public contract."""
    registry = public_registry()
    return [registry.decode(e).data for e in service.store.read_all(0, 100_000)
            if e.type == f"oversight.{event_name}"]


def wait_until(check: Callable[[], Any], deadline_s: float = 60.0, pause: float = 0.1) -> Any:
    """Poll `check` until it returns something truthy, or fail at the deadline."""
    deadline = time.monotonic() + deadline_s
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"still not true after {deadline_s}s: {check}")
        time.sleep(pause)


class Client:
    """Flask's test client with a bearer token and JSON helpers."""

    def __init__(self, app: Any, roles: tuple[str, ...] = ("admin",),
                 scope: tuple[str, ...] = ("*",), sub: str = "tester") -> None:
        self.app = app
        self.http = app.test_client()
        self.token = issue_token(SECRET, sub=sub, roles=roles, scope=scope)

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", **(extra or {})}

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.http.get(path, headers=self.headers(kwargs.pop("headers", None)), **kwargs)

    def post(self, path: str, body: Any = None, *, headers: dict[str, str] | None = None,
             raw: str | bytes | None = None) -> Any:
        data = raw if raw is not None else json.dumps(body)
        return self.http.post(path, data=data, content_type="application/json",
                              headers=self.headers(headers))
