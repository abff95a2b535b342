"""POST/GET /visits: visits recorded by hand, checked against the known meetings."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from chibo_oversight.bootstrap import bootstrap

from .steps import assign, posted_while_arriving, visit_body
from .support import (
    CELL,
    GRASSROOTS,
    GRASSROOTS_CELL,
    MEETING,
    MEETING_DAY,
    NOBODY,
    OTHER_MEETING,
    OVERSEER,
    STANDING,
    catch_up,
    event_count,
    stored,
)

pytestmark = pytest.mark.usefixtures("world")
# The audit's server clock: 25 November 2026 at 17:30 UTC, already the 26th in Vietnam.
NOW = datetime(2026, 11, 25, 17, 30, tzinfo=UTC)


@pytest.fixture
def service(settings, bus):
    service = bootstrap(settings, bus=bus, clock=lambda: NOW)
    yield service
    service.engine.dispose()


def test_a_visit_by_the_overseer_in_charge_counts_toward_the_quota(client, service):
    assignment = assign(client)
    answer = client.post("/visits", visit_body())
    assert answer.status_code == 201, answer.json
    body = answer.json
    assert body["counts_toward_quota"] is True and body["derived"] is False
    assert body["assignment_id"] == assignment["id"]
    assert body["position_basis"] == "executive_committee_member"
    assert body["issues"] == ["Tỷ lệ dự họp thấp"] and body["meeting_id"] == MEETING
    assert answer.headers["Location"] == f"/visits/{body['id']}"
    assert answer.headers["Chibo-Position"] == f"oversight:{event_count(service)}"
    [event] = stored(service, "VisitMade")
    assert event["visit_id"] == body["id"] and event["counts_toward_quota"] is True
    assert client.get(f"/visits/{body['id']}").json == body


def test_a_visit_by_someone_without_an_assignment_is_kept_but_does_not_count(client, service):
    answer = client.post("/visits", visit_body(overseer_id=NOBODY))
    assert answer.status_code == 201, answer.json
    assert answer.json["counts_toward_quota"] is False
    assert answer.json["assignment_id"] is None and answer.json["position_basis"] is None
    [event] = stored(service, "VisitMade")
    assert event["counts_toward_quota"] is False and event["derived"] is False


def test_an_assignment_to_the_grassroots_organisation_covers_its_cells(client):
    assignment = assign(client, unit_id=GRASSROOTS, overseer_id=STANDING,
                        position_basis="standing_committee_member")
    answer = client.post("/visits", visit_body(overseer_id=STANDING))
    assert answer.json["assignment_id"] == assignment["id"]
    outside = client.post("/visits", visit_body(
        overseer_id=STANDING, cell_id=GRASSROOTS_CELL, meeting_id=OTHER_MEETING,
        visited_on="2025-03-05"))
    assert outside.status_code == 201 and outside.json["counts_toward_quota"] is False


def test_a_visit_outside_the_assignments_days_does_not_count(client):
    assign(client, **{"from": "2025-04-01"})
    answer = client.post("/visits", visit_body())
    assert answer.status_code == 201 and answer.json["counts_toward_quota"] is False


def test_a_visit_without_a_meeting_is_recorded(client):
    assign(client)
    answer = client.post("/visits", visit_body(meeting_id=None, visited_on="2025-03-20",
                                                issues=[], follow_ups=[]))
    assert answer.status_code == 201 and answer.json["meeting_id"] is None
    assert answer.json["counts_toward_quota"] is True


def test_a_visit_may_be_dated_ahead_within_the_calendar_meetings_accept(client):
    assign(client)
    ahead = client.post("/visits", visit_body(meeting_id=None, visited_on="2030-01-01"))
    assert ahead.status_code == 201, ahead.json
    for day in ("2100-01-01", "1929-12-31"):
        refused = client.post("/visits", visit_body(meeting_id=None, visited_on=day))
        assert refused.status_code == 422 and "visited_on" in refused.json["errors"], day


def test_a_meeting_held_a_moment_ago_is_waited_for(client, service, meetings):
    """Still on its way on meetings.events when the overseer records the visit: the write
    waits for it (bounded), as for a unit or a member; only what never comes is refused."""
    assign(client)
    meetings.held("meeting-new", CELL, MEETING_DAY)
    meetings.publish()  # not consumed yet
    made = posted_while_arriving(
        service, lambda: client.post("/visits", visit_body(meeting_id="meeting-new")))
    assert made.status_code == 201, made.json
    never = client.post("/visits", visit_body(meeting_id="meeting-never"))
    assert never.status_code == 422 and "meeting_id" in never.json["errors"]


def test_a_visit_must_match_its_meetings_cell_and_day(client, service):
    before = event_count(service)
    other_cell = client.post("/visits", visit_body(meeting_id=OTHER_MEETING))
    assert other_cell.status_code == 422 and "meeting_id" in other_cell.json["errors"]
    assert GRASSROOTS_CELL in other_cell.json["detail"]
    other_day = client.post("/visits", visit_body(visited_on="2025-03-04"))
    assert other_day.status_code == 422 and "visited_on" in other_day.json["errors"]
    unknown = client.post("/visits", visit_body(meeting_id="meeting-x"))
    assert unknown.status_code == 422 and "meeting_id" in unknown.json["errors"]
    stranger = client.post("/visits", visit_body(overseer_id="ghost"))
    assert stranger.status_code == 422 and "overseer_id" in stranger.json["errors"]
    not_a_cell = client.post("/visits", visit_body(cell_id=GRASSROOTS, meeting_id=None))
    assert not_a_cell.status_code == 422 and "cell_id" in not_a_cell.json["errors"]
    assert event_count(service) == before


def test_a_cancelled_meeting_cannot_be_visited(client, service, meetings):
    meetings.cancelled("meeting-c", CELL, date(2025, 4, 3))
    meetings.publish()
    catch_up(service)
    answer = client.post("/visits", visit_body(meeting_id="meeting-c", visited_on="2025-04-03"))
    assert answer.status_code == 422 and "cancelled" in answer.json["detail"]


def test_a_rescheduled_meeting_is_visited_on_its_new_day(client, service, meetings):
    meetings.scheduled("meeting-r", CELL, date(2025, 4, 3))
    meetings.publish()
    catch_up(service)
    meetings.rescheduled("meeting-r", CELL, date(2025, 4, 10), before=date(2025, 4, 3))
    meetings.publish()
    catch_up(service)
    old_day = client.post("/visits", visit_body(meeting_id="meeting-r", visited_on="2025-04-03"))
    assert old_day.status_code == 422 and "2025-04-10" in old_day.json["detail"]
    new_day = client.post("/visits", visit_body(meeting_id="meeting-r", visited_on="2025-04-10"))
    assert new_day.status_code == 201


def test_a_second_visit_of_one_overseer_to_one_meeting_is_a_conflict(client, service):
    first = client.post("/visits", visit_body())
    assert first.status_code == 201
    before = event_count(service)
    again = client.post("/visits", visit_body(id="0b3e0c43-2d7e-4f57-9c38-64a3c1e3d7a1"))
    assert again.status_code == 409 and first.json["id"] in again.json["detail"]
    retried = client.post("/visits", visit_body())
    assert retried.status_code == 201 and retried.json["id"] == first.json["id"]
    changed = client.post("/visits", visit_body(comments="Khác"))
    assert changed.status_code == 409
    assert event_count(service) == before
    other = client.post("/visits", visit_body(overseer_id=STANDING))
    assert other.status_code == 201


def test_visits_are_listed_by_overseer_cell_unit_and_days(client):
    assign(client)
    a = client.post("/visits", visit_body()).json
    b = client.post("/visits", visit_body(meeting_id=None, visited_on="2025-05-10")).json
    c = client.post("/visits", visit_body(overseer_id=STANDING, cell_id=GRASSROOTS_CELL,
                                          meeting_id=OTHER_MEETING,
                                          visited_on="2025-03-05")).json

    def ids(query: str) -> list[str]:
        answer = client.get(f"/visits?{query}")
        assert answer.status_code == 200, answer.json
        return [item["id"] for item in answer.json["items"]]

    assert ids(f"overseer_id={OVERSEER}") == [a["id"], b["id"]]
    assert ids(f"cell_id={CELL}&from=2025-04-01") == [b["id"]]
    assert ids("from=2025-03-01&to=2025-03-31") == [a["id"], c["id"]]
    assert ids(f"unit_id={GRASSROOTS}") == [a["id"], b["id"]]
    assert ids(f"meeting_id={OTHER_MEETING}") == [c["id"]]
    assert client.get("/visits?page_size=1&page=3").json["items"][0]["id"] == b["id"]
    assert client.get("/visits?from=2025-04-01&to=2025-03-01").status_code == 422


def test_an_unknown_visit_is_not_found(client):
    assignment = assign(client)
    assert client.get("/visits/2a4a0e1f-1111-4b6a-9cde-0123456789ab").status_code == 404
    assert client.get(f"/visits/{assignment['id']}").status_code == 404


def test_a_visit_recorded_by_mistake_is_withdrawn_with_a_reason(client, service):
    assign(client)
    visit = client.post("/visits", visit_body()).json
    path = f"/visits/{visit['id']}/withdraw"
    assert client.post(path, {"reason": "  "}).status_code == 422
    assert client.post(path, {}).status_code == 422
    stale = client.post(path, {"reason": "ghi nhầm"}, headers={"If-Match": '"0"'})
    assert stale.status_code == 412
    answer = client.post(path, {"reason": "ghi nhầm cuộc họp"}, headers={"If-Match": '"1"'})
    assert answer.status_code == 200, answer.json
    assert answer.json["withdrawn"] is True
    assert answer.json["withdrawal_reason"] == "ghi nhầm cuộc họp"
    assert answer.json["version"] == 2 and answer.headers["ETag"] == '"2"'
    [event] = stored(service, "VisitWithdrawn")
    assert event == {"visit_id": visit["id"], "overseer_id": OVERSEER, "cell_id": CELL,
                     "meeting_id": MEETING, "visited_on": MEETING_DAY,
                     "reason": "ghi nhầm cuộc họp"}
    assert client.get(f"/visits?overseer_id={OVERSEER}").json["items"] == []
    again = client.post(path, {"reason": "ghi nhầm"})
    assert again.status_code == 409 and "already withdrawn" in again.json["detail"]
    remade = client.post("/visits", visit_body(comments="Đúng cuộc họp"))
    assert remade.status_code == 201 and remade.json["id"] == visit["id"]
    assert remade.json["withdrawn"] is False and remade.json["version"] == 3
    assert client.post("/visits/2a4a0e1f-1111-4b6a-9cde-0123456789ab/withdraw",
                       {"reason": "x"}).status_code == 404
