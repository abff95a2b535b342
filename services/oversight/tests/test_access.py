"""Tokens: none is a 401; a scoped token reaches only its part of the tree; roles limit writes."""

from __future__ import annotations

import pytest

from chibo_web.permissions import uncovered, unknown

from .steps import assign, assignment_body, open_review, review_body, visit_body
from .support import (
    CELL,
    COMMUNE,
    FAR_CELL,
    GRASSROOTS,
    OTHER_COMMUNE,
    OVERSEER,
    STANDING,
    Client,
    event_count,
)

pytestmark = pytest.mark.usefixtures("world")


def test_a_request_without_a_token_is_refused(app):
    answer = app.test_client().get("/assignments")
    assert answer.status_code == 401
    assert answer.headers["Content-Type"] == "application/problem+json"


def test_committee_staff_act_only_within_their_scope(app, client, service):
    staff = Client(app, roles=("committee_staff",), scope=(COMMUNE.upper(),))
    assert staff.post("/assignments", assignment_body()).status_code == 201
    before = event_count(service)
    far = staff.post("/reviews", review_body(cell_id=FAR_CELL))
    assert far.status_code == 403
    assert event_count(service) == before
    case, near = open_review(client, cell_id=FAR_CELL), open_review(client)
    other = staff.get(f"/reviews?unit_id={OTHER_COMMUNE}")  # lists are narrowed, not refused
    assert other.status_code == 200 and other.json["items"] == []
    listed = staff.get("/reviews")
    assert listed.status_code == 200 and [r["id"] for r in listed.json["items"]] == [near["id"]]
    assert staff.get(f"/reviews?unit_id={GRASSROOTS}").json["items"] == listed.json["items"]
    assert staff.get(f"/reviews/{case['id']}").status_code == 403


def test_an_overseer_records_only_their_own_visits(app, service):
    overseer = Client(app, roles=("overseer",), scope=(COMMUNE,), sub=OVERSEER)
    assert overseer.post("/visits", visit_body()).status_code == 201
    assert overseer.post("/visits", visit_body(overseer_id=STANDING)).status_code == 403
    assert overseer.post("/assignments", assignment_body()).status_code == 403
    mine = overseer.get(f"/visits?overseer_id={OVERSEER}")
    assert mine.status_code == 200 and mine.json["total"] == 1
    visit_id = mine.json["items"][0]["id"]
    taken_back = overseer.post(f"/visits/{visit_id}/withdraw", {"reason": "nhầm"})
    assert taken_back.status_code == 403  # committee staff withdraw visits


def test_an_auditor_reads_but_does_not_write(app, client):
    auditor = Client(app, roles=("auditor",), scope=("*",))
    assignment = assign(client)
    assert auditor.get(f"/assignments/{assignment['id']}").status_code == 200
    assert auditor.post("/reviews", review_body(cell_id=CELL)).status_code == 403


def test_every_route_is_in_the_permission_matrix_and_nothing_else(app):
    permissions = app.extensions["chibo.permissions"]
    assert uncovered(app, permissions) == [] and unknown(app, permissions) == []


def test_a_cell_secretary_may_file_the_cells_explanation_but_not_close_the_case(app, client):
    case = open_review(client)
    secretary = Client(app, roles=("secretary",), scope=(CELL,))
    explained = secretary.post(f"/reviews/{case['id']}/explanation",
                               {"text": "Đã họp bù", "received_on": "2025-04-15"})
    assert explained.status_code == 200
    closed = secretary.post(f"/reviews/{case['id']}/close",
                            {"outcome": "fixed", "closed_on": "2025-04-16"})
    assert closed.status_code == 403


def test_the_openapi_document_describes_every_path(app):
    paths = app.test_client().get("/openapi.json").json["paths"]
    assert {"/assignments", "/assignments/{assignment_id}", "/assignments/{assignment_id}/end",
            "/visits", "/visits/{visit_id}", "/reviews", "/reviews/{review_id}",
            "/reviews/{review_id}/explanation", "/reviews/{review_id}/close"} <= set(paths)
