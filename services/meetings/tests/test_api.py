"""The meetings HTTP API through Flask's test client, on SQLite and on PostgreSQL."""

from __future__ import annotations

import threading
import uuid
from datetime import date

from .api_steps import (
    ENDED,
    EVERYONE,
    MEETING_DAY,
    SCORES,
    STARTED,
    call_roll,
    entries,
    held_meeting,
    hold,
    schedule,
    with_roll_call,
)
from .support import CELL, COMMUNE, OTHER_CELL, Client, catch_up, event_count, stored_events

PROBLEM = "application/problem+json"


def test_a_meeting_goes_through_its_whole_life_cycle(client, roster, service):
    meeting_id = str(uuid.uuid4())
    created = client.post("/meetings", {
        "id": meeting_id, "cell_id": CELL, "kind": "combined", "scheduled_for": STARTED,
        "place": "Nhà văn hóa", "topic": "Đường bê tông", "agenda": ["Kiểm điểm", "Chuyên đề"],
    })
    assert created.status_code == 201
    assert created.headers["Location"] == f"/meetings/{meeting_id}"
    assert created.headers["ETag"] == '"1"'
    assert created.headers["Chibo-Position"] == "meetings:1"
    base = f"/meetings/{meeting_id}"
    steps = [
        client.post(f"{base}/notices", {"sent_at": "2025-03-01T08:00:00+07:00",
                                        "to_members": True, "to_overseer_ids": ["O-1"]}),
        client.post(f"{base}/documents", {"phase": "before", "title": "Dự thảo nghị quyết",
                                          "posted_at": "2025-03-01T09:00:00+07:00"}),
        hold(client, meeting_id),
        call_roll(client, meeting_id, entries("A", "B", "C", P=("absent_excused", "ốm")),
                  [{"member_id": "O-1", "role": "overseer"}]),
        client.post(f"{base}/resolution", {
            "text": "Hoàn thành 75 m đường bê tông", "votes_for": 3, "votes_against": 0,
            "votes_abstain": 0, "tasks": [{"description": "Vận động đóng góp", "owner_id": "A",
                                           "due_on": "2025-04-30"}]}),
        client.post(f"{base}/documents", {"phase": "after", "title": "Biên bản",
                                          "posted_at": "2025-03-04T08:00:00+07:00",
                                          "uri": "https://docs.example/bien-ban.pdf"}),
        client.post(f"{base}/assessment", {"rubric": "default-regular", "scores": SCORES,
                                           "total": 91, "grade": "good",
                                           "assessed_on": "2025-03-05"}),
        client.post(f"{base}/assessment/confirm", {"total": 88, "grade": "fair",
                                                   "confirmed_on": "2025-03-10"}),
    ]
    assert [s.status_code for s in steps] == [200] * len(steps), [s.json for s in steps]
    assert [s.headers["ETag"] for s in steps] == [f'"{v}"' for v in range(2, 10)]
    meeting = client.get(base)
    assert meeting.headers["ETag"] == '"9"'
    body = meeting.json
    assert (body["status"], body["kind"], body["topic"]) == ("held", "combined", "Đường bê tông")
    assert body["held"]["duration_minutes"] == 120 and body["held"]["held_on"] == MEETING_DAY
    assert body["roll_call"]["present"] == 3 and body["roll_call"]["absent_excused"] == 1
    assert body["resolution"]["voting_base"] == 3 and len(body["resolution"]["tasks"]) == 1
    assert body["assessment"]["grade"] == "good" and body["confirmation"]["grade"] == "fair"
    assert [e["type"] for e in stored_events(service, meeting_id)] == [
        "meetings.MeetingScheduled", "meetings.MeetingNoticeSent",
        "meetings.MeetingDocumentPosted", "meetings.MeetingHeld", "meetings.AttendanceRecorded",
        "meetings.ResolutionAdopted", "meetings.MeetingDocumentPosted",
        "meetings.MeetingSelfAssessed", "meetings.MeetingGradeConfirmed",
    ]


