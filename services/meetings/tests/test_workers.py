"""The service's own workers on a real bus: the members.events consumer keeps the roll that roll
calls are checked against, and the relay publishes meetings.events. Embedded log and Kafka."""

from __future__ import annotations

import threading
import uuid
from contextlib import contextmanager
from datetime import date

import pytest

from chibo_contracts import Envelope
from chibo_contracts.catalog import public_registry, topic_for
from chibo_eventsourcing.kafka import KafkaBus
from chibo_eventsourcing.runtime import start_threads
from chibo_meetings.app import create_app
from chibo_meetings.bootstrap import bootstrap

from .api_steps import STARTED, entries, hold
from .conftest import make_settings
from .support import Client, MembersFeed, wait_until

DAY = date(2025, 3, 3)


@contextmanager
def running(tmp_path, bus):
    """The app, with the relay and the consumer running in threads as `chibo run` runs them."""
    settings = make_settings(tmp_path, f"sqlite:///{tmp_path}/meetings.db")
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


def test_the_workers_are_the_relay_and_the_members_consumer(tmp_path, bus):
    service = bootstrap(make_settings(tmp_path, f"sqlite:///{tmp_path}/m.db"), bus=bus)
    assert [w.name for w in service.workers()] == ["meetings-relay", "meetings-members-consumer"]


def test_an_exemption_on_the_embedded_log_changes_the_valid_roll_call(tmp_path, bus):
    with running(tmp_path, bus) as app:
        exemption_changes_the_valid_roll_call(tmp_path, app, bus)


@pytest.mark.kafka
def test_an_exemption_on_kafka_changes_the_valid_roll_call(tmp_path, kafka_bootstrap_servers):
    bus = KafkaBus(kafka_bootstrap_servers)
    with running(tmp_path, bus) as app:
        exemption_changes_the_valid_roll_call(tmp_path, app, bus)


def exemption_changes_the_valid_roll_call(tmp_path, app, bus):
    """Member registered, then exempted, on members.events: the accepted roll call follows."""
    suffix = uuid.uuid4().hex[:8]
    cell, kept, exempted = f"cell-{suffix}", f"kept-{suffix}", f"old-{suffix}"
    feed = MembersFeed(f"sqlite:///{tmp_path}/members.db", bus)
    feed.unit(cell)
    feed.member(kept, cell)
    feed.member(exempted, cell, full_name="Trần Thị Già")
    feed.publish()
    client, service = Client(app), app.extensions["chibo"]
    meeting_id = str(uuid.uuid4())
    body = {"id": meeting_id, "cell_id": cell, "kind": "regular", "scheduled_for": STARTED}
    wait_until(lambda: client.post("/meetings", body).status_code == 201)
    wait_until(lambda: service.roster.roll(cell, DAY).required == {kept, exempted})
    hold(client, meeting_id, chair=kept, minute_taker=kept)
    only_kept = {"entries": entries(kept)}
    refused = client.put(f"/meetings/{meeting_id}/roll-call", only_kept)
    assert refused.status_code == 422 and "Trần Thị Già" in refused.json["detail"]

    feed.exempt(exempted, date(2025, 1, 1))
    feed.publish()
    wait_until(lambda: client.put(f"/meetings/{meeting_id}/roll-call",
                                  only_kept).status_code == 200)
    roll_call = client.get(f"/meetings/{meeting_id}").json["roll_call"]
    assert roll_call["required_member_ids"] == [kept]
    assert roll_call["exempted_member_ids"] == [exempted]

    published = wait_until(lambda: _published(bus, meeting_id, "meetings.AttendanceRecorded"))
    assert [(e["member_id"], e["status"]) for e in published["entries"]] == [(kept, "present")]
    assert published["required"] == 1 and published["cell_id"] == cell
    feed.close()


def _published(bus, meeting_id, event_type):
    """The data of `event_type` for the meeting as it reached meetings.events, if it did."""
    subscription = bus.subscribe(f"probe-{uuid.uuid4().hex[:8]}", [topic_for("meetings")],
                                 lambda partitions: {})
    try:
        for _ in range(20):
            for record in subscription.poll(1000, 0.5):
                envelope = Envelope.from_message(record.value, record.headers)
                if envelope.stream_id == meeting_id and envelope.type == event_type:
                    return public_registry().decode(envelope).data
    finally:
        subscription.close()
    return None
