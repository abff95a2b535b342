"""Test helpers: producers of real contract events (store → relay → bus), a catch-up for the
projector, and an authenticated client."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from chibo_contracts import Envelope
from chibo_contracts.catalog import public_registry, topic_for
from chibo_eventsourcing.bus import Bus
from chibo_eventsourcing.relay import Relay
from chibo_eventsourcing.sql.engine import create_engine
from chibo_eventsourcing.sql.store import SqlEventStore
from chibo_eventsourcing.store import Metadata, NewEvent
from chibo_reporting.bootstrap import ReportingService
from chibo_reporting.projections import ReportingProjection
from chibo_web.auth import issue_token

SECRET = "reporting-test-secret-of-a-decent-length-0123456789"
HANOI = timezone(timedelta(hours=7))


def new_id() -> str:
    return str(uuid.uuid4())


def at(day: date, hour: int = 19, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), HANOI)


class Feed:
    """Publishes one service's contract events the way that service does: store → relay → bus."""

    def __init__(self, source: str, database_url: str, bus: Bus, partitions: int = 3) -> None:
        self.source = source
        self.store = SqlEventStore(create_engine(database_url), source)
        self.store.create_tables()
        self.registry = public_registry()
        bus.ensure_topics([topic_for(source)], partitions)
        self.relay = Relay(self.store, bus.publisher(), topic_for(source))

    def emit(self, stream_id: str, event_name: str, /, **data: Any) -> Envelope:
        event_type = f"{self.source}.{event_name}"
        event = NewEvent(event_type, self.registry.encode(event_type, data), subject=stream_id)
        version = len(self.store.load(stream_id))
        actor = Metadata(actor=f"{self.source}-test")
        return self.store.append(stream_id, version, [event], actor)[-1]

    def publish(self) -> int:
        published = 0
        while (batch := self.relay.run_once()) > 0:
            published += batch
        return published


@dataclass
class Roll:
    """What the meetings service would record for a roll call (DOMAIN.md §5)."""

    required: list[str]
    statuses: dict[str, str]
    exempted: list[str] = field(default_factory=list)
    attached: list[str] = field(default_factory=list)

    def data(self) -> dict[str, Any]:
        exempted_present = [m for m in self.exempted if self.statuses.get(m) == "present"]
        entries = [{"member_id": m, "status": self.statuses.get(m, "present"),
                    "reason": None if self.statuses.get(m, "present") != "absent_excused"
                    else "ốm"} for m in self.required]
        entries += [{"member_id": m, "status": "present", "reason": None}
                    for m in exempted_present]
        counts = {s: sum(1 for m in self.required if self.statuses.get(m, "present") == s)
                  for s in ("present", "absent_excused", "absent_unexcused")}
        voting = [m for m in self.required if self.statuses.get(m, "present") == "present"]
        return {
            "entries": entries, "guests": [], "required": len(self.required),
            "present": counts["present"], "absent_excused": counts["absent_excused"],
            "absent_unexcused": counts["absent_unexcused"],
            "exempted_present": len(exempted_present),
            "attendance_rate": counts["present"] / len(self.required) if self.required else None,
            "required_member_ids": self.required, "attached_member_ids": self.attached,
            "exempted_member_ids": [m for m in self.exempted if m not in exempted_present],
            "exempted_present_member_ids": exempted_present,
            "voting_member_ids": voting, "voting_base": len(voting),
        }