def test_the_roll_call_event_carries_every_entry_and_the_figures(client, roster, service):
    roster.exempt("C", from_=date(2025, 1, 1))
    roster.attach("Z", CELL, date(2025, 3, 1))
    roster.publish()
    catch_up(service)
    meeting_id = held_meeting(client)
    listed = entries("A", "C", "Z", B=("absent_unexcused", None), P=("absent_excused", "ốm"))
    answer = call_roll(client, meeting_id, listed, [{"member_id": "O-1", "role": "overseer"}])
    assert answer.status_code == 200, answer.json
    [recorded] = [e for e in stored_events(service, meeting_id)
                  if e["type"] == "meetings.AttendanceRecorded"]
    assert recorded["cell_id"] == CELL and str(recorded["held_on"]) == MEETING_DAY
    assert sorted((e["member_id"], e["status"], e["reason"]) for e in recorded["entries"]) == [
        ("A", "present", None), ("B", "absent_unexcused", None), ("C", "present", None),
        ("P", "absent_excused", "ốm"), ("Z", "present", None),
    ]
    assert recorded["guests"] == [{"member_id": "O-1", "role": "overseer"}]
    assert recorded["required_member_ids"] == ["A", "B", "P", "Z"]
    assert recorded["exempted_present_member_ids"] == ["C"]
    assert recorded["attached_member_ids"] == ["Z"]
    # C is exempted and came: present, but outside the base (DOMAIN.md §5)
    assert (recorded["required"], recorded["present"], recorded["exempted_present"],
            recorded["absent_excused"], recorded["absent_unexcused"],
            recorded["attendance_rate"]) == (4, 3, 1, 1, 1, 0.75)
    assert recorded["voting_member_ids"] == ["A", "C"] and recorded["voting_base"] == 2


def test_roll_call_must_name_every_required_member(client, roster, service):
    meeting_id = held_meeting(client)
    before = event_count(service)
    missing = call_roll(client, meeting_id, entries("A", "B", "C"))
    assert missing.status_code == 422 and missing.content_type == PROBLEM
    assert "Nguyễn Văn P (P)" in missing.json["detail"]
    unknown = call_roll(client, meeting_id, entries(*EVERYONE, "Z", "ghost"))
    assert unknown.status_code == 422
    assert "Z" in unknown.json["errors"]["entries"][0]
    assert "ghost" in unknown.json["errors"]["entries"][0]
    assert event_count(service) == before


def test_a_correction_is_published_as_attendance_corrected(client, roster, service):
    meeting_id = with_roll_call(client)
    body = {"entries": entries("A", "B", "C", P=("absent_excused", "ốm")), "reason": "P left"}
    corrected = client.put(f"/meetings/{meeting_id}/roll-call", body)
    assert corrected.status_code == 200
    assert corrected.json["roll_call"]["corrections"] == 1
    assert stored_events(service, meeting_id)[-1]["type"] == "meetings.AttendanceCorrected"


def test_putting_the_same_roll_call_again_changes_nothing(client, roster, service):
    meeting_id = held_meeting(client)
    first = call_roll(client, meeting_id)
    schedule(client, scheduled_for="2025-04-03")  # another stream moves the global position on
    before = event_count(service)
    again = call_roll(client, meeting_id)
    assert again.status_code == 200 and again.headers["ETag"] == '"3"'
    assert event_count(service) == before
    assert first.headers["Chibo-Position"] == "meetings:3"
    assert again.headers["Chibo-Position"] == first.headers["Chibo-Position"]
    assert again.json == first.json


def test_every_exempted_member_who_comes_counts_as_present(client, roster, service):
    roster.exempt("C", from_=date(2025, 1, 1))
    roster.publish()
    catch_up(service)
    meeting_id = held_meeting(client)
    listed = entries("A", "B", "C", P=("absent_unexcused", None))
    roll_call = call_roll(client, meeting_id, listed).json["roll_call"]
    assert (roll_call["required"], roll_call["present"], roll_call["exempted_present"],
            roll_call["absent_unexcused"], roll_call["attendance_rate"]) == (3, 3, 1, 1, 1.0)
    everyone = call_roll(client, meeting_id, entries("A", "B", "C", "P")).json["roll_call"]
    assert (everyone["present"], everyone["attendance_rate"]) == (4, 1.3333)


def test_the_tally_cannot_exceed_the_voting_base(client, roster, service):
    meeting_id = with_roll_call(client)  # A, B, C full and P probationary all present
    before = event_count(service)
    too_many = client.post(f"/meetings/{meeting_id}/resolution", {
        "text": "Nghị quyết", "votes_for": 4, "votes_against": 0, "votes_abstain": 0})
    assert too_many.status_code == 422 and "votes_for" in too_many.json["errors"]
    assert event_count(service) == before
    ok = client.post(f"/meetings/{meeting_id}/resolution", {
        "text": "Nghị quyết", "votes_for": 2, "votes_against": 1, "votes_abstain": 0})
    assert ok.status_code == 200


