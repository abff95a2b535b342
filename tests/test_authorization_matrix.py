"""Every endpoint of every installed service, read from its OpenAPI document, against the
permission matrix and the scope rules (issue 7).

One small world is built through the APIs (SQLite and the embedded log in a temp folder): a
province P with two sibling communes A and B, a cell in each (KA, KB) and an office cell (CA,
CB) where the commune's executive member (the callers CALLER_A, CALLER_B) is on the roll,
members, meetings, oversight assignments, visits and review cases, rulebooks. The relays and
consumers run in step (`World.settle`), so oversight knows the tree and reporting has the facts.
Then each (method, path) is called without a token, with an expired, a forged and an alg-none
token (401 each), with a token scoped to commune B (403; lists and list-shaped reports answer
200 with nothing of A's), with every role the matrix refuses (403), and with each role it
allows, scoped to A (never 401/403; the first one must succeed and its events must carry the
caller as actor). A route missing from a matrix, or an endpoint this module has no example
request for, fails the run.
"""

from __future__ import annotations

import importlib
import importlib.util
import itertools
import json
import re
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import jwt
import pytest
from flask import Flask
from werkzeug.test import Client

from chibo_cli.permissions import PLATFORM, render, section
from chibo_cli.run import SERVICES, Dispatcher, LoadedService
from chibo_contracts.catalog import topic_for
from chibo_eventsourcing.consumer import ConsumerRunner
from chibo_eventsourcing.relay import Relay
from chibo_eventsourcing.runtime import PlatformSettings, build_bus
from chibo_members.commands import member_id_for_code
from chibo_web.auth import issue_token
from chibo_web.permissions import PLATFORM_PERMISSIONS, ROLE_ORDER, openapi_path, routes, uncovered

SECRET = "authorization-matrix-test-secret-0123456789"
FORGER = "not-the-secret-but-long-enough-0123456789"
ROOT = Path(__file__).resolve().parents[1]
PRIMARY = ("committee_staff", "secretary", "overseer", "auditor", "admin", "service")
PAGE_PARAMETERS = ("limit", "page_size", "rejected_limit")
MAX_PAGE = 500
PROBLEM = "application/problem+json"
WAIT_BOUND = 1.0  # REPORTING_WAIT_SECONDS in this world: the bound of reporting's wait_for
CALLER_A = str(uuid.uuid5(uuid.NAMESPACE_URL, "chibo:matrix:caller-a"))
CALLER_B = str(uuid.uuid5(uuid.NAMESPACE_URL, "chibo:matrix:caller-b"))
CALLERS = {"A": CALLER_A, "B": CALLER_B}  # members of commune A's / B's executive committee
BASIS = "executive_committee_member"
PERIOD = "2025"
CONSUMERS = {"meetings": "consumer", "oversight": "consumer", "reporting": "projector"}
LISTED = ("list", "report", "summary")  # kinds answered 200 to B, with nothing of A's
SCORES = {
    "preparation": 14,
    "attendance": 15,
    "procedure": 13,
    "content": 22,
    "discussion": 13,
    "resolution": 14,
}  # 91 on the default regular rubric


def installed() -> list[str]:
    return [name for name in SERVICES if importlib.util.find_spec(f"chibo_{name}") is not None]


@dataclass
class Call:
    """One request: where to, with what."""

    method: str
    path: str
    json: Any = None
    query: dict[str, Any] = field(default_factory=dict)
    data: bytes | None = None
    content_type: str | None = None


@dataclass
class World:
    apps: dict[str, Flask]
    ids: dict[str, str] = field(default_factory=dict)
    a_side: set[str] = field(default_factory=set)  # everything in commune A's subtree
    counter: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    relays: list[Relay] = field(default_factory=list)
    consumers: list[ConsumerRunner[Any]] = field(default_factory=list)

    def fresh(self, prefix: str) -> str:
        return f"{prefix}{next(self.counter)}"

    def settle(self) -> None:
        """Relay every service's new events and run every consumer until none has anything
        left: then oversight knows the tree and reporting's read models hold every fact."""
        for _ in range(200):
            moved = sum(relay.run_once() for relay in self.relays)
            moved += sum(runner.run_once().polled for runner in self.consumers)
            if not moved:
                return
        raise AssertionError("the relays and consumers never settled")

    def call(self, service: str, call: Call, headers: dict[str, str]) -> Any:
        client = self.apps[service].test_client()
        return client.open(
            call.path,
            method=call.method,
            json=call.json,
            data=call.data,
            content_type=call.content_type,
            query_string=call.query,
            headers=headers,
        )

    def admin(self, service: str, method: str, path: str, body: Any = None) -> dict[str, Any]:
        answer = self.call(service, Call(method, path, body), bearer("admin", "*", "seeder"))
        assert answer.status_code in (200, 201, 202), (path, answer.get_json())
        result: dict[str, Any] = answer.get_json()
        return result

    def store(self, service: str) -> Any:
        return self.apps[service].extensions["chibo"].store


def bearer(role: str, scope: str, sub: str) -> dict[str, str]:
    token = issue_token(SECRET, sub=sub, roles=[role], scope=[scope])
    return {"Authorization": f"Bearer {token}"}


def as_a(world: World, role: str) -> dict[str, str]:
    """Every role scoped to A acts as one caller (a member of A's executive committee), so
    what it started stays its own and, as an overseer, the visits it records are its own."""
    return bearer(role, world.ids["A"], CALLER_A)


def as_b(world: World, role: str) -> dict[str, str]:
    return bearer(role, world.ids["B"], CALLER_B)