class World:
    """Members, meetings and oversight producers on one bus, with scenario helpers."""

    def __init__(self, folder: str, bus: Bus, partitions: int = 3) -> None:
        self.members = Feed("members", f"sqlite:///{folder}/members.db", bus, partitions)
        self.meetings = Feed("meetings", f"sqlite:///{folder}/meetings.db", bus, partitions)
        self._oversight: Feed | None = None
        self._folder, self._bus, self._partitions = folder, bus, partitions

    @property
    def oversight(self) -> Feed:
        if self._oversight is None:
            self._oversight = Feed("oversight", f"sqlite:///{self._folder}/oversight.db",
                                   self._bus, self._partitions)
        return self._oversight

    def publish(self) -> None:
        for feed in (self.members, self.meetings, self._oversight):
            if feed is not None:
                feed.publish()

    # members.events
    def unit(self, unit_id: str, kind: str, parent: str | None, on: date = date(2020, 1, 1),
             name: str | None = None) -> Envelope:
        return self.members.emit(unit_id, "OrgUnitCreated", unit_id=unit_id,
                                 code=unit_id.upper(), name=name or f"Đơn vị {unit_id}",
                                 kind=kind, parent_id=parent, effective_from=on)

    def move(self, unit_id: str, parent: str, on: date) -> Envelope:
        return self.members.emit(unit_id, "OrgUnitMoved", unit_id=unit_id, parent_id=parent,
                                 previous_parent_id=None, effective_from=on)

    def member(self, member_id: str, cell: str, on: date = date(2020, 1, 1)) -> Envelope:
        return self.members.emit(member_id, "MemberRegistered", member_id=member_id,
                                 full_name=f"Lò Văn {member_id}", birth_date=None, gender=None,
                                 cell_id=cell, status="full", admitted_on=on)

    def transfer(self, member_id: str, cell: str, on: date) -> Envelope:
        return self.members.emit(member_id, "MemberTransferred", member_id=member_id,
                                 cell_id=cell, previous_cell_id=None, effective_from=on)

    def exempt(self, member_id: str, start: date, to: date | None = None) -> Envelope:
        return self.members.emit(member_id, "MemberExempted", member_id=member_id,
                                 exemption_id=new_id(), from_=start, to=to,
                                 reason="tuổi cao", decision_ref="NQ-05/CB")

    # meetings.events
    def meeting(self, meeting_id: str, cell: str, day: date, *, kind: str = "regular",
                minutes: int = 95, roll: Roll | None = None, topic: str | None = None,
                documents: bool = True, notices: Iterable[str] | None = (),
                score: float | None = 92.0, reason: str | None = None,
                scheduled: date | None = None) -> dict[str, Envelope]:
        """A meeting through its life: planned, noticed, held, roll call, minutes, assessed."""
        emit, out = self.meetings.emit, {}
        base = {"meeting_id": meeting_id, "cell_id": cell}
        planned = scheduled or day
        topic = topic if topic is not None else ("Làm đường bê tông" if kind != "regular"
                                                 else None)
        out["scheduled"] = emit(meeting_id, "MeetingScheduled", **base, kind=kind,
                                scheduled_for=planned, scheduled_on=planned, place="Nhà văn hóa",
                                topic=topic, agenda=[])
        if reason:
            out["rescheduled"] = emit(meeting_id, "MeetingRescheduled", **base, kind=kind,
                                      scheduled_for=day, scheduled_on=day,
                                      previous_scheduled_on=planned, reason=reason)
        if notices is not None:
            out["notice"] = emit(meeting_id, "MeetingNoticeSent", **base, notice_id=new_id(),
                                 scheduled_on=day, sent_at=at(day - timedelta(days=2)),
                                 to_members=True, to_overseer_ids=list(notices))
        if documents:
            out["before"] = emit(meeting_id, "MeetingDocumentPosted", **base,
                                 document_id=new_id(), phase="before", title="Dự thảo",
                                 posted_at=at(day - timedelta(days=1)), uri=None)
        start = at(day)
        out["held"] = emit(meeting_id, "MeetingHeld", **base, kind=kind, topic=topic,
                           scheduled_on=day, held_on=day, started_at=start,
                           ended_at=start + timedelta(minutes=minutes), duration_minutes=minutes,
                           place="Nhà văn hóa bản", chair_id="chair", minute_taker_id="clerk")
        if roll is not None:
            out["roll"] = emit(meeting_id, "AttendanceRecorded", **base, kind=kind, held_on=day,
                               **roll.data())
        if documents:
            out["after"] = emit(meeting_id, "MeetingDocumentPosted", **base,
                                document_id=new_id(), phase="after", title="Biên bản",
                                posted_at=at(day + timedelta(days=1)), uri=None)
        if score is not None:
            out["assessed"] = emit(meeting_id, "MeetingSelfAssessed", **base, kind=kind,
                                   held_on=day, rubric="nghe-an-27", scores={"all": score},
                                   total=score, max_total=100.0,
                                   grade="good" if score >= 90 else "fair",
                                   assessed_on=day + timedelta(days=1))
        return out

    def correct_roll(self, meeting_id: str, cell: str, day: date, roll: Roll,
                     correction: int = 1) -> Envelope:
        return self.meetings.emit(meeting_id, "AttendanceCorrected", meeting_id=meeting_id,
                                  cell_id=cell, kind="regular", held_on=day, reason="sửa",
                                  correction=correction, **roll.data())

    # oversight.events
    def assign(self, overseer: str, unit: str, basis: str, start: date, *,
               to: date | None = None, committee: str = "huyen-uy") -> Envelope:
        assignment_id = new_id()
        return self.oversight.emit(assignment_id, "OverseerAssigned",
                                   assignment_id=assignment_id, overseer_id=overseer,
                                   unit_id=unit, position_basis=basis, position_unit_id=committee,
                                   position_id=None, from_=start, to=to)

    def visit(self, overseer: str, cell: str, day: date, *, counts: bool = True) -> Envelope:
        visit_id = new_id()
        return self.oversight.emit(visit_id, "VisitMade", visit_id=visit_id,
                                   overseer_id=overseer, cell_id=cell, meeting_id=None,
                                   visited_on=day, comments="", issues=[], follow_ups=[],
                                   derived=False, counts_toward_quota=counts,
                                   assignment_id=None, position_basis=None)

    def withdraw(self, visit: Envelope) -> Envelope:
        made = visit.data
        return self.oversight.emit(visit.stream_id, "VisitWithdrawn", visit_id=made["visit_id"],
                                   overseer_id=made["overseer_id"], cell_id=made["cell_id"],
                                   meeting_id=made["meeting_id"],
                                   visited_on=date.fromisoformat(made["visited_on"]),
                                   reason="ghi nhầm")


