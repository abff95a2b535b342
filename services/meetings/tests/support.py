"""Test helpers: a members.events producer, a catch-up for the roll, an authenticated client."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

import sqlalchemy as sa

from chibo_contracts.catalog import public_registry, topic_for
from chibo_eventsourcing.bus import Bus
from chibo_eventsourcing.relay import Relay
from chibo_eventsourcing.sql.engine import create_engine
from chibo_eventsourcing.sql.store import SqlEventStore
from chibo_eventsourcing.store import Metadata, NewEvent
from chibo_meetings.bootstrap import MeetingsService
from chibo_web.auth import issue_token

SECRET = "meetings-test-secret-of-some-length-0123456789"
MEMBERS_TOPIC = topic_for("members")
CELL, OTHER_CELL, COMMUNE, PROVINCE = "cell-1", "cell-2", "commune-1", "province-1"
OFFICE_CELL, OVERSEER = "office-cell", "O-1"  # a provincial office's cell; its member oversees
FOUNDED = date(2020, 1, 1)


def new_id() -> str:
    return str(uuid.uuid4())


class MembersFeed:
    """Publishes real members contract events as the members service does: store → relay → bus."""

    def __init__(self, database_url: str, bus: Bus, partitions: int = 3) -> None:
        self.store = SqlEventStore(create_engine(database_url), "members")
        self.store.create_tables()
        self.registry = public_registry()
        bus.ensure_topics([MEMBERS_TOPIC], partitions)
        self.relay = Relay(self.store, bus.publisher(), MEMBERS_TOPIC)

    def emit(self, stream_id: str, event_name: str, **data: Any) -> None:
        event_type = f"members.{event_name}"
        event = NewEvent(event_type, self.registry.encode(event_type, data), subject=stream_id)
        version = len(self.store.load(stream_id))
        self.store.append(stream_id, version, [event], Metadata(actor="members-test"))

    def publish(self) -> int:
        published = 0
        while (batch := self.relay.run_once()) > 0:
            published += batch
        return published

    def close(self) -> None:
        self.relay.publisher.close()

    def unit(self, unit_id: str, kind: str = "cell", parent_id: str | None = None,
             on: date = FOUNDED) -> None:
        self.emit(unit_id, "OrgUnitCreated", unit_id=unit_id, code=unit_id.upper(),
                  name=f"Đơn vị {unit_id}", kind=kind, parent_id=parent_id, effective_from=on)

    def member(self, member_id: str, cell_id: str = CELL, status: str = "full",
               admitted_on: date = FOUNDED, full_name: str | None = None) -> None:
        self.emit(member_id, "MemberRegistered", member_id=member_id,
                  full_name=full_name or f"Nguyễn Văn {member_id}", birth_date=None, gender=None,
                  cell_id=cell_id, status=status, admitted_on=admitted_on)

    def exempt(self, member_id: str, from_: date, to: date | None = None,
               exemption_id: str | None = None) -> str:
        exemption_id = exemption_id or new_id()
        self.emit(member_id, "MemberExempted", member_id=member_id, exemption_id=exemption_id,
                  from_=from_, to=to, reason="tuổi cao", decision_ref="QĐ-01")
        return exemption_id

    def end_exemption(self, member_id: str, exemption_id: str, on: date) -> None:
        self.emit(member_id, "MemberExemptionEnded", member_id=member_id,
                  exemption_id=exemption_id, on=on)

    def attach(self, member_id: str, cell_id: str, from_: date, to: date | None = None) -> None:
        self.emit(member_id, "MemberTemporarilyAttached", member_id=member_id,
                  attachment_id=new_id(), cell_id=cell_id, from_=from_, to=to)

    def transfer(self, member_id: str, cell_id: str, on: date) -> None:
        self.emit(member_id, "MemberTransferred", member_id=member_id, cell_id=cell_id,
                  previous_cell_id=None, effective_from=on)

    def confirm_full(self, member_id: str, on: date) -> None:
        self.emit(member_id, "MemberConfirmedFull", member_id=member_id, effective_from=on)

    def leave(self, member_id: str, on: date, reason: str = "deceased") -> None:
        self.emit(member_id, "MemberLeft", member_id=member_id, reason=reason, effective_from=on)

    def move(self, unit_id: str, parent_id: str, on: date) -> None:
        self.emit(unit_id, "OrgUnitMoved", unit_id=unit_id, parent_id=parent_id,
                  previous_parent_id=None, effective_from=on)

    def merge(self, unit_id: str, into_id: str, on: date) -> None:
        self.emit(unit_id, "OrgUnitMerged", unit_id=unit_id, into_id=into_id, effective_from=on)

    def dissolve(self, unit_id: str, on: date) -> None:
        self.emit(unit_id, "OrgUnitDissolved", unit_id=unit_id, reason="giải thể",
                  effective_from=on)

    def standard_tree(self) -> None:
        """A province, a commune, two cells; A, B, C full and P probationary in cell-1; Z in
        cell-2; the overseer O-1 in a cell of the province's office."""
        self.unit(PROVINCE, "provincial_committee")
        self.unit(COMMUNE, "commune_committee", PROVINCE)
        self.unit(CELL, "cell", COMMUNE)
        self.unit(OTHER_CELL, "cell", COMMUNE)
        self.unit(OFFICE_CELL, "cell", PROVINCE)
        for member in ("A", "B", "C"):
            self.member(member)
        self.member("P", status="probationary", admitted_on=date(2024, 6, 1))
        self.member("Z", cell_id=OTHER_CELL)
        self.member(OVERSEER, cell_id=OFFICE_CELL)


def catch_up(service: MeetingsService) -> int:
    """Run the service's members.events consumer until it has nothing more to apply."""
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


def event_count(service: MeetingsService) -> int:
    return service.store.last_position()


def stored_events(service: MeetingsService, meeting_id: str) -> list[dict[str, Any]]:
    """The meeting's stored events, decoded by the public contract (as a consumer sees them)."""
    registry = public_registry()
    return [
        {"type": e.type, **registry.decode(e).data} for e in service.store.load(meeting_id)
    ]


def wait_until(check: Callable[[], Any], deadline_s: float = 60.0, pause: float = 0.2) -> Any:
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
                 scope: tuple[str, ...] = ("*",)) -> None:
        self.app = app
        self.http = app.test_client()
        self.token = issue_token(SECRET, sub="tester", roles=roles, scope=scope)

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", **(extra or {})}

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.http.get(path, headers=self.headers(kwargs.pop("headers", None)), **kwargs)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        return self._send("post", path, body, **kwargs)

    def put(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        return self._send("put", path, body, **kwargs)

    def _send(self, method: str, path: str, body: Any, *, headers: dict[str, str] | None = None,
              raw: str | bytes | None = None) -> Any:
        data = raw if raw is not None else json.dumps(body)
        return getattr(self.http, method)(
            path, data=data, content_type="application/json", headers=self.headers(headers)
        )


def count_rows(engine: sa.Engine, table: sa.Table) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())