def bad_tokens() -> dict[str, dict[str, str]]:
    now = int(time.time())
    claims = {
        "sub": "mallory",
        "roles": ["admin"],
        "scope": ["*"],
        "iat": now,
        "nbf": now,
        "exp": now + 600,
        "iss": "chibo",
        "aud": "chibo",
    }
    expired = issue_token(SECRET, sub="x", roles=["admin"], scope=["*"], now=now - 7200)
    return {
        "no token": {},
        "expired": {"Authorization": f"Bearer {expired}"},
        "forged": {"Authorization": "Bearer " + jwt.encode(claims, FORGER, algorithm="HS256")},
        "alg none": {"Authorization": "Bearer " + jwt.encode(claims, "", algorithm="none")},
    }


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    data = tmp_path_factory.mktemp("matrix")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("CHIBO_DATA_DIR", str(data))
        env.setenv("CHIBO_JWT_SECRET", SECRET)
        env.setenv("CHIBO_BUS", "embedded")
        env.setenv("REPORTING_WAIT_SECONDS", str(WAIT_BOUND))
        for name in SERVICES:
            env.delenv(f"{name.upper()}_DATABASE_URL", raising=False)
        apps = {
            name: importlib.import_module(f"chibo_{name}.app").create_app()
            for name in installed()
            if name in EXAMPLES
        }
        world = World(apps)
        platform = PlatformSettings.from_env()
        bus = build_bus(platform)
        bus.ensure_topics([topic_for(name) for name in apps], platform.kafka_partitions)
        for name, app in apps.items():
            service = app.extensions["chibo"]
            world.relays.append(Relay(service.store, bus.publisher(), topic_for(name)))
            if name in CONSUMERS:
                runner = getattr(service, CONSUMERS[name])()
                runner.poll_timeout = 0
                runner.open()
                world.consumers.append(runner)
        try:
            seed(world)
            yield world
        finally:
            for runner in world.consumers:
                runner.close()
            for relay in world.relays:
                relay.publisher.close()


def seed(world: World) -> None:
    """P → A, B (communes) → KA, KB (cells, three members each) and CA, CB (the office cells
    of the communes' executive members CALLER_A, CALLER_B); a meeting in each cell and a held
    one with its roll call; per commune an assignment, a visit, a review case, a rulebook."""
    ids = world.ids
    ids["P"] = unit(world, "P", "provincial_committee", None)
    for side in ("A", "B"):
        ids[side] = unit(world, side, "commune_committee", ids["P"])
        ids[f"K{side}"] = unit(world, f"K{side}", "cell", ids[side])
        ids[f"C{side}"] = unit(world, f"C{side}", "cell", ids[side])
        for n in (1, 2, 3):
            ids[f"M{side}{n}"] = member(world, f"Hoàng Văn {side}{n}", ids[f"K{side}"])
        caller = member(world, f"Bùi Thị {side}", ids[f"C{side}"], member_id=CALLERS[side])
        position = {"unit_id": ids[side], "position": BASIS, "from": "2021-01-01"}
        world.admin("members", "POST", f"/members/{caller}/positions", position)
    world.a_side |= {ids["A"], ids["KA"], ids["CA"], ids["MA1"], ids["MA2"], ids["MA3"]}
    world.a_side.add(CALLER_A)
    world.settle()
    if "meetings" in world.apps:
        roster = world.apps["meetings"].extensions["chibo"].roster
        for cell in (ids["KA"], ids["KB"]):
            roll = roster.roll(cell, date(2025, 1, 6)).required
            assert roll == set(members_of(world, cell)), "meetings never learnt the roll"
        for side in ("A", "B"):
            ids[f"meeting-{side}"] = meeting(world, ids[f"K{side}"])
            ids[f"held-{side}"] = meeting(world, ids[f"K{side}"], roll=True)
        world.settle()
    if "oversight" in world.apps:
        for side in ("A", "B"):
            ids[f"assignment-{side}"] = assignment(world, ids[f"K{side}"], CALLERS[side])
            ids[f"visit-{side}"] = visit(world, ids[f"K{side}"], CALLERS[side])
            ids[f"review-{side}"] = review(world, ids[f"K{side}"], PERIOD)
        world.a_side |= {ids["assignment-A"], ids["visit-A"], ids["review-A"]}
    if "reporting" in world.apps:
        for side in ("A", "B"):
            ids[f"rulebook-{side}"] = rulebook(world, ids[side], "2024-01-01")
        world.a_side.add(ids["rulebook-A"])
    world.settle()


def b_side(world: World) -> set[str]:
    keys = ("B", "KB", "CB", "MB1", "meeting-B", "assignment-B", "visit-B", "review-B")
    return {world.ids[k] for k in keys if k in world.ids} | {CALLER_B}


def unit(world: World, code: str, kind: str, parent_id: str | None) -> str:
    body = {
        "code": code,
        "name": f"Đơn vị {code}",
        "kind": kind,
        "parent_id": parent_id,
        "effective_from": "2020-01-01",
    }
    return str(world.admin("members", "POST", "/org-units", body)["id"])


def member(
    world: World, name: str, cell_id: str, status: str = "full", member_id: str | None = None
) -> str:
    body = {"full_name": name, "cell_id": cell_id, "status": status, "admitted_on": "2021-01-01"}
    if member_id is not None:
        body["id"] = member_id
    return str(world.admin("members", "POST", "/members", body)["id"])


def a_cell(world: World) -> str:
    """A new cell in commune A (for changes that must not disturb the seeded one)."""
    cell_id = unit(world, world.fresh("FA"), "cell", world.ids["A"])
    world.a_side.add(cell_id)
    return cell_id


def a_committee(world: World) -> str:
    unit_id = unit(world, world.fresh("GA"), "grassroots_committee", world.ids["A"])
    world.a_side.add(unit_id)
    return unit_id


def a_member(world: World, status: str = "full") -> str:
    member_id = member(world, f"Lò Văn {world.fresh('')}", a_cell(world), status)
    world.a_side.add(member_id)
    return member_id


@dataclass(frozen=True)
class Example:
    """How to call one endpoint on A's side. `kind` says what a token scoped to B gets:
    scoped → 403; list → 200 and nothing of A's (a paged list); report → the same, a report
    listing items of the units in reach (not paged); summary → 200 and nothing of A's (figures,
    no items); catalog → 200 (not tree data); import → the job rejects every row; own → 403
    (another caller's job). list and report answers to B must show B's own things."""

    kind: str
    setup: Callable[[World], list[Call]]


def m(
    path: str, kind: str, make: Callable[[World], Any] | None = None, method: str = "POST"
) -> tuple[tuple[str, str], Example]:
    """An example whose `make(world)` gives (path parameters, body[, query]) or a list of query
    variants; what it made reaches every consumer before the calls."""

    def setup(world: World) -> list[Call]:
        made = make(world) if make else ({}, None)
        world.settle()
        if kind in LISTED:
            return [Call(method, path, query=query) for query in made]
        params, body, *query = made
        return [Call(method, path.format(**params), body, query[0] if query else {})]

    return (method, path), Example(kind, setup)


def _on(day: str, **fields: Any) -> dict[str, Any]:
    return {"effective_from": day, **fields}


