"""POST/GET /assignments: the basis position is checked against the service's copy of the tree."""

from __future__ import annotations

from datetime import date

import pytest

from .steps import BASIS, assign, assignment_body
from .support import (
    CELL,
    COMMUNE,
    FAR_CELL,
    GRASSROOTS,
    NOBODY,
    OVERSEER,
    STANDING,
    catch_up,
    event_count,
    stored,
)

pytestmark = pytest.mark.usefixtures("world")


def test_an_overseer_holding_the_basis_position_above_the_cell_is_put_in_charge(
        client, service):
    answer = client.post("/assignments", assignment_body(to="2025-12-31"))
    assert answer.status_code == 201, answer.json
    body = answer.json
    assert body["overseer_id"] == OVERSEER and body["unit_id"] == CELL
    assert body["position_basis"] == BASIS and body["position_unit_id"] == COMMUNE
    assert body["from"] == "2025-01-01" and body["to"] == "2025-12-31"
    assert answer.headers["Location"] == f"/assignments/{body['id']}"
    assert answer.headers["ETag"] == '"1"'
    assert answer.headers["Chibo-Position"] == f"oversight:{event_count(service)}"
    [event] = stored(service, "OverseerAssigned")
    assert event["assignment_id"] == body["id"] and event["position_unit_id"] == COMMUNE
    assert event["position_id"] == "pos-O" and str(event["from_"]) == "2025-01-01"
    fetched = client.get(f"/assignments/{body['id']}")
    assert fetched.status_code == 200 and fetched.json == body
    assert fetched.headers["ETag"] == '"1"'


def test_a_grassroots_organisation_can_be_put_in_someones_charge(client):
    assert assign(client, unit_id=GRASSROOTS, overseer_id=STANDING,
                  position_basis="standing_committee_member")["position_unit_id"] == COMMUNE


def test_the_position_must_be_held_above_the_unit_on_the_first_day(client, service, members):
    members.member("L", CELL)
    members.position("L", COMMUNE, BASIS, from_=date(2025, 6, 1))
    members.publish()
    catch_up(service)
    before = event_count(service)
    early = client.post("/assignments", assignment_body(overseer_id="L"))
    assert early.status_code == 422 and "position_basis" in early.json["errors"]
    assert assign(client, overseer_id="L", **{"from": "2025-06-01"})["overseer_id"] == "L"
    before += 1
    elsewhere = client.post("/assignments", assignment_body(unit_id=FAR_CELL))
    assert elsewhere.status_code == 422 and "position_basis" in elsewhere.json["errors"]
    not_held = client.post("/assignments", assignment_body(
        position_basis="standing_committee_member"))
    assert not_held.status_code == 422
    assert "does not hold standing_committee_member" in not_held.json["detail"]
    nothing = client.post("/assignments", assignment_body(overseer_id=NOBODY))
    assert nothing.status_code == 422
    assert event_count(service) == before
    assert early.headers["Content-Type"] == "application/problem+json"


def test_a_position_ended_before_the_first_day_is_no_basis(client, members, service):
    members.end_position(OVERSEER, "pos-O", on=date(2024, 12, 31))
    members.publish()
    catch_up(service)
    answer = client.post("/assignments", assignment_body())
    assert answer.status_code == 422 and "position_basis" in answer.json["errors"]


def test_unknown_overseers_and_units_are_named(client, service):
    before = event_count(service)
    stranger = client.post("/assignments", assignment_body(overseer_id="ghost"))
    assert stranger.status_code == 422 and stranger.json["errors"] == {
        "overseer_id": ["unknown member ghost"]}
    nowhere = client.post("/assignments", assignment_body(unit_id="atlantis"))
    assert nowhere.status_code == 422 and "atlantis" in nowhere.json["errors"]["unit_id"][0]
    committee = client.post("/assignments", assignment_body(unit_id=COMMUNE))
    assert committee.status_code == 422 and "unit_id" in committee.json["errors"]
    assert event_count(service) == before


