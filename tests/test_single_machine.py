"""`chibo run` as a user starts it: every service on one address, tokens from `chibo token`."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("chibo-data")


@pytest.fixture(scope="module")
def chibo(data):
    port = free_port()
    env = os.environ | {"CHIBO_DATA_DIR": str(data), "CHIBO_PORT": str(port)}
    env.pop("CHIBO_JWT_SECRET", None)
    log = (data / "chibo.log").open("w")
    process = subprocess.Popen(
        [str(BIN / "chibo"), "run"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{base}/livez", timeout=1).status_code == 200:
                break
        except requests.ConnectionError:
            time.sleep(0.2)
        assert process.poll() is None, (data / "chibo.log").read_text()
    token = subprocess.run(
        [str(BIN / "chibo"), "token", "--sub", "admin-1", "--role", "admin", "--scope", "*"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    yield base, {"Authorization": f"Bearer {token}"}
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(30)
    log.close()


def test_every_installed_service_is_ready_on_one_address(chibo):
    base, _ = chibo
    ready = requests.get(f"{base}/readyz", timeout=10)
    assert ready.status_code == 200
    assert set(ready.json()["services"]) == {"members", "meetings", "oversight", "reporting"}
    for service in ready.json()["services"]:
        assert requests.get(f"{base}/{service}/openapi.json", timeout=10).json()["paths"]


def test_a_write_without_a_token_is_refused_and_with_one_is_attributed(chibo):
    base, auth = chibo
    unit = {
        "code": f"NA-{uuid.uuid4().hex[:6]}",
        "name": "Tỉnh ủy Nghệ An",
        "kind": "provincial_committee",
        "parent_id": None,
        "effective_from": "2020-01-01",
    }
    refused = requests.post(f"{base}/org-units", json=unit, timeout=10)
    assert refused.status_code == 401
    assert refused.headers["Content-Type"].startswith("application/problem+json")
    created = requests.post(f"{base}/org-units", json=unit, headers=auth, timeout=10)
    assert created.status_code == 201, created.text
    assert created.headers["Chibo-Position"].startswith("members:")
    location = created.headers["Location"]
    location = location if location.startswith("http") else base + location
    assert requests.get(location, headers=auth, timeout=10).json()["code"] == unit["code"]


def test_a_write_reaches_the_reports_through_the_embedded_log(chibo):
    base, auth = chibo
    unit = {
        "code": f"SL-{uuid.uuid4().hex[:6]}",
        "name": "Tỉnh ủy Sơn La",
        "kind": "provincial_committee",
        "parent_id": None,
        "effective_from": "2020-01-01",
    }
    created = requests.post(f"{base}/org-units", json=unit, headers=auth, timeout=10)
    assert created.status_code == 201, created.text
    position = created.headers["Chibo-Position"]
    report = requests.get(
        f"{base}/reports/units/{created.json()['id']}",
        params={"period": "2026", "wait_for": position},
        headers=auth,
        timeout=30,
    )
    assert report.status_code == 200, report.text
    source, _, number = position.partition(":")
    assert report.json()["positions"][source] >= int(number)
    assert report.json()["cells"] == 0


def test_the_reporting_warm_up_runs_beside_the_api(chibo, data):
    """The roll-up cache is the serving process's, so its warm-up runs in that process."""
    log = (data / "chibo.log").read_text()
    started = next(line for line in log.splitlines() if " started " in line)
    assert "reporting-projector" in started
    assert "reporting-warm-up" in started
