"""The same end-to-end flow on real PostgreSQL (read models) and on real Kafka (the bus)."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from datetime import date

import pytest

from chibo_eventsourcing.kafka import KafkaBus
from chibo_eventsourcing.runtime import start_threads
from chibo_reporting.app import create_app
from chibo_reporting.bootstrap import bootstrap
from chibo_reporting.replay import rebuild

from .conftest import NOW, make_settings
from .support import Client, Roll, World, catch_up, walk


def flow(world: World, client: Client, settle: Callable[[str], dict]) -> str:
    """A province, a commune, a cell of 12 (1 exempted who attends), one roll call of 10
    present and 1 excused, a member transferred in; the reports after the projection. The
    exempted member counts as present outside the base (DOMAIN §5): 11 present of 11.
    Returns the province's id."""
    tag = uuid.uuid4().hex[:8]
    province, commune, cell, other = (f"{n}-{tag}" for n in ("province", "commune", "cell", "px"))
    members = [f"m{n:02d}-{tag}" for n in range(1, 13)]
    world.unit(province, "provincial_committee", None)
    world.unit(commune, "commune_committee", province)
    world.unit(cell, "cell", commune)
    world.unit(other, "cell", commune)
    for member in members:
        world.member(member, cell)
    world.exempt(members[-1], date(2023, 1, 1))
    roll = Roll(required=members[:-1], exempted=[members[-1]],
                statuses={members[10]: "absent_excused", members[-1]: "present"})
    world.meeting(f"meeting-{tag}", cell, date(2024, 3, 3), roll=roll)
    world.transfer(members[0], other, date(2024, 3, 15))
    world.publish()
    positions = (f"members:{world.members.store.last_position()}",
                 f"meetings:{world.meetings.store.last_position()}")
    wait = "&".join(f"wait_for={p}" for p in positions)

    answer = settle(f"/reports/cells/{cell}?period=2024-03&{wait}")
    figures = answer["rules"]["CR-11"]["figures"]
    assert (figures["required"], figures["present"], figures["exempted_present"]) == (11, 11, 1)
    assert figures["rate"] == 1.0
    unit = settle(f"/reports/units/{commune}?period=2024-03&{wait}")
    assert unit["cells"] == 2
    assert unit["attendance"]["average_rate"] == 1.0
    mover = settle(f"/reports/members/{members[0]}?period=2024&{wait}")
    assert [c["cell_id"] for c in mover["cells"] if c["role"] == "member"] == [cell, other]
    verified = settle(f"/audit/verify?source=meetings&{wait}")
    assert verified["ok"] is True
    return province


@pytest.mark.postgres
def test_the_flow_with_the_read_models_on_postgresql(tmp_path, bus, fresh_postgres_url):
    settings = make_settings(tmp_path, fresh_postgres_url)
    service = bootstrap(settings, bus=bus, clock=lambda: NOW)
    client = Client(create_app(settings, service=service))
    world = World(str(tmp_path), bus)
    assert service.projector().child_writer is not None  # on PostgreSQL, by default

    def settle(path: str) -> dict:
        catch_up(service, batch_size=5)
        answer = client.get(path)
        assert answer.status_code == 200, answer.get_json()
        return answer.get_json()

    try:
        flow(world, client, settle)
        whole = client.get("/audit/verify?source=members").get_json()
        pages = walk(client, "members", 3)  # PostgreSQL's order of the ids, page by page
        assert all(page["ok"] for page in pages) and len(pages) == -(-whole["streams"] // 3)
        assert (sum(p["streams"] for p in pages), sum(p["events"] for p in pages)) == (
            whole["streams"], whole["events"])
        replayed = rebuild(service, prefix="replay_")  # from a writer process too, by default
        assert replayed.writer_process and replayed.equal, replayed.differing
    finally:
        service.engine.dispose()


@pytest.mark.kafka
def test_the_flow_over_kafka_with_the_projector_and_relay_running(tmp_path,
                                                                  kafka_bootstrap_servers):
    bus = KafkaBus(kafka_bootstrap_servers)
    settings = make_settings(tmp_path, f"sqlite:///{tmp_path}/reporting.db", wait_seconds=5.0)
    service = bootstrap(settings, bus=bus, clock=lambda: NOW)
    client = Client(create_app(settings, service=service))
    world = World(str(tmp_path), bus)
    stop = threading.Event()
    threads = start_threads(service.workers(), stop)

    def settle(path: str) -> dict:
        deadline = time.monotonic() + 120
        while True:
            answer = client.get(path)
            if answer.status_code == 200:
                return answer.get_json()
            assert answer.status_code == 504, answer.get_json()
            assert time.monotonic() < deadline, answer.get_json()

    try:
        province = flow(world, client, settle)
        published = client.post("/rulebooks", {"unit_id": province,
                                               "effective_from": "2024-01-01",
                                               "parameters": {"prescribed_day": 24}})
        position = published.headers["Chibo-Position"]
        stream = settle(f"/audit/streams/rulebooks:{published.get_json()['unit_id']}"
                        f"?wait_for={position}")
        assert [e["type"] for e in stream["events"]] == ["reporting.RulebookPublished"]
    finally:
        stop.set()
        for thread in threads:
            thread.join(30)
        service.engine.dispose()


@pytest.mark.postgres
def test_two_units_publishing_one_rulebook_id_at_once_on_postgresql(tmp_path, bus,
                                                                   fresh_postgres_url):
    """Two committees publish under one id at the same moment, eight times over: each time one
    publication is stored and the other is a 409 naming the owner, never both."""
    settings = make_settings(tmp_path, fresh_postgres_url)
    service = bootstrap(settings, bus=bus, clock=lambda: NOW)
    client = Client(create_app(settings, service=service))
    world = World(str(tmp_path), bus)
    units = ("province-a", "province-b")
    for unit in units:
        world.unit(unit, "provincial_committee", None)
    world.publish()
    catch_up(service)
    rounds = 8
    start = threading.Barrier(len(units))
    answers: dict[tuple[int, str], int] = {}

    def publish(unit: str) -> None:
        for n in range(rounds):
            start.wait(10)
            answer = client.post("/rulebooks", {"id": f"rb-{n}", "unit_id": unit,
                                                "effective_from": "2024-01-01",
                                                "parameters": {"prescribed_day": 3}})
            answers[n, unit] = answer.status_code

    try:
        threads = [threading.Thread(target=publish, args=(unit,)) for unit in units]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert len(answers) == rounds * len(units)
        for n in range(rounds):
            assert sorted(answers[n, unit] for unit in units) == [201, 409], answers
        assert service.store.last_position() == rounds
    finally:
        service.engine.dispose()
