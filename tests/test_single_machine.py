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

from chibo_eventsourcing.runtime import wait_until

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


def test_a_roll_call_correction_takes_back_the_overseers_visit_in_every_service(chibo):
    """An overseer listed as a guest by mistake: the derived visit goes, from oversight's list
    and from the overseer's CR-25 count, and comes back when a correction lists them again."""
    base, auth = chibo

    def call(method: str, path: str, body: dict[str, object]) -> dict[str, object]:
        answer = requests.request(method, base + path, json=body, headers=auth, timeout=30)
        assert answer.status_code in (200, 201), answer.text
        return dict(answer.json())

    suffix = uuid.uuid4().hex[:6]
    province = call("POST", "/org-units", {"code": f"SL-{suffix}", "name": "Tỉnh ủy Sơn La",
                                           "kind": "provincial_committee", "parent_id": None,
                                           "effective_from": "2020-01-01"})["id"]
    commune = call("POST", "/org-units", {"code": f"XA-{suffix}", "name": "Đảng ủy xã Mường Giôn",
                                          "kind": "commune_committee", "parent_id": province,
                                          "effective_from": "2020-01-01"})["id"]
    cells = [call("POST", "/org-units", {"code": f"{name}-{suffix}", "name": f"Chi bộ {name}",
                                         "kind": "cell", "parent_id": commune,
                                         "effective_from": "2020-01-01"})["id"]
             for name in ("BAN-PA", "BAN-PE")]
    members = [call("POST", "/members", {"full_name": f"Lò Văn {n}", "cell_id": cells[0],
                                         "status": "full", "admitted_on": "2021-01-01"})["id"]
               for n in ("Một", "Hai", "Ba")]
    overseer = call("POST", "/members", {"full_name": "Quàng Thị Giám", "cell_id": cells[1],
                                         "status": "full", "admitted_on": "2020-06-01"})["id"]
    call("POST", f"/members/{overseer}/positions", {"unit_id": commune, "from": "2021-01-01",
                                                    "position": "executive_committee_member"})
    call("POST", "/assignments", {"overseer_id": overseer, "unit_id": cells[0],
                                  "from": "2025-01-01",
                                  "position_basis": "executive_committee_member"})
    meeting = call("POST", "/meetings", {"cell_id": cells[0], "kind": "regular",
                                         "scheduled_for": "2025-02-03"})["id"]
    call("POST", f"/meetings/{meeting}/held", {
        "started_at": "2025-02-03T08:00:00+07:00", "ended_at": "2025-02-03T10:00:00+07:00",
        "place": "Nhà văn hóa bản", "chair_id": members[0], "minute_taker_id": members[1]})
    entries = [{"member_id": m, "status": "present"} for m in members]
    as_guest = [{"member_id": overseer, "role": "cấp ủy viên phụ trách"}]

    def roll_call(guests: list[dict[str, str]], **reason: str) -> None:
        call("PUT", f"/meetings/{meeting}/roll-call", {"entries": entries, "guests": guests,
                                                       **reason})

    def visits(counted: int) -> list[dict[str, object]] | None:
        """Oversight's visits at the meeting, once reporting counts `counted` of the overseer's
        (None until then)."""
        report = requests.get(f"{base}/reports/overseers", headers=auth, timeout=30,
                              params={"unit_id": commune, "period": "2025"}).json()
        counts = [o["visits"] for o in report["overseers"] if o["overseer_id"] == overseer]
        listed = requests.get(f"{base}/visits", params={"meeting_id": meeting}, headers=auth,
                              timeout=30).json()["items"]
        return listed if counts == [counted] and len(listed) == counted else None

    roll_call(as_guest)
    assert wait_until(lambda: visits(1) is not None, 30)
    [visit] = visits(1) or []
    assert visit["derived"] is True and visit["counts_toward_quota"] is True
    roll_call([], reason="ghi nhầm khách mời")
    assert wait_until(lambda: visits(0) == [], 30)
    shown = requests.get(f"{base}/visits/{visit['id']}", headers=auth, timeout=30).json()
    assert shown["withdrawn"] is True and "no longer lists" in shown["withdrawal_reason"]
    roll_call(as_guest, reason="bổ sung khách mời")
    assert wait_until(lambda: visits(1) is not None, 30)
    [again] = visits(1) or []
    assert again["id"] == visit["id"] and again["version"] == 3