def _import(world: World) -> list[Call]:
    cell_code, member_code = world.fresh("IA"), world.fresh("DV")
    world.a_side.add(unit(world, cell_code, "cell", world.ids["A"]))
    world.a_side.add(member_id_for_code(member_code))
    rows = "code,full_name,cell_code,status,admitted_on\n"
    rows += f"{member_code},Lò Thị Én,{cell_code},full,2021-01-01\n"
    return [
        Call(
            "POST",
            "/imports",
            query={"kind": "members"},
            data=rows.encode(),
            content_type="text/csv",
        )
    ]


def _import_job(world: World) -> list[Call]:
    (call,) = _import(world)
    answer = world.call("members", call, as_a(world, "committee_staff"))
    assert answer.status_code == 202, answer.get_json()
    finished_job(world, answer.headers["Location"], as_a(world, "committee_staff"))
    return [Call("GET", answer.headers["Location"])]


def _positioned(world: World) -> tuple[dict[str, str], Any]:
    member_id, position_id = a_member(world), str(uuid.uuid4())
    world.admin(
        "members",
        "POST",
        f"/members/{member_id}/positions",
        {
            "id": position_id,
            "unit_id": world.ids["A"],
            "position": "standing_committee_member",
            "from": "2022-01-01",
        },
    )
    return {"member_id": member_id, "position_id": position_id}, {"on": "2022-12-31"}


def _exempted(world: World) -> tuple[dict[str, str], Any]:
    member_id = a_member(world)
    world.admin(
        "members",
        "POST",
        f"/members/{member_id}/exemptions",
        {"from": "2022-01-01", "reason": "tuổi cao", "decision_ref": "QĐ-1"},
    )
    return {"member_id": member_id}, {"on": "2022-06-30"}


MEMBERS = dict(
    [
        m(
            "/org-units",
            "scoped",
            lambda w: (
                {},
                {
                    "code": w.fresh("NA"),
                    "name": "Chi bộ mới",
                    "kind": "cell",
                    "parent_id": w.ids["A"],
                    "effective_from": "2021-01-01",
                },
            ),
        ),
        m("/org-units", "list", lambda w: [{}, {"code": "KA"}, {"kind": "cell"}], "GET"),
        m("/org-units/{unit_id}", "scoped", lambda w: ({"unit_id": w.ids["KA"]}, None), "GET"),
        m("/org-units/{unit_id}/tree", "scoped", lambda w: ({"unit_id": w.ids["A"]}, None), "GET"),
        m(
            "/org-units/{unit_id}/rename",
            "scoped",
            lambda w: ({"unit_id": a_cell(w)}, _on("2022-01-01", name="Chi bộ đổi tên")),
        ),
        m(
            "/org-units/{unit_id}/move",
            "scoped",
            lambda w: ({"unit_id": a_cell(w)}, _on("2022-01-01", parent_id=a_committee(w))),
        ),
        m(
            "/org-units/{unit_id}/merge",
            "scoped",
            lambda w: ({"unit_id": a_cell(w)}, _on("2022-01-01", into_id=a_cell(w))),
        ),
        m(
            "/org-units/{unit_id}/dissolve",
            "scoped",
            lambda w: ({"unit_id": a_cell(w)}, _on("2022-01-01", reason="giải thể")),
        ),
        m(
            "/members",
            "scoped",
            lambda w: (
                {},
                {
                    "full_name": "Lò Văn Mới",
                    "cell_id": a_cell(w),
                    "status": "full",
                    "admitted_on": "2021-06-01",
                },
            ),
        ),
        m(
            "/members",
            "list",
            lambda w: [
                {},
                {"cell_id": w.ids["KA"]},
                {"unit_id": w.ids["A"]},
                {"q": "hoang van a"},
                {"unit_id": w.ids["P"]},
            ],
            "GET",
        ),
        m("/members/{member_id}", "scoped", lambda w: ({"member_id": w.ids["MA1"]}, None), "GET"),
        m(
            "/members/{member_id}/transfer",
            "scoped",
            lambda w: ({"member_id": a_member(w)}, _on("2022-01-01", cell_id=a_cell(w))),
        ),
        m(
            "/members/{member_id}/confirm-full",
            "scoped",
            lambda w: ({"member_id": a_member(w, "probationary")}, _on("2022-01-01")),
        ),
        m(
            "/members/{member_id}/exemptions",
            "scoped",
            lambda w: (
                {"member_id": a_member(w)},
                {"from": "2022-01-01", "reason": "ốm", "decision_ref": "QĐ-2"},
            ),
        ),
        m("/members/{member_id}/exemptions/end", "scoped", _exempted),
        m(
            "/members/{member_id}/attachments",
            "scoped",
            lambda w: ({"member_id": a_member(w)}, {"cell_id": a_cell(w), "from": "2022-01-01"}),
        ),
        m(
            "/members/{member_id}/positions",
            "scoped",
            lambda w: (
                {"member_id": a_member(w)},
                {
                    "unit_id": w.ids["A"],
                    "position": "executive_committee_member",
                    "from": "2022-01-01",
                },
            ),
        ),
        m("/members/{member_id}/positions/{position_id}/end", "scoped", _positioned),
        m(
            "/members/{member_id}/leave",
            "scoped",
            lambda w: ({"member_id": a_member(w)}, _on("2022-01-01", reason="resigned")),
        ),
        (("POST", "/imports"), Example("import", _import)),
        (("GET", "/imports/{job_id}"), Example("own", _import_job)),
    ]
)


_DAYS = itertools.count()


def meeting(
    world: World,
    cell_id: str,
    *,
    held: bool = False,
    roll: bool = False,
    resolution: bool = False,
    assessed: bool = False,
    tasks: list[Any] | None = None,
) -> str:
    """A meeting of the cell on a day of its own, taken as far as asked through its life."""
    day = date(2025, 1, 6) + timedelta(days=next(_DAYS))
    body = {"cell_id": cell_id, "kind": "regular", "scheduled_for": f"{day}T19:00:00+07:00"}
    meeting_id = str(world.admin("meetings", "POST", "/meetings", body)["id"])
    base = f"/meetings/{meeting_id}"
    chair, minute_taker = members_of(world, cell_id)[:2]
    if held or roll or resolution or assessed:
        world.admin(
            "meetings",
            "POST",
            f"{base}/held",
            {
                "started_at": f"{day}T19:00:00+07:00",
                "ended_at": f"{day}T21:00:00+07:00",
                "place": "Nhà văn hóa",
                "chair_id": chair,
                "minute_taker_id": minute_taker,
            },
        )
    if roll or resolution:
        world.admin(
            "meetings",
            "PUT",
            f"{base}/roll-call",
            {
                "entries": [
                    {"member_id": m, "status": "present"} for m in members_of(world, cell_id)
                ]
            },
        )
    if resolution:
        world.admin(
            "meetings",
            "POST",
            f"{base}/resolution",
            {
                "text": "Nghị quyết",
                "votes_for": 3,
                "votes_against": 0,
                "votes_abstain": 0,
                "tasks": tasks or [],
            },
        )
    if assessed:
        world.admin(
            "meetings",
            "POST",
            f"{base}/assessment",
            {"scores": SCORES, "total": 91, "grade": "good"},
        )
    if cell_id == world.ids["KA"]:
        world.a_side.add(meeting_id)
    return meeting_id