def test_life_cycle_violations_are_conflicts(client, roster, service):
    meeting_id = str(schedule(client)["id"])
    not_held = call_roll(client, meeting_id)
    assert not_held.status_code == 409 and not_held.content_type == PROBLEM
    cancelled = client.post(f"/meetings/{meeting_id}/cancel", {"reason": "Bão số 3"})
    assert cancelled.status_code == 200 and cancelled.json["status"] == "cancelled"
    before = event_count(service)
    after_cancel = [
        client.post(f"/meetings/{meeting_id}/held", {
            "started_at": STARTED, "ended_at": ENDED, "place": "x", "chair_id": "A",
            "minute_taker_id": "B"}),
        client.post(f"/meetings/{meeting_id}/reschedule", {"scheduled_for": "2025-03-10",
                                                           "reason": "x"}),
        client.post(f"/meetings/{meeting_id}/notices", {"sent_at": STARTED}),
    ]
    assert [a.status_code for a in after_cancel] == [409, 409, 409]
    assert all("cancelled" in a.json["detail"] for a in after_cancel)
    assert client.post(f"/meetings/{meeting_id}/assessment/confirm",
                       {"total": 90, "grade": "good"}).status_code == 409
    assert event_count(service) == before


def test_a_cell_created_a_moment_ago_is_waited_for(client, roster, service):
    """Created a moment before, elsewhere, and still on their way on members.events: the write
    waits for them (bounded) instead of refusing them; only what never comes is refused."""
    roster.unit("cell-new", "cell", COMMUNE)
    roster.publish()  # not consumed yet
    service.reference_wait_seconds = 30
    arrives = threading.Timer(0.3, catch_up, args=(service,))
    arrives.start()
    created = client.post("/meetings", {"cell_id": "cell-new", "kind": "regular",
                                        "scheduled_for": MEETING_DAY})
    arrives.join()
    assert created.status_code == 201, created.json
    service.reference_wait_seconds = 0.2
    never = client.post("/meetings", {"cell_id": "cell-never", "kind": "regular",
                                      "scheduled_for": MEETING_DAY})
    assert never.status_code == 422 and "cell_id" in never.json["errors"]


def test_invariants_answer_422_naming_the_field(client, roster, service):
    before = event_count(service)
    thematic = client.post("/meetings", {"cell_id": CELL, "kind": "thematic",
                                         "scheduled_for": MEETING_DAY})
    assert thematic.status_code == 422 and "topic" in thematic.json["errors"]
    unknown_cell = client.post("/meetings", {"cell_id": "no-such-cell", "kind": "regular",
                                             "scheduled_for": MEETING_DAY})
    assert unknown_cell.status_code == 422 and "cell_id" in unknown_cell.json["errors"]
    commune = client.post("/meetings", {"cell_id": "commune-1", "kind": "regular",
                                        "scheduled_for": MEETING_DAY})
    assert commune.status_code == 422
    assert event_count(service) == before
    meeting_id = str(schedule(client)["id"])
    backwards = client.post(f"/meetings/{meeting_id}/held", {
        "started_at": ENDED, "ended_at": STARTED, "place": "x", "chair_id": "A",
        "minute_taker_id": "B"})
    assert backwards.status_code == 422 and "ended_at" in backwards.json["errors"]
    hold(client, meeting_id)
    wrong_sum = client.post(f"/meetings/{meeting_id}/assessment",
                            {"scores": SCORES, "total": 95, "grade": "good"})
    assert wrong_sum.status_code == 422 and "total" in wrong_sum.json["errors"]
    wrong_band = client.post(f"/meetings/{meeting_id}/assessment",
                             {"scores": SCORES, "total": 91, "grade": "fair"})
    assert wrong_band.status_code == 422 and "grade" in wrong_band.json["errors"]
    too_many = client.post(f"/meetings/{meeting_id}/assessment",
                           {"scores": {**SCORES, "content": 30}, "total": 99, "grade": "good"})
    assert too_many.status_code == 422 and "scores" in too_many.json["errors"]
    unconfirmable = client.post(f"/meetings/{meeting_id}/assessment/confirm",
                                {"total": 91, "grade": "good"})
    assert unconfirmable.status_code == 409


