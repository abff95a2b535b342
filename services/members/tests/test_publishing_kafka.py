"""Every members event reaches `members.events` on a real Kafka broker in a valid envelope."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from kafka import KafkaConsumer

from chibo_contracts import Envelope
from chibo_contracts.catalog import public_registry
from chibo_contracts.members import EVENTS
from chibo_members.app import create_app
from chibo_members.bootstrap import bootstrap
from chibo_members.publishing import TOPIC

from .conftest import TODAY, Api, make_settings, token


def exercise_every_command(api: Api, tag: str) -> None:
    """One request of each kind: together they append every event type of the contract."""
    province = api.unit(f"P-{tag}", "provincial_committee", None)
    district = api.unit(f"D-{tag}", "district_committee", province)
    commune = api.unit(f"X-{tag}", "commune_committee", district)
    cell, other = api.unit(f"K1-{tag}", "cell", commune), api.unit(f"K2-{tag}", "cell", commune)
    api.ok(
        f"/org-units/{commune}/rename",
        {"name": "Đảng bộ xã Mường Giôn", "effective_from": "2023-01-01"},
    )
    member = api.member("Nguyễn Văn An", cell, admitted_on="2021-03-01")
    api.ok(f"/members/{member}/confirm-full", {"effective_from": "2022-03-01"})
    api.ok(
        f"/members/{member}/exemptions",
        {"from": "2023-02-01", "reason": "ốm", "decision_ref": "QĐ-1"},
    )
    api.ok(f"/members/{member}/exemptions/end", {"on": "2023-05-31"})
    api.ok(
        f"/members/{member}/attachments",
        {"cell_id": other, "from": "2023-06-01", "to": "2023-08-31"},
    )
    held = api.ok(
        f"/members/{member}/positions",
        {"unit_id": cell, "position": "secretary", "from": "2023-01-01"},
    )
    api.ok(
        f"/members/{member}/positions/{held['positions'][0]['position_id']}/end",
        {"on": "2023-12-31"},
    )
    api.ok(f"/members/{member}/transfer", {"cell_id": other, "effective_from": "2024-01-01"})
    api.ok(f"/org-units/{commune}/move", {"parent_id": province, "effective_from": "2025-07-01"})
    api.ok(
        f"/org-units/{district}/dissolve",
        {"reason": "huyện ủy giải thể", "effective_from": "2025-07-01"},
    )
    api.ok(f"/org-units/{other}/merge", {"into_id": cell, "effective_from": "2025-08-01"})
    api.ok(
        f"/members/{member}/leave", {"reason": "transferred_out", "effective_from": "2025-09-01"}
    )


@pytest.mark.kafka
def test_every_contract_event_is_published_to_the_members_topic(
    tmp_path: Path, kafka_bootstrap_servers: str, unique_name: str
):
    settings = make_settings(
        tmp_path,
        f"sqlite:///{tmp_path}/members.sqlite3",
        CHIBO_BUS="kafka",
        KAFKA_BOOTSTRAP_SERVERS=kafka_bootstrap_servers,
        KAFKA_PARTITIONS="3",
    )
    service = bootstrap(settings, clock=lambda: TODAY)
    api = Api(create_app(settings, service).test_client(), service, token())
    stop = threading.Event()
    (relay,) = service.workers()
    thread = threading.Thread(target=relay.run, args=(stop,), daemon=True)
    thread.start()
    try:
        exercise_every_command(api, unique_name)
        ours = {e.stream_id for e in service.store.read_all(0, 10_000)}
        published = consume(kafka_bootstrap_servers, ours, expected=service.store.last_position())
    finally:
        stop.set()
        thread.join(30)
        service.store.engine.dispose()
    registry = public_registry()
    decoded = [registry.decode(envelope) for envelope in published]
    assert {d.type for d in decoded} == {f"members.{name}" for name in EVENTS}
    assert len(EVENTS) == 14
    assert sorted(e.position or 0 for e in published) == list(range(1, len(published) + 1))
    assert all(e.source == "members" and e.hash and e.specversion == "1.0" for e in published)


def consume(servers: str, streams: set[str], expected: int, seconds: float = 90) -> list[Envelope]:
    """Read the topic from the start until `expected` events of `streams` arrived."""
    consumer = KafkaConsumer(
        TOPIC, bootstrap_servers=servers.split(","), auto_offset_reset="earliest", group_id=None
    )
    found: dict[str, Envelope] = {}
    deadline = time.monotonic() + seconds
    try:
        while len(found) < expected and time.monotonic() < deadline:
            for records in consumer.poll(timeout_ms=500).values():
                for record in records:
                    envelope = Envelope.from_message(record.value, record.headers)
                    if envelope.stream_id in streams:
                        assert record.key.decode() == envelope.stream_id
                        found[envelope.id] = envelope
    finally:
        consumer.close()
    assert len(found) == expected, f"{len(found)} of {expected} events arrived"
    return list(found.values())