def catch_up(service: ReportingService, batch_size: int = 1000,
             projection: ReportingProjection | None = None) -> int:
    """Run the projector (with `projection`, kept between calls) until it has nothing more to
    apply; return how many it applied."""
    runner = service.projector()
    if projection is not None:
        runner.projection = projection
    runner.poll_timeout = 0.05
    runner.batch_size = batch_size
    runner.open()
    applied = 0
    try:
        while (report := runner.run_once()).polled:
            applied += report.applied
    finally:
        runner.close()
    return applied


class Client:
    """Flask's test client with a bearer token and JSON helpers."""

    def __init__(self, app: Any, roles: tuple[str, ...] = ("admin",),
                 scope: tuple[str, ...] = ("*",)) -> None:
        self.http = app.test_client()
        self.token = issue_token(SECRET, sub="tester", roles=roles, scope=scope)

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", **(extra or {})}

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.http.get(path, headers=self.headers(kwargs.pop("headers", None)), **kwargs)

    def post(self, path: str, body: Any, headers: dict[str, str] | None = None) -> Any:
        return self.http.post(path, data=json.dumps(body), content_type="application/json",
                              headers=self.headers(headers))


def walk(client: Client, source: str, limit: int) -> list[dict[str, Any]]:
    """Every page of a verification of `source`, `limit` streams a page."""
    pages: list[dict[str, Any]] = []
    path = f"/audit/verify?source={source}&limit={limit}"
    while not pages or pages[-1]["next"] is not None:
        answer = client.get(path + (f"&after={pages[-1]['next']}" if pages else ""))
        assert answer.status_code == 200, answer.get_json()
        pages.append(answer.get_json())
    return pages