def members_of(world: World, cell_id: str) -> list[str]:
    side = "A" if cell_id == world.ids["KA"] else "B"
    return [world.ids[f"M{side}{n}"] for n in (1, 2, 3)]


def _a_meeting(**stage: Any) -> Callable[[World], str]:
    return lambda w: meeting(w, w.ids["KA"], **stage)


def _task_report(world: World) -> tuple[dict[str, str], Any]:
    task = {
        "id": str(uuid.uuid4()),
        "description": "Làm đường",
        "owner_id": world.ids["MA1"],
        "due_on": "2026-12-31",
    }
    meeting(world, world.ids["KA"], resolution=True, tasks=[task])
    later = meeting(world, world.ids["KA"], held=True)
    return {"meeting_id": later}, {"task_id": task["id"], "status": "done"}


def meeting_change(
    suffix: str, stage: dict[str, bool], body: Any, method: str = "POST"
) -> tuple[tuple[str, str], Example]:
    return m(
        f"/meetings/{{meeting_id}}{suffix}",
        "scoped",
        lambda w: ({"meeting_id": _a_meeting(**stage)(w)}, body),
        method,
    )


MEETINGS = dict(
    [
        m(
            "/meetings",
            "list",
            lambda w: [{}, {"cell_id": w.ids["KA"]}, {"from": "2025-01-01", "to": "2026-12-31"}],
            "GET",
        ),
        m(
            "/meetings",
            "scoped",
            lambda w: (
                {},
                {
                    "cell_id": w.ids["KA"],
                    "kind": "regular",
                    "scheduled_for": "2026-12-03T19:00:00+07:00",
                },
            ),
        ),
        m(
            "/meetings/{meeting_id}",
            "scoped",
            lambda w: ({"meeting_id": w.ids["meeting-A"]}, None),
            "GET",
        ),
        meeting_change(
            "/reschedule",
            {},
            {"scheduled_for": "2026-12-10T19:00:00+07:00", "reason": "trùng lịch"},
        ),
        meeting_change("/cancel", {}, {"reason": "mưa bão"}),
        meeting_change(
            "/notices",
            {},
            {"sent_at": "2025-01-01T08:00:00+07:00", "to_members": True, "to_overseer_ids": []},
        ),
        meeting_change(
            "/documents",
            {},
            {"phase": "before", "title": "Dự thảo", "posted_at": "2025-01-01T08:00:00+07:00"},
        ),
        m(
            "/meetings/{meeting_id}/held",
            "scoped",
            lambda w: (
                {"meeting_id": meeting(w, w.ids["KA"])},
                {
                    "started_at": "2025-06-01T19:00:00+07:00",
                    "ended_at": "2025-06-01T21:00:00+07:00",
                    "place": "Nhà văn hóa",
                    "chair_id": w.ids["MA1"],
                    "minute_taker_id": w.ids["MA2"],
                },
            ),
        ),
        m(
            "/meetings/{meeting_id}/roll-call",
            "scoped",
            lambda w: (
                {"meeting_id": meeting(w, w.ids["KA"], held=True)},
                {
                    "entries": [
                        {"member_id": m, "status": "present"} for m in members_of(w, w.ids["KA"])
                    ]
                },
            ),
            "PUT",
        ),
        meeting_change(
            "/resolution",
            {"roll": True},
            {"text": "Nghị quyết", "votes_for": 3, "votes_against": 0, "votes_abstain": 0},
        ),
        m("/meetings/{meeting_id}/task-reports", "scoped", _task_report),
        meeting_change(
            "/assessment", {"held": True}, {"scores": SCORES, "total": 91, "grade": "good"}
        ),
        meeting_change("/assessment/confirm", {"assessed": True}, {"total": 91, "grade": "good"}),
        m("/rubrics", "catalog", None, "GET"),
        m(
            "/rubrics/{rubric_id}",
            "catalog",
            lambda w: ({"rubric_id": "default-regular"}, None),
            "GET",
        ),
    ]
)


def assignment(world: World, unit_id: str, overseer_id: str, start: str = "2025-01-01") -> str:
    body = {"overseer_id": overseer_id, "unit_id": unit_id, "position_basis": BASIS, "from": start}
    return str(world.admin("oversight", "POST", "/assignments", body)["id"])


def visit(world: World, cell_id: str, overseer_id: str, day: str = "2025-02-01") -> str:
    body = {"overseer_id": overseer_id, "cell_id": cell_id, "visited_on": day}
    return str(world.admin("oversight", "POST", "/visits", body)["id"])


def review(world: World, cell_id: str, period: str = "2025-Q1") -> str:
    body = {
        "cell_id": cell_id,
        "period": period,
        "rule_ids": ["CR-01"],
        "reminded_on": "2025-04-10",
    }
    return str(world.admin("oversight", "POST", "/reviews", body)["id"])


def rulebook(world: World, unit_id: str, effective_from: str) -> str:
    body = {
        "unit_id": unit_id,
        "effective_from": effective_from,
        "parameters": {"prescribed_day": 5},
    }
    return str(world.admin("reporting", "POST", "/rulebooks", body)["id"])


def a_known_cell(world: World) -> str:
    """A new cell of commune A that oversight has learnt of."""
    cell_id = a_cell(world)
    world.settle()
    return cell_id


def _assigned(world: World) -> tuple[dict[str, str], Any]:
    assignment_id = assignment(world, a_known_cell(world), CALLER_A)
    world.a_side.add(assignment_id)
    return {"assignment_id": assignment_id}, {"on": "2025-06-30"}


def _visited(world: World) -> tuple[dict[str, str], Any]:
    visit_id = visit(world, a_known_cell(world), CALLER_A)
    world.a_side.add(visit_id)
    return {"visit_id": visit_id}, {"reason": "ghi nhầm chi bộ"}


