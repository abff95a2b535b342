"""Scope and roles over HTTP: what a token reaches, on which tree, and who may change what."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from .api_steps import schedule
from .support import CELL, COMMUNE, OTHER_CELL, PROVINCE, Client, MembersFeed, catch_up

MOVED_ON = date(2025, 7, 1)
BEFORE, AFTER = "2025-03-03T19:00:00+07:00", "2025-08-04T19:00:00+07:00"
NEW_COMMUNE = "commune-2"


@pytest.fixture
def reorganised(feed: MembersFeed, roster: MembersFeed, service, client) -> dict[str, str]:
    """cell-1 moves from commune-1 to commune-2 on 2025-07-01; one meeting before, one after;
    cell-2 stays in commune-1 and has a meeting too."""
    meetings = {
        "before": schedule(client, scheduled_for=BEFORE)["id"],
        "after": schedule(client, scheduled_for=AFTER)["id"],
        "other": schedule(client, cell_id=OTHER_CELL, scheduled_for=BEFORE)["id"],
    }
    feed.unit(NEW_COMMUNE, "commune_committee", PROVINCE)
    feed.move(CELL, NEW_COMMUNE, MOVED_ON)
    feed.publish()
    catch_up(service)
    return meetings


def listed(client: Client, query: str = "") -> set[str]:
    answer = client.get(f"/meetings{query}")
    assert answer.status_code == 200, answer.json
    return {m["id"] for m in answer.json["items"]}


def test_reads_reach_meetings_of_cells_in_scope_on_the_day_or_today(app, reorganised):
    formerly = Client(app, roles=("committee_staff",), scope=(COMMUNE,))
    now = Client(app, roles=("committee_staff",), scope=(NEW_COMMUNE,))
    assert formerly.get(f"/meetings/{reorganised['before']}").status_code == 200
    assert formerly.get(f"/meetings/{reorganised['after']}").status_code == 403
    assert listed(formerly) == {reorganised["before"], reorganised["other"]}
    assert listed(formerly, f"?cell_id={CELL}") == {reorganised["before"]}
    assert now.get(f"/meetings/{reorganised['before']}").status_code == 200
    assert now.get(f"/meetings/{reorganised['after']}").status_code == 200
    assert listed(now) == {reorganised["before"], reorganised["after"]}
    assert listed(now, f"?cell_id={OTHER_CELL}") == set()


def test_changes_reach_only_cells_in_scope_today(app, reorganised, service):
    formerly = Client(app, roles=("admin",), scope=(COMMUNE,))
    now = Client(app, roles=("admin",), scope=(NEW_COMMUNE,))
    events = service.store.last_position()
    refused = formerly.post(f"/meetings/{reorganised['before']}/cancel", {"reason": "lỗi"})
    assert refused.status_code == 403 and service.store.last_position() == events
    cancelled = now.post(f"/meetings/{reorganised['before']}/cancel", {"reason": "lỗi"})
    assert cancelled.status_code == 200
    planned = {"cell_id": CELL, "kind": "regular", "scheduled_for": "2026-12-03T19:00:00+07:00"}
    assert formerly.post("/meetings", planned).status_code == 403
    assert now.post("/meetings", planned).status_code == 201


def test_a_missing_meeting_and_one_out_of_reach_answer_alike(app, client, reorganised):
    elsewhere = Client(app, roles=("secretary",), scope=(OTHER_CELL,))
    there, missing = reorganised["after"], str(uuid.uuid4())
    for method, suffix, body in (("get", "", None), ("post", "/cancel", {"reason": "x"})):
        extra = [body] if body else []
        seen = getattr(elsewhere, method)(f"/meetings/{there}{suffix}", *extra)
        absent = getattr(elsewhere, method)(f"/meetings/{missing}{suffix}", *extra)
        assert seen.status_code == absent.status_code == 403
        assert seen.json["detail"] == absent.json["detail"].replace(missing, there)
    assert client.get(f"/meetings/{missing}").status_code == 404


SCHEDULE = {"cell_id": CELL, "kind": "regular", "scheduled_for": BEFORE}
CONFIRM = {"total": 91, "grade": "good"}
WRITES = [
    (("committee_staff",), "/meetings", SCHEDULE, False),
    (("overseer",), "/meetings", SCHEDULE, False),
    (("auditor",), "/meetings", SCHEDULE, False),
    (("secretary",), "/meetings", SCHEDULE, True),
    (("secretary",), "/meetings/{id}/assessment/confirm", CONFIRM, False),
    (("committee_staff",), "/meetings/{id}/cancel", {"reason": "x"}, False),
]


@pytest.mark.parametrize("write", WRITES, ids=lambda w: f"{w[0][0]} {w[1]}")
def test_the_permission_matrix_decides_which_roles_may_write(app, client, roster, service, write):
    roles, path, body, allowed = write
    meeting_id = schedule(client)["id"]
    caller = Client(app, roles=roles, scope=("*",) if roles == ("auditor",) else (CELL,))
    events = service.store.last_position()
    answer = caller.post(path.format(id=meeting_id), body)
    assert (answer.status_code != 403) == allowed, answer.json
    if not allowed:
        assert service.store.last_position() == events
