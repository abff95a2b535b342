"""The visit policy: an overseer in charge listed as a guest on a roll call has visited the cell,
exactly once per overseer and meeting, whatever the order and number of deliveries."""

from __future__ import annotations

import pytest

from chibo_oversight.domain import visit_id_for

from .steps import assign, visit_body
from .support import (
    GRASSROOTS,
    MEETING,
    MEETING_DAY,
    NOBODY,
    OVERSEER,
    STANDING,
    catch_up,
    event_count,
    stored,
)

pytestmark = pytest.mark.usefixtures("world")
AS_OVERSEER = ((OVERSEER, "overseer"),)


def visits_at(service, meeting_id=MEETING):
    return [v for v in stored(service, "VisitMade") if v["meeting_id"] == meeting_id]


def test_an_overseer_in_charge_listed_as_a_guest_has_visited(client, service, meetings):
    assignment = assign(client)
    meetings.roll_call(guests=AS_OVERSEER)
    meetings.publish()
    catch_up(service)
    [visit] = visits_at(service)
    assert visit["visit_id"] == visit_id_for(OVERSEER, MEETING)
    assert visit["derived"] is True and visit["counts_toward_quota"] is True
    assert visit["assignment_id"] == assignment["id"] and visit["visited_on"] == MEETING_DAY
    assert visit["position_basis"] == "executive_committee_member"
    assert visit["guest_role"] == "overseer"
    [listed] = client.get(f"/visits?meeting_id={MEETING}").json["items"]
    assert listed["id"] == visit["visit_id"] and listed["derived"] is True
    envelope = service.store.load(visit["visit_id"])[0]
    assert envelope.actor == "oversight-visit-policy" and envelope.causation_id


def test_a_roll_call_delivered_twice_and_corrected_gives_one_visit(client, service, meetings):
    assign(client)
    meetings.roll_call(guests=AS_OVERSEER)
    meetings.publish()
    catch_up(service)
    meetings.republish()
    meetings.roll_call(guests=((OVERSEER, "cấp ủy viên phụ trách"),), correction=1)
    meetings.publish()
    meetings.republish()
    catch_up(service)
    assert len(visits_at(service)) == 1


def test_one_batch_holding_the_roll_call_and_its_corrections_gives_one_visit(
        client, service, meetings):
    assign(client)
    meetings.roll_call(guests=AS_OVERSEER)
    meetings.roll_call(guests=AS_OVERSEER, correction=1)
    meetings.roll_call(guests=(*AS_OVERSEER, (OVERSEER, "khách")), correction=2)
    meetings.publish()
    catch_up(service)
    assert len(visits_at(service)) == 1


def test_a_correction_that_adds_the_overseer_derives_the_visit(client, service, meetings):
    assign(client)
    meetings.roll_call()
    meetings.publish()
    catch_up(service)
    assert visits_at(service) == []
    meetings.roll_call(guests=AS_OVERSEER, correction=1)
    meetings.publish()
    catch_up(service)
    assert len(visits_at(service)) == 1


def test_being_in_charge_of_the_grassroots_organisation_above_the_cell_is_enough(
        client, service, meetings):
    assignment = assign(client, unit_id=GRASSROOTS, overseer_id=STANDING,
                        position_basis="standing_committee_member")
    meetings.roll_call(guests=((STANDING, "overseer"),))
    meetings.publish()
    catch_up(service)
    [visit] = visits_at(service)
    assert visit["overseer_id"] == STANDING and visit["assignment_id"] == assignment["id"]


def test_guests_not_in_charge_on_the_day_have_not_visited(client, service, meetings):
    assign(client, **{"from": "2025-04-01"})
    meetings.roll_call(guests=((NOBODY, "khách mời"), (OVERSEER, "overseer")))
    meetings.publish()
    before = event_count(service)
    catch_up(service)
    assert event_count(service) == before


def test_an_assignment_recorded_after_the_roll_call_turns_the_appearance_into_a_visit(
        client, service, meetings):
    meetings.roll_call(guests=AS_OVERSEER)
    meetings.publish()
    catch_up(service)
    assert visits_at(service) == []
    body = {"overseer_id": OVERSEER, "unit_id": "cell-1",
            "position_basis": "executive_committee_member", "from": "2025-01-01"}
    key = {"Idempotency-Key": "late-assignment"}
    answer = client.post("/assignments", body, headers=key)
    assert answer.status_code == 201
    [visit] = visits_at(service)
    assert visit["derived"] is True and visit["assignment_id"] == answer.json["id"]
    assert answer.headers["Chibo-Position"] == f"oversight:{event_count(service)}"
    replayed = client.post("/assignments", body, headers=key)
    assert replayed.json == answer.json
    assert replayed.headers["Chibo-Position"] == answer.headers["Chibo-Position"]
    assert len(visits_at(service)) == 1
    meetings.roll_call(guests=AS_OVERSEER, correction=1)
    meetings.publish()
    catch_up(service)
    assert len(visits_at(service)) == 1