def test_task_progress_is_reported_at_a_later_meeting_of_the_same_cell(client, roster, service):
    first = with_roll_call(client)
    adopted = client.post(f"/meetings/{first}/resolution", {
        "text": "Nghị quyết", "votes_for": 3, "votes_against": 0, "votes_abstain": 0,
        "tasks": [{"description": "Đổ bê tông", "owner_id": "A", "due_on": "2025-03-31"}]})
    task_id = adopted.json["resolution"]["tasks"][0]["id"]
    second = str(schedule(client, scheduled_for="2025-04-03")["id"])
    early = client.post(f"/meetings/{second}/task-reports", {"task_id": task_id, "status": "done"})
    assert early.status_code == 409  # reported at the meeting, once it is held
    hold(client, second, "2025-04-03T19:00:00+07:00", "2025-04-03T21:00:00+07:00")
    reported = client.post(f"/meetings/{second}/task-reports",
                           {"task_id": task_id, "status": "done", "note": "Đã xong"})
    assert reported.status_code == 200, reported.json
    assert reported.json["task_reports"][0]["resolution_meeting_id"] == first
    event = stored_events(service, second)[-1]
    assert (event["type"], event["task_id"], event["cell_id"]) == (
        "meetings.TaskProgressReported", task_id, CELL)
    unknown = client.post(f"/meetings/{second}/task-reports",
                          {"task_id": str(uuid.uuid4()), "status": "done"})
    assert unknown.status_code == 422 and "task_id" in unknown.json["errors"]
    same_meeting = client.post(f"/meetings/{first}/task-reports",
                               {"task_id": task_id, "status": "done"})
    assert same_meeting.status_code == 422


def test_an_idempotency_key_replays_the_first_answer(client, roster, service):
    body = {"cell_id": CELL, "kind": "regular", "scheduled_for": MEETING_DAY}
    key = {"Idempotency-Key": "create-march-meeting"}
    first = client.post("/meetings", body, headers=key)
    again = client.post("/meetings", body, headers=key)
    assert first.status_code == again.status_code == 201
    assert again.json == first.json and again.headers["Location"] == first.headers["Location"]
    assert event_count(service) == 1
    other = client.post("/meetings", body | {"kind": "thematic", "topic": "x"}, headers=key)
    assert other.status_code == 422 and event_count(service) == 1


def test_a_stale_if_match_is_refused_with_412(client, roster, service):
    meeting_id = held_meeting(client)
    stale = call_roll(client, meeting_id, headers={"If-Match": '"1"'})
    assert stale.status_code == 412 and stale.content_type == PROBLEM
    fresh = call_roll(client, meeting_id, headers={"If-Match": '"2"'})
    assert fresh.status_code == 200 and fresh.headers["ETag"] == '"3"'


def test_a_retried_create_answers_the_meeting_as_it_is_without_a_new_event(client, roster,
                                                                         service):
    body = {"id": str(uuid.uuid4()), "cell_id": CELL, "kind": "regular",
            "scheduled_for": MEETING_DAY, "agenda": ["Kiểm điểm"]}
    first = client.post("/meetings", body)
    schedule(client, scheduled_for="2025-04-03")
    before = event_count(service)
    again = client.post("/meetings", body)
    assert (again.status_code, again.json) == (201, first.json)
    for header in ("Location", "ETag", "Chibo-Position"):
        assert again.headers[header] == first.headers[header]
    assert event_count(service) == before
    client.post(f"/meetings/{body['id']}/reschedule", {"scheduled_for": "2025-03-05",
                                                        "reason": "Bão"})
    after_reschedule = client.post("/meetings", body)
    assert after_reschedule.status_code == 201 and after_reschedule.headers["ETag"] == '"2"'
    assert after_reschedule.json["scheduled_on"] == "2025-03-05"
    assert after_reschedule.headers["Chibo-Position"] == f"meetings:{before + 1}"
    assert event_count(service) == before + 1


def test_an_existing_id_cannot_be_scheduled_again_with_other_data(client, roster, service):
    meeting = schedule(client)
    before = event_count(service)
    for other in ({"scheduled_for": MEETING_DAY}, {"scheduled_for": STARTED, "place": "Đình"},
                  {"scheduled_for": STARTED, "agenda": ["Kiểm điểm"]}):
        again = client.post("/meetings", {"id": meeting["id"], "cell_id": CELL,
                                          "kind": "regular"} | other)
        assert again.status_code == 409 and again.content_type == PROBLEM
        assert "already exists with other data" in again.json["detail"]
    assert event_count(service) == before