def _reviewed(body: dict[str, str]) -> Callable[[World], tuple[dict[str, str], Any]]:
    def make(world: World) -> tuple[dict[str, str], Any]:
        review_id = review(world, a_known_cell(world))
        world.a_side.add(review_id)
        return {"review_id": review_id}, body

    return make


OVERSIGHT = dict(
    [
        m(
            "/assignments",
            "list",
            lambda w: [
                {},
                {"unit_id": w.ids["KA"]},
                {"overseer_id": CALLER_A},
                {"active_on": "2025-03-01"},
            ],
            "GET",
        ),
        m(
            "/assignments",
            "scoped",
            lambda w: (
                {},
                {
                    "overseer_id": CALLER_A,
                    "unit_id": a_known_cell(w),
                    "position_basis": BASIS,
                    "from": "2025-01-01",
                },
            ),
        ),
        m(
            "/assignments/{assignment_id}",
            "scoped",
            lambda w: ({"assignment_id": w.ids["assignment-A"]}, None),
            "GET",
        ),
        m("/assignments/{assignment_id}/end", "scoped", _assigned),
        m(
            "/visits",
            "list",
            lambda w: [
                {},
                {"cell_id": w.ids["KA"]},
                {"unit_id": w.ids["A"]},
                {"unit_id": w.ids["P"]},
                {"overseer_id": CALLER_A},
                {"from": "2025-01-01", "to": "2025-12-31"},
            ],
            "GET",
        ),
        m(
            "/visits",
            "scoped",
            lambda w: (
                {},
                {"overseer_id": CALLER_A, "cell_id": w.ids["KA"], "visited_on": "2025-03-01"},
            ),
        ),
        m("/visits/{visit_id}", "scoped", lambda w: ({"visit_id": w.ids["visit-A"]}, None), "GET"),
        m("/visits/{visit_id}/withdraw", "scoped", _visited),
        m(
            "/reviews",
            "list",
            lambda w: [
                {},
                {"unit_id": w.ids["P"]},
                {"unit_id": w.ids["A"]},
                {"cell_id": w.ids["KA"]},
                {"status": "reminded"},
            ],
            "GET",
        ),
        m(
            "/reviews",
            "scoped",
            lambda w: (
                {},
                {
                    "cell_id": a_known_cell(w),
                    "period": "2025-Q2",
                    "rule_ids": ["CR-01", "CR-12"],
                    "reminded_on": "2025-07-10",
                },
            ),
        ),
        m(
            "/reviews/{review_id}",
            "scoped",
            lambda w: ({"review_id": w.ids["review-A"]}, None),
            "GET",
        ),
        m(
            "/reviews/{review_id}/explanation",
            "scoped",
            _reviewed({"text": "Chi bộ đã họp bù", "received_on": "2025-04-15"}),
        ),
        m(
            "/reviews/{review_id}/close",
            "scoped",
            _reviewed({"outcome": "fixed", "closed_on": "2025-04-20"}),
        ),
    ]
)


def _report(key: str, path_key: str, **query: str) -> Callable[[World], Any]:
    return lambda w: ({path_key: w.ids[key]}, None, {"period": PERIOD, **query})


def _over(*units: str) -> Callable[[World], list[dict[str, str]]]:
    """Query variants of a list-shaped report over each unit (the first one is P: above both)."""
    return lambda w: [{"unit_id": w.ids[u], "period": PERIOD} for u in units]


REPORTING = dict(
    [
        m(
            "/rulebooks",
            "scoped",
            lambda w: (
                {},
                {
                    "unit_id": w.ids["A"],
                    "effective_from": "2025-01-01",
                    "parameters": {"prescribed_day": 4},
                },
            ),
        ),
        m("/rulebooks", "list", lambda w: [{}, {"unit_id": w.ids["A"]}], "GET"),
        m(
            "/rulebooks/{rulebook_id}",
            "scoped",
            lambda w: ({"rulebook_id": rulebook(w, w.ids["A"], "2025-01-01")}, None),
            "GET",
        ),
        m("/reports/cells/{cell_id}", "scoped", _report("KA", "cell_id"), "GET"),
        m("/reports/units/{unit_id}", "scoped", _report("A", "unit_id"), "GET"),
        m("/reports/overseers", "report", _over("P", "A", "KA"), "GET"),
        m("/reports/reminders", "report", _over("P", "A", "KA"), "GET"),
        m("/reports/members/{member_id}", "scoped", _report("MA1", "member_id"), "GET"),
        m(
            "/audit/streams/{stream_id}",
            "scoped",
            lambda w: ({"stream_id": w.ids["held-A"]}, None, {"source": "meetings"}),
            "GET",
        ),
        m(
            "/audit/verify",
            "summary",
            lambda w: [
                {"source": source} for source in ("meetings", "members", "oversight", "reporting")
            ],
            "GET",
        ),
    ]
)

EXAMPLES: dict[str, dict[tuple[str, str], Example]] = {
    "members": MEMBERS,
    "meetings": MEETINGS,
    "oversight": OVERSIGHT,
    "reporting": REPORTING,
}


def openapi_operations(app: Flask) -> list[tuple[str, str]]:
    document = app.test_client().get("/openapi.json").get_json()
    return sorted(
        (method.upper(), path)
        for path, operations in document["paths"].items()
        for method in operations
        if method in ("get", "post", "put", "patch", "delete")
    )


def flask_rule(app: Flask, path: str) -> str:
    rules = {openapi_path(rule.rule): rule.rule for rule in app.url_map.iter_rules()}
    return rules[path]


def mentions(answer: Any, ids: set[str]) -> set[str]:
    text = answer.get_data(as_text=True)
    return {i for i in ids if i in text}


@dataclass
class Probe:
    """One endpoint under test: its example calls, the roles it allows, the problems found."""

    world: World
    service: str
    method: str
    path: str
    problems: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        app = self.world.apps[self.service]
        self.allowed = app.extensions["chibo.permissions"][
            (self.method, flask_rule(app, self.path))
        ]
        self.example = EXAMPLES[self.service][(self.method, self.path)]
        self.calls = self.example.setup(self.world)
        self.primary = next(role for role in PRIMARY if role in self.allowed)

    def send(self, headers: dict[str, str], call: Call | None = None) -> Any:
        return self.world.call(self.service, call or self.calls[0], headers)

    def expect(self, label: str, answer: Any, *statuses: int) -> None:
        if answer.status_code not in statuses:
            text = answer.get_data(as_text=True)[:200]
            self.fail(f"{label}: {answer.status_code} {text}")

    def fail(self, problem: str) -> None:
        self.problems.append(f"{self.method} {self.path} {problem}")