def test_a_visit_recorded_by_hand_is_not_derived_again(client, service, meetings):
    assign(client)
    by_hand = client.post("/visits", visit_body(id="6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b"))
    assert by_hand.status_code == 201
    meetings.roll_call(guests=AS_OVERSEER)
    meetings.publish()
    catch_up(service)
    [visit] = visits_at(service)
    assert visit["visit_id"] == by_hand.json["id"] and visit["derived"] is False


def test_a_visit_by_hand_after_the_derived_one_is_a_conflict(client, service, meetings):
    assign(client)
    meetings.roll_call(guests=AS_OVERSEER)
    meetings.publish()
    catch_up(service)
    before = event_count(service)
    answer = client.post("/visits", visit_body())
    assert answer.status_code == 409 and "derived from its roll call" in answer.json["detail"]
    assert event_count(service) == before


def test_a_correction_no_longer_listing_the_overseer_withdraws_the_visit(client, service, meetings):
    assign(client)
    meetings.roll_call(guests=AS_OVERSEER)
    meetings.publish()
    catch_up(service)
    [visit] = visits_at(service)
    meetings.roll_call(correction=1)  # the overseer was listed by mistake
    meetings.publish()
    catch_up(service)
    [withdrawn] = stored(service, "VisitWithdrawn")
    assert withdrawn["visit_id"] == visit["visit_id"] and withdrawn["meeting_id"] == MEETING
    assert "no longer lists" in withdrawn["reason"]
    envelope = service.store.load(visit["visit_id"])[-1]
    assert envelope.actor == "oversight-visit-policy" and envelope.causation_id
    assert client.get(f"/visits?meeting_id={MEETING}").json["items"] == []
    shown = client.get(f"/visits/{visit['visit_id']}").json
    assert shown["withdrawn"] is True and shown["version"] == 2
    meetings.republish()
    catch_up(service)
    assert len(stored(service, "VisitWithdrawn")) == 1


def test_a_withdrawn_visit_is_derived_again_when_a_later_correction_lists_the_overseer(
        client, service, meetings):
    assign(client)
    meetings.roll_call(guests=AS_OVERSEER)
    meetings.roll_call(correction=1)
    meetings.publish()
    catch_up(service)
    assert visits_at(service) == []  # only the batch's latest roll call is followed
    meetings.roll_call(guests=AS_OVERSEER, correction=2)
    meetings.publish()
    catch_up(service)
    meetings.roll_call(correction=3)
    meetings.publish()
    catch_up(service)
    meetings.roll_call(guests=AS_OVERSEER, correction=4)
    meetings.publish()
    catch_up(service)
    visit_id = visit_id_for(OVERSEER, MEETING)
    history = [e.type for e in service.store.load(visit_id)]
    assert history == ["oversight.VisitMade", "oversight.VisitWithdrawn", "oversight.VisitMade"]
    [listed] = client.get(f"/visits?meeting_id={MEETING}").json["items"]
    assert listed["id"] == visit_id and listed["withdrawn"] is False and listed["version"] == 3


def test_once_its_derived_visit_is_withdrawn_the_overseer_may_record_the_visit_by_hand(
        client, service, meetings):
    assign(client)
    meetings.roll_call(guests=AS_OVERSEER)
    meetings.publish()
    catch_up(service)
    meetings.roll_call(correction=1)
    meetings.publish()
    catch_up(service)
    by_hand = client.post("/visits", visit_body())
    assert by_hand.status_code == 201, by_hand.json
    assert by_hand.json["id"] == visit_id_for(OVERSEER, MEETING)
    assert by_hand.json["derived"] is False and by_hand.json["version"] == 3
    meetings.roll_call(guests=AS_OVERSEER, correction=2)
    meetings.publish()
    catch_up(service)
    [listed] = client.get(f"/visits?meeting_id={MEETING}").json["items"]
    assert listed["derived"] is False and listed["version"] == 3
