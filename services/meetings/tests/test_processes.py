"""The production shape: gunicorn serves the app, the relay and the consumer run as processes."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from chibo_contracts import Envelope
from chibo_contracts.catalog import topic_for
from chibo_eventsourcing.runtime import PlatformSettings, build_bus
from chibo_web.auth import issue_token

from .support import SECRET, MembersFeed, wait_until

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def post(url: str, body: dict[str, str], token: str) -> int:
    request = urllib.request.Request(url, json.dumps(body).encode(), method="POST", headers={
        "Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
    except urllib.error.URLError:
        return 0


@pytest.mark.slow
def test_gunicorn_relay_and_consumer_run_as_their_own_processes(tmp_path):
    env = os.environ | {"CHIBO_DATA_DIR": str(tmp_path), "CHIBO_JWT_SECRET": SECRET,
                        "CHIBO_BUS": "embedded", "KAFKA_PARTITIONS": "3"}
    port = free_port()
    processes = [
        subprocess.Popen([str(BIN / "gunicorn"), "-b", f"127.0.0.1:{port}", "-w", "2",
                          "chibo_meetings.app:create_app()"], env=env),
        subprocess.Popen([sys.executable, "-m", "chibo_meetings.relay"], env=env),
        subprocess.Popen([sys.executable, "-m", "chibo_meetings.consumer"], env=env),
    ]
    try:
        bus = build_bus(PlatformSettings.from_env(env))
        feed = MembersFeed(f"sqlite:///{tmp_path}/members.db", bus)
        feed.unit("cell-p")
        feed.member("A", "cell-p")
        feed.publish()
        token = issue_token(SECRET, sub="ops", roles=["admin"], scope=["*"])
        body = {"id": "6a0c3f3e-8a39-4f55-9f4e-1d1d1d1d1d1d", "cell_id": "cell-p",
                "kind": "regular", "scheduled_for": "2025-03-03"}
        wait_until(lambda: post(f"http://127.0.0.1:{port}/meetings", body, token) == 201)
        subscription = bus.subscribe("probe", [topic_for("meetings")], lambda tps: {})
        records = wait_until(lambda: subscription.poll(10, 0.5))
        subscription.close()
        envelope = Envelope.from_message(records[0].value, records[0].headers)
        assert (envelope.type, envelope.stream_id) == ("meetings.MeetingScheduled", body["id"])
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        codes = [process.wait(timeout=60) for process in processes]
    assert codes == [0, 0, 0]