def check_endpoint(world: World, service: str, method: str, path: str) -> list[str]:
    """Every caller of one endpoint; the problems found, as sentences."""
    probe, store = Probe(world, service, method, path), world.store(service)
    before = store.last_position()
    for label, headers in bad_tokens().items():
        answer = probe.send(headers)
        probe.expect(label, answer, 401)
        if answer.mimetype != PROBLEM:
            probe.fail(f"{label}: not a problem document")
    check_sibling(probe)
    for role in ROLE_ORDER:
        if role not in probe.allowed:
            probe.expect(f"as {role}", probe.send(as_a(world, role)), 403)
    if store.last_position() != before:
        probe.fail("a refused request wrote events")
    check_allowed(probe)
    return probe.problems


def check_sibling(probe: Probe) -> None:
    """A token of commune B, with a role the matrix allows, gets nothing of commune A."""
    world, sibling = probe.world, as_b(probe.world, probe.primary)
    if probe.example.kind in ("scoped", "own"):
        outside = probe.send(sibling)
        probe.expect("scoped to B", outside, 403)
        if "{" in probe.path:
            check_missing(probe, outside)
    elif probe.example.kind == "catalog":
        probe.expect("scoped to B", probe.send(sibling), 200)
    elif probe.example.kind in LISTED:
        for variant in probe.calls:
            answer = probe.send(sibling, variant)
            probe.expect(f"scoped to B {variant.query}", answer, 200)
            named = {str(value) for value in variant.query.values()}  # echoed, not leaked
            if leaked := mentions(answer, world.a_side - named):
                probe.fail(f"scoped to B {variant.query}: shows A's {sorted(leaked)}")
        if probe.example.kind != "summary" and not mentions(probe.send(sibling), b_side(world)):
            probe.fail("scoped to B: not even B's own things are listed")
    elif probe.example.kind == "import":
        answer = probe.send(sibling)
        probe.expect("scoped to B", answer, 202)
        job = finished_job(world, answer.headers.get("Location", ""), sibling)
        if (job.get("accepted"), job.get("rejected")) != (0, 1):
            probe.fail(f"scoped to B: the job took A's rows: {job}")


def check_missing(probe: Probe, outside: Any) -> None:
    """A thing that does not exist answers a scoped caller as one outside its scope does, and a
    whole-tree caller with 404."""
    call = probe.calls[0]
    path = re.sub(r"\{[^}]+\}", lambda _: str(uuid.uuid4()), probe.path)
    missing = Call(call.method, path, call.json, call.query, call.data, call.content_type)
    absent = probe.send(as_a(probe.world, probe.primary), missing)
    if (absent.status_code, anonymised(absent)) != (outside.status_code, anonymised(outside)):
        probe.fail(
            f"missing answers {absent.status_code} {anonymised(absent)!r}, "
            f"out of scope {outside.status_code} {anonymised(outside)!r}"
        )
    whole_tree = probe.primary if probe.primary in ("admin", "auditor", "service") else "admin"
    probe.expect(
        "missing, whole tree", probe.send(bearer(whole_tree, "*", "caller-a"), missing), 404
    )


def anonymised(answer: Any) -> str:
    detail = (answer.get_json(silent=True) or {}).get("detail", "")
    return re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<id>", detail)


def check_allowed(probe: Probe) -> None:
    """The roles the matrix allows, scoped to A: the first succeeds and is the events' actor."""
    world, store = probe.world, probe.world.store(probe.service)
    for role in [probe.primary, *sorted(probe.allowed - {probe.primary})]:
        before = store.last_position()
        answer = settled(world, probe.send(as_a(world, role)))
        if isinstance(body := answer.get_json(silent=True), dict) and "id" in body:
            world.a_side.add(str(body["id"]))  # created in A: never to be shown to B
        if role != probe.primary:
            if answer.status_code in (401, 403):
                probe.fail(f"as {role} of A: {answer.status_code}")
            continue
        probe.expect(f"as {role} of A", answer, 200, 201, 202)
        actors = {event.actor for event in store.read_all(before, 10_000)}
        if probe.method != "GET" and actors != {CALLER_A}:
            probe.fail(f"events written as {role} carry actors {actors}")
        if probe.example.kind in ("list", "report") and not mentions(answer, world.a_side):
            probe.fail(f"as {role} of A: A's own things are not listed")


def settled(world: World, answer: Any) -> Any:
    """The answer, once an import it started has finished (its events come after the 202)."""
    location = answer.headers.get("Location", "")
    if answer.status_code == 202 and location.startswith("/imports/"):
        finished_job(world, location, bearer("admin", "*", "seeder"))
    return answer


def finished_job(world: World, location: str, headers: dict[str, str]) -> dict[str, Any]:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        job: dict[str, Any] = world.call("members", Call("GET", location), headers).get_json()
        if job.get("status") in ("completed", "failed"):
            return job
        time.sleep(0.02)
    raise AssertionError(f"import job {location} never finished")


def test_every_installed_service_is_covered_by_this_matrix_test():
    missing = [name for name in installed() if name not in EXAMPLES]
    assert not missing, (
        f"wire these services into the matrix test (PERMISSIONS, examples): {missing}"
    )


@pytest.mark.parametrize("service", sorted(EXAMPLES))
def test_every_endpoint_answers_each_caller_as_the_matrix_says(world: World, service: str):
    app = world.apps[service]
    permissions = app.extensions["chibo.permissions"]
    assert uncovered(app, permissions) == [], "routes missing from the permission matrix"
    documented = {(method, flask_rule(app, path)) for method, path in openapi_operations(app)}
    assert documented == routes(app) - set(PLATFORM_PERMISSIONS), "routes outside the OpenAPI doc"
    operations = openapi_operations(app)
    no_example = [op for op in operations if op not in EXAMPLES[service]]
    assert not no_example, f"endpoints without an example request in this test: {no_example}"
    problems = [
        p for method, path in operations for p in check_endpoint(world, service, method, path)
    ]
    assert not problems, "\n".join(problems)