def test_a_notice_or_document_sent_again_with_its_id_is_harmless(client, roster, service):
    meeting_id = str(schedule(client)["id"])
    notice = {"id": str(uuid.uuid4()), "sent_at": "2025-03-01T08:00:00+07:00",
              "to_members": True, "to_overseer_ids": ["O-1"]}
    document = {"id": str(uuid.uuid4()), "phase": "before", "title": "Dự thảo",
                "posted_at": "2025-03-01T09:00:00+07:00"}
    for path, body in (("notices", notice), ("documents", document)):
        first = client.post(f"/meetings/{meeting_id}/{path}", body)
        before = event_count(service)
        again = client.post(f"/meetings/{meeting_id}/{path}", body)
        assert (again.status_code, again.json) == (200, first.json)
        assert again.headers["Chibo-Position"] == first.headers["Chibo-Position"]
        assert [item["id"] for item in again.json[path]] == [body["id"]]
        assert event_count(service) == before
    other_notice = client.post(f"/meetings/{meeting_id}/notices", notice | {"to_members": False})
    other_document = client.post(f"/meetings/{meeting_id}/documents", document | {"title": "x"})
    assert [other_notice.status_code, other_document.status_code] == [409, 409]
    assert other_notice.content_type == other_document.content_type == PROBLEM
    assert event_count(service) == before


def test_a_page_beyond_the_last_possible_one_is_refused(client, roster):
    schedule(client)
    huge = client.get("/meetings?page=99999999999999999999999")
    assert huge.status_code == 422 and huge.content_type == PROBLEM
    assert "page" in huge.json["errors"]
    assert client.get("/meetings?page=1000001").status_code == 422
    last = client.get("/meetings?page=1000000&page_size=500")
    assert last.status_code == 200 and last.json["items"] == []


def test_meetings_are_listed_by_cell_period_and_kind(client, roster, service):
    for day in ("2025-01-03", "2025-02-03", "2025-03-03"):
        schedule(client, scheduled_for=day)
    schedule(client, scheduled_for="2025-02-20", kind="thematic", topic="Chuyển đổi số")
    schedule(client, cell_id=OTHER_CELL, scheduled_for="2025-02-03")
    page = client.get(f"/meetings?cell_id={CELL}&from=2025-02-01&to=2025-03-31").json
    assert page["total"] == 3
    assert [m["scheduled_on"] for m in page["items"]] == ["2025-02-03", "2025-02-20", "2025-03-03"]
    thematic = client.get(f"/meetings?cell_id={CELL}&kind=thematic").json
    assert [m["topic"] for m in thematic["items"]] == ["Chuyển đổi số"]
    second = client.get("/meetings?page=2&page_size=2").json
    assert (second["total"], len(second["items"]), second["page"]) == (5, 2, 2)
    assert client.get("/meetings?from=2025-03-01&to=2025-01-01").status_code == 422


def test_every_path_needs_a_token_and_a_scope_that_reaches_the_cell(app, client, roster):
    meeting_id = schedule(client)["id"]
    anonymous = app.test_client().get(f"/meetings/{meeting_id}")
    assert anonymous.status_code == 401 and anonymous.content_type == PROBLEM
    commune = Client(app, roles=("committee_staff",), scope=("commune-1",))
    assert commune.get(f"/meetings/{meeting_id}").status_code == 200
    elsewhere = Client(app, roles=("secretary",), scope=(OTHER_CELL,))
    assert elsewhere.get(f"/meetings/{meeting_id}").status_code == 403
    assert elsewhere.post(f"/meetings/{meeting_id}/cancel", {"reason": "x"}).status_code == 403
    assert elsewhere.post("/meetings", {"cell_id": CELL, "kind": "regular",
                                        "scheduled_for": MEETING_DAY}).status_code == 403
    assert elsewhere.get("/meetings").json["items"] == []
    assert elsewhere.get(f"/meetings?cell_id={CELL}").json["items"] == []
    assert elsewhere.get(f"/meetings?cell_id={OTHER_CELL}").status_code == 200


def test_the_service_documents_itself(app, client):
    spec = app.test_client().get("/openapi.json").json
    for path in ("/meetings", "/meetings/{meeting_id}", "/meetings/{meeting_id}/roll-call",
                 "/meetings/{meeting_id}/assessment/confirm", "/rubrics"):
        assert path in spec["paths"], path
    assert set(spec["paths"]["/meetings"]) >= {"get", "post"}
    schemas = spec["components"]["schemas"]
    for schema, field in (("ScheduleMeeting", "scheduled_for"), ("Held", "started_at"),
                          ("Notice", "sent_at"), ("Document", "posted_at"), ("Task", "due_on")):
        described = schemas[schema]["properties"][field]["description"]
        assert "between 1930-01-01 and 2099-12-31 (Vietnam time)" in described, schema
    rubrics = client.get("/rubrics").json["items"]
    assert {r["id"] for r in rubrics} == {"default-regular", "default-thematic"}
    assert app.test_client().get("/readyz").status_code == 200
