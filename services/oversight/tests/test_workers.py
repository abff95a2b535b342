"""The service's own workers on a real bus: the consumer keeps the copy of the tree and turns
roll calls into visits, the relay publishes oversight.events. Embedded log and Kafka."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa

from chibo_contracts import Envelope
from chibo_contracts.catalog import public_registry, topic_for
from chibo_eventsourcing.kafka import KafkaBus
from chibo_eventsourcing.runtime import start_threads
from chibo_eventsourcing.sql.engine import read_connection
from chibo_oversight.app import create_app
from chibo_oversight.bootstrap import OversightService, bootstrap

from .conftest import make_settings
from .support import Client, MeetingsFeed, MembersFeed, stored, wait_until

DAY = date(2025, 3, 3)


@contextmanager
def running(tmp_path, bus) -> Iterator[Any]:
    """The app, with the relay and the consumer running in threads as `chibo run` runs them."""
    settings = make_settings(tmp_path, f"sqlite:///{tmp_path}/oversight.db")
    service = bootstrap(settings, bus=bus)
    stop = threading.Event()
    threads = start_threads(service.workers(), stop)
    try:
        yield create_app(settings, service=service)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
        service.engine.dispose()


def test_the_workers_are_the_relay_and_the_consumer(tmp_path, bus):
    service = bootstrap(make_settings(tmp_path, f"sqlite:///{tmp_path}/o.db"), bus=bus)
    assert [w.name for w in service.workers()] == ["oversight-relay", "oversight-consumer"]
    assert service.consumer().topics == ["members.events", "meetings.events"]
    assert service.consumer().group == "oversight"


def test_on_the_embedded_log_a_roll_call_gives_one_published_visit(tmp_path, bus):
    with running(tmp_path, bus) as app:
        roll_call_gives_one_published_visit(tmp_path, app, bus)


@pytest.mark.kafka
def test_on_kafka_a_roll_call_gives_one_published_visit(tmp_path, kafka_bootstrap_servers):
    bus = KafkaBus(kafka_bootstrap_servers)
    with running(tmp_path, bus) as app:
        roll_call_gives_one_published_visit(tmp_path, app, bus)


def roll_call_gives_one_published_visit(tmp_path, app, bus) -> None:
    """An overseer in charge of a cell appears as a guest in its roll call: one VisitMade on
    oversight.events, though the roll call is delivered twice and then corrected."""
    s = uuid.uuid4().hex[:8]
    commune, cell, overseer, meeting = f"commune-{s}", f"cell-{s}", f"o-{s}", f"meeting-{s}"
    members = MembersFeed(f"sqlite:///{tmp_path}/members.db", bus)
    members.unit(commune, "commune_committee")
    members.unit(cell, "cell", commune)
    members.member(overseer, cell)
    members.position(overseer, commune, "standing_committee_member")
    members.publish()
    client, service = Client(app), app.extensions["chibo"]
    body = {"overseer_id": overseer, "unit_id": cell, "position_basis":
            "standing_committee_member", "from": "2025-01-01"}
    wait_until(lambda: client.post("/assignments", body).status_code == 201)

    meetings = MeetingsFeed(f"sqlite:///{tmp_path}/meetings.db", bus)
    meetings.held(meeting, cell, DAY)
    meetings.roll_call(meeting, cell, day=DAY, guests=((overseer, "overseer"),))
    meetings.publish()
    first = wait_until(lambda: _visits(bus, meeting))
    assert first[0]["overseer_id"] == overseer and first[0]["counts_toward_quota"] is True

    meetings.republish()
    meetings.roll_call(meeting, cell, day=DAY, guests=((overseer, "cấp ủy viên"),),
                       correction=1)
    meetings.publish()
    wait_until(lambda: _guest_role(service, meeting) == "cấp ủy viên")
    wait_until(lambda: service.store.load_cursor("relay:oversight.events")
               == service.store.last_position())
    assert len(_visits(bus, meeting)) == 1
    assert len([v for v in stored(service, "VisitMade") if v["meeting_id"] == meeting]) == 1
    members.close()
    meetings.close()


def _visits(bus, meeting_id: str) -> list[dict[str, Any]]:
    """The VisitMade events for the meeting on oversight.events, read from the beginning."""
    registry = public_registry()
    return [registry.decode(e).data for e in _everything(bus, topic_for("oversight"))
            if e.type == "oversight.VisitMade" and e.data.get("meeting_id") == meeting_id]


def _everything(bus, topic: str, polls: int = 30) -> list[Envelope]:
    """Read until two polls in a row bring nothing after something came (partitions are
    assigned during the first polls), or `polls` polls."""
    subscription = bus.subscribe(f"probe-{uuid.uuid4().hex[:8]}", [topic], lambda _: {})
    envelopes: list[Envelope] = []
    quiet = 0
    try:
        for _ in range(polls):
            records = subscription.poll(1000, 1.0)
            envelopes += [Envelope.from_message(r.value, r.headers) for r in records]
            quiet = 0 if records or not envelopes else quiet + 1
            if quiet == 2:
                break
    finally:
        subscription.close()
    return envelopes


def _guest_role(service: OversightService, meeting_id: str) -> str | None:
    table = service.tables.guests
    with read_connection(service.engine) as conn:
        role = conn.execute(sa.select(table.c.role).where(table.c.meeting_id == meeting_id)
                            ).scalar()
    return str(role) if role is not None else None