def test_every_list_limits_its_page_and_refuses_more(world: World):
    admin = bearer("admin", "*", "seeder")
    for service, app in world.apps.items():
        document = app.test_client().get("/openapi.json").get_json()
        for (method, path), example in EXAMPLES[service].items():
            if method != "GET" or example.kind not in ("list", "own"):
                continue
            parameters = [
                p
                for p in document["paths"][path]["get"].get("parameters", [])
                if p["name"] in PAGE_PARAMETERS
            ]
            assert parameters, f"{path} has no page size"
            for parameter in parameters:
                assert parameter["schema"]["maximum"] <= MAX_PAGE, (path, parameter)
                call = example.setup(world)[0]
                for size, status in ((MAX_PAGE, 200), (MAX_PAGE + 1, 422)):
                    query = call.query | {parameter["name"]: size}
                    answer = world.call(service, Call("GET", call.path, query=query), admin)
                    assert answer.status_code == status, (path, size, answer.get_json())


def test_bodies_above_the_limit_are_refused_before_anything_runs(world: World):
    admin = bearer("admin", "*", "seeder")
    big = json.dumps({"pad": "x" * (1024 * 1024)}).encode()
    for service, app in world.apps.items():
        before = world.store(service).last_position()
        for method, path in openapi_operations(app):
            if method == "GET" or path == "/imports":
                continue
            concrete = re.sub(r"\{[^}]+\}", "x", path)
            call = Call(method, concrete, data=big, content_type="application/json")
            answer = world.call(service, call, admin)
            assert answer.status_code == 413 and answer.mimetype == PROBLEM, (
                path,
                answer.status_code,
            )
        assert world.store(service).last_position() == before


WRITES = {
    "members": lambda w: Call(
        "POST",
        "/org-units",
        {
            "code": w.fresh("AT"),
            "name": "Chi bộ",
            "kind": "cell",
            "parent_id": w.ids["A"],
            "effective_from": "2021-01-01",
        },
    ),
    "meetings": lambda w: Call(
        "POST",
        "/meetings",
        {"cell_id": w.ids["KA"], "kind": "regular", "scheduled_for": "2026-12-24"},
    ),
    "oversight": lambda w: Call(
        "POST",
        "/visits",
        {"overseer_id": CALLER_A, "cell_id": w.ids["KA"], "visited_on": "2025-05-02"},
    ),
    "reporting": lambda w: Call(
        "POST",
        "/rulebooks",
        {"unit_id": w.ids["A"], "effective_from": "2025-06-01", "parameters": {}},
    ),
}


@pytest.mark.parametrize("service", sorted(WRITES))
def test_events_written_through_the_api_carry_the_caller_as_actor(world: World, service: str):
    store = world.store(service)
    before = store.last_position()
    headers = bearer("admin", world.ids["A"], sub=f"someone-of-{service}")
    answer = world.call(service, WRITES[service](world), headers)
    assert answer.status_code == 201, answer.get_json()
    written = store.read_all(before, 100)
    assert written and {event.actor for event in written} == {f"someone-of-{service}"}
    if "reporting" in world.apps:  # the audit trail keeps the actor, as received
        world.settle()
        stream = written[-1].stream_id
        history = world.call(
            "reporting",
            Call("GET", f"/audit/streams/{stream}", query={"source": service}),
            bearer("auditor", world.ids["A"], "reader"),
        )
        assert history.status_code == 200, history.get_json()
        events = [e for e in history.get_json()["events"] if e["position"] > before]
        assert events and {e["actor"] for e in events} == {f"someone-of-{service}"}


@pytest.mark.parametrize("name", [PLATFORM, *sorted(EXAMPLES)])
def test_the_security_document_shows_the_matrix_the_services_enforce(name: str):
    document = (ROOT / "docs" / "SECURITY.md").read_text(encoding="utf-8")
    assert section(document, name) == render()[name], (
        "run `.venv/bin/chibo permissions --write docs/SECURITY.md`"
    )


def test_the_single_machine_address_serves_only_health_and_documents_without_a_token(world):
    loaded = {
        name: LoadedService(
            name, app, tuple(importlib.import_module(f"chibo_{name}.app").PATH_PREFIXES)
        )
        for name, app in world.apps.items()
    }
    client = Client(Dispatcher(loaded))
    public = ["/livez", "/readyz", "/docs"]
    public += [f"/{name}/{doc}" for name in loaded for doc in ("openapi.json", "docs")]
    for path in public:
        assert client.get(path).status_code == 200, path
    assert client.get("/").status_code == 302
    protected = ["/metrics", "/members/docs/../../members", "/meetings/docs/x"]
    for app in world.apps.values():
        protected += [re.sub(r"\{[^}]+\}", "x", path) for _, path in openapi_operations(app)]
    for path in protected:
        for method in ("GET", "POST", "PUT", "DELETE"):
            answer = client.open(path, method=method)
            assert answer.status_code == 401, (method, path, answer.status_code)
    assert client.get("/docs/../members").status_code == 404  # no service owns that path


def _get(world: World, service: str, path: str, headers: dict[str, str], **query: Any) -> Any:
    return world.call(service, Call("GET", path, query=query), headers)


def _ok(answer: Any) -> Any:
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def _refused(answer: Any, named: str) -> None:
    """403 problem whose detail names only what the request named."""
    assert answer.status_code == 403 and answer.mimetype == PROBLEM, answer.get_json()
    assert (
        answer.get_json()["detail"] == f"{named} is not in the part of the tree your token covers"
    )


def _reached(items: list[dict[str, Any]], *keys: str) -> set[str]:
    return {str(item[key]) for item in items for key in keys if item.get(key)}