def test_overlapping_assignments_of_one_overseer_to_one_unit_are_refused(client, service):
    assign(client, to="2025-06-30")
    before = event_count(service)
    overlapping = client.post("/assignments", assignment_body(**{"from": "2025-06-30"}))
    assert overlapping.status_code == 409
    assert event_count(service) == before
    assign(client, **{"from": "2025-07-01"})
    assert assign(client, unit_id=GRASSROOTS)["unit_id"] == GRASSROOTS


def test_ending_an_assignment_makes_room_for_a_later_one(client, service):
    first = assign(client)
    ended = client.post(f"/assignments/{first['id']}/end", {"on": "2025-03-31"})
    assert ended.status_code == 200 and ended.json["ended_on"] == "2025-03-31"
    assert ended.headers["ETag"] == '"2"'
    assert [e["on"].isoformat() for e in stored(service, "AssignmentEnded")] == ["2025-03-31"]
    assert assign(client, **{"from": "2025-04-01"})["from"] == "2025-04-01"
    again = client.post(f"/assignments/{first['id']}/end", {"on": "2025-03-31"})
    assert again.status_code == 409


def test_an_assignment_cannot_end_before_it_starts_or_after_its_planned_end(client, service):
    first = assign(client, to="2025-06-30")
    before = event_count(service)
    early = client.post(f"/assignments/{first['id']}/end", {"on": "2024-12-31"})
    late = client.post(f"/assignments/{first['id']}/end", {"on": "2025-07-01"})
    assert (early.status_code, late.status_code) == (422, 422)
    assert event_count(service) == before
    missing = client.post("/assignments/7d1c6c8e-0000-4000-8000-000000000000/end",
                          {"on": "2025-07-01"})
    assert missing.status_code == 404


def test_a_stale_if_match_is_refused(client, service):
    first = assign(client)
    path = f"/assignments/{first['id']}/end"
    stale = client.post(path, {"on": "2025-03-31"}, headers={"If-Match": '"0"'})
    assert stale.status_code == 412
    fresh = client.post(path, {"on": "2025-03-31"}, headers={"If-Match": '"1"'})
    assert fresh.status_code == 200
    # Ending it another day on a stale version: 412, not the refusal to end it twice.
    again = client.post(path, {"on": "2025-04-30"}, headers={"If-Match": '"1"'})
    assert again.status_code == 412


def test_a_retried_create_with_its_idempotency_key_answers_the_first_answer(client, service):
    key = {"Idempotency-Key": "assign-once"}
    body = assignment_body(id="1b0f3c9a-5c1e-4a55-9d7e-3c1f2b6f8a10")
    first = client.post("/assignments", body, headers=key)
    count = event_count(service)
    again = client.post("/assignments", body, headers=key)
    assert again.status_code == 201 and again.json == first.json
    assert again.headers["Chibo-Position"] == first.headers["Chibo-Position"]
    assert event_count(service) == count
    other = client.post("/assignments", assignment_body(unit_id=GRASSROOTS), headers=key)
    assert other.status_code == 422


def test_assignments_are_listed_by_overseer_unit_and_day_in_force_a_page_at_a_time(client):
    a = assign(client, to="2025-03-31")
    b = assign(client, **{"from": "2025-04-01"})
    c = assign(client, unit_id=GRASSROOTS, overseer_id=STANDING,
               position_basis="standing_committee_member")
    mine = client.get(f"/assignments?overseer_id={OVERSEER}").json
    assert [i["id"] for i in mine["items"]] == [a["id"], b["id"]] and mine["total"] == 2
    assert [i["id"] for i in client.get(f"/assignments?unit_id={GRASSROOTS}").json["items"]] \
        == [c["id"]]
    in_force = client.get(f"/assignments?unit_id={CELL}&active_on=2025-05-01").json["items"]
    assert [i["id"] for i in in_force] == [b["id"]]
    second = client.get("/assignments?page=2&page_size=2").json
    assert second["total"] == 3 and second["page"] == 2 and len(second["items"]) == 1