def test_lists_searches_and_unit_reports_called_with_a_sibling_scope_return_nothing_from_outside_it(
    world: World,
):
    """B's tokens (staff, auditor) against A's and the province's data, item by item; a
    whole-tree token shows that the same requests do hold A's data."""
    world.settle()
    ids = world.ids
    province, unit_a, unit_b, cell_a, cell_b = (ids[k] for k in ("P", "A", "B", "KA", "KB"))
    b_cells = {cell_b, ids["CB"]}
    staff, auditor = as_b(world, "committee_staff"), as_b(world, "auditor")
    whole = bearer("auditor", "*", "reader")

    def report(path: str, headers: dict[str, str], **query: Any) -> Any:
        return _get(world, "reporting", path, headers, **({"period": PERIOD} | query))

    # A roll-up over a unit above the scope is refused (its figures are the province's), as is
    # a sibling's; B's own holds B's cells only.
    for unit in (province, unit_a):
        answer = report(f"/reports/units/{unit}", staff)
        _refused(answer, f"unit {unit}")
        assert not mentions(answer, world.a_side - {unit})
    rolled_up = _ok(report(f"/reports/units/{province}", whole))
    assert {unit_a, unit_b} <= _reached(rolled_up["children"], "unit_id")
    own = report(f"/reports/units/{unit_b}", staff)
    assert _ok(own)["cells"] == 2 and _reached(own.get_json()["children"], "unit_id") == b_cells
    assert not mentions(own, world.a_side)

    # Overseers and reminders below the province hold B's part only; below A, nothing.
    reports = {
        "/reports/overseers": ("overseers", lambda items: {c for i in items for c in i["cells"]}),
        "/reports/reminders": ("items", lambda items: _reached(items, "cell_id")),
    }
    for path, (key, cells_of) in reports.items():
        seen = report(path, staff, unit_id=province)
        assert cell_b in cells_of(_ok(seen)[key]) and cells_of(seen.get_json()[key]) <= b_cells
        assert not mentions(seen, world.a_side)
        assert cell_a in cells_of(_ok(report(path, whole, unit_id=province))[key])
        for outside in (unit_a, str(uuid.uuid4())):
            nothing = _ok(report(path, staff, unit_id=outside))
            assert nothing[key] == [] and nothing["rulebook"] is None
    overseers = _ok(report("/reports/overseers", staff, unit_id=province))["overseers"]
    assert {o["overseer_id"] for o in overseers} == {CALLER_B}

    # One cell, one member, one stream of A's: refused; B's own: shown.
    _refused(report(f"/reports/cells/{cell_a}", staff), f"unit {cell_a}")
    _ok(report(f"/reports/cells/{cell_b}", staff))
    member_a, member_b = ids["MA1"], ids["MB1"]
    _refused(report(f"/reports/members/{member_a}", staff), f"member {member_a}")
    _ok(report(f"/reports/members/{member_b}", staff))
    streams = {
        "meetings": (ids["held-A"], ids["held-B"]),
        "members": (member_a, member_b),
        "oversight": (ids["assignment-A"], ids["assignment-B"]),
        "reporting": (f"rulebooks:{unit_a}", f"rulebooks:{unit_b}"),
    }
    for source, (of_a, of_b) in streams.items():
        path_a, path_b = f"/audit/streams/{of_a}", f"/audit/streams/{of_b}"
        _refused(_get(world, "reporting", path_a, auditor, source=source), f"stream {of_a}")
        _refused(_get(world, "reporting", path_a, auditor), f"stream {of_a}")
        assert _ok(_get(world, "reporting", path_b, auditor, source=source))["events"]
        assert _ok(_get(world, "reporting", path_a, whole, source=source))["events"]

    # The verification of a source counts the streams of the scope's part only.
    for source in ("meetings", "oversight"):
        count = {
            side: _ok(_get(world, "reporting", "/audit/verify", who, source=source))["streams"]
            for side, who in (("A", as_a(world, "auditor")), ("B", auditor), ("*", whole))
        }
        assert count["A"] > 0 and count["B"] > 0 and count["A"] + count["B"] == count["*"], count

    # Rulebooks: B's and those of the units above it, never A's.
    listed = _ok(_get(world, "reporting", "/rulebooks", staff))["items"]
    assert unit_b in _reached(listed, "unit_id") and unit_a not in _reached(listed, "unit_id")
    assert _ok(_get(world, "reporting", "/rulebooks", staff, unit_id=unit_a))["total"] == 1

    # Oversight's lists: B's part of the tree, whatever the filter names; naming A, nothing.
    lists = {
        "/visits": ("cell_id", [{}, {"unit_id": province}, {"unit_id": unit_b}], unit_a),
        "/reviews": ("cell_id", [{}, {"unit_id": province}, {"unit_id": unit_b}], unit_a),
        "/assignments": ("unit_id", [{}, {"unit_id": cell_b}], cell_a),
    }
    for path, (key, queries, a_filter) in lists.items():
        for query in queries:
            items = _ok(_get(world, "oversight", path, staff, **query))["items"]
            assert items and _reached(items, key) <= b_cells, (path, query, items)
        assert _ok(_get(world, "oversight", path, staff, unit_id=a_filter))["items"] == []
        assert cell_a in _reached(_ok(_get(world, "oversight", path, whole))["items"], key)


def test_a_wait_for_a_position_that_never_comes_answers_a_problem_within_the_bound(world: World):
    """A report or an audit answer waits at most REPORTING_WAIT_SECONDS, then a 504 problem
    naming what was not reached; a position already applied answers at once."""
    world.settle()
    reached = world.store("meetings").last_position()
    never = reached + 1_000_000
    calls = [
        (f"/reports/units/{world.ids['A']}", {"period": PERIOD}, "committee_staff"),
        ("/audit/verify", {"source": "meetings"}, "auditor"),
    ]
    for path, query, role in calls:
        who = as_a(world, role)
        started = time.monotonic()
        answer = _get(world, "reporting", path, who, wait_for=f"meetings:{never}", **query)
        took = time.monotonic() - started
        assert answer.status_code == 504 and answer.mimetype == PROBLEM, answer.get_json()
        assert f"meetings:{never}" in answer.get_json()["detail"]
        assert WAIT_BOUND <= took < WAIT_BOUND + 2, took
        waited = _get(world, "reporting", path, who, wait_for=f"meetings:{reached}", **query)
        assert waited.status_code == 200, waited.get_json()


def test_a_malformed_or_out_of_range_wait_for_is_a_422_naming_it_at_once(world: World):
    auditor = bearer("auditor", world.ids["A"], CALLER_A)
    bad = [
        "meetings",
        "meetings:",
        ":5",
        "meetings:-1",
        "meetings:abc",
        "meetings:1.5",
        "meetings:" + "9" * 19,
        "MEETINGS:1",
        "no-such-source:1",
        "meetings:1:2",
    ]
    for (method, path), example in REPORTING.items():
        if method != "GET" or not path.startswith(("/reports", "/audit")):
            continue  # the reports and the audit trail wait; rulebooks are the write side's
        call = example.setup(world)[0]
        for value in bad:
            started = time.monotonic()
            query = call.query | {"wait_for": value}
            answer = world.call("reporting", Call("GET", call.path, query=query), auditor)
            assert answer.status_code == 422 and answer.mimetype == PROBLEM, (path, value)
            assert "wait_for" in answer.get_json()["errors"], (path, value)
            assert time.monotonic() - started < WAIT_BOUND, (path, value)
