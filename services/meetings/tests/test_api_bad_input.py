"""Every bad input answers a 4xx problem+json and stores nothing."""

from __future__ import annotations

import json

import pytest

from .api_steps import ENDED, MEETING_DAY, SCORES, STARTED, entries, with_roll_call
from .support import CELL, event_count

M = "/meetings/{id}"
GOOD_MEETING = {"cell_id": CELL, "kind": "regular", "scheduled_for": MEETING_DAY}
GOOD_HELD = {"started_at": STARTED, "ended_at": ENDED, "place": "x", "chair_id": "A",
             "minute_taker_id": "B"}
GOOD_RESOLUTION = {"text": "Nghị quyết", "votes_for": 1, "votes_against": 0, "votes_abstain": 0}
TASK = {"description": "Việc", "owner_id": "A", "due_on": "2025-04-01"}

CASES = {
    "malformed json": ("post", "/meetings", '{"cell_id": '),
    "a list, not an object": ("post", "/meetings", "[1, 2]"),
    "an empty body": ("post", "/meetings", ""),
    "an unknown field": ("post", "/meetings", GOOD_MEETING | {"colour": "red"}),
    "an unknown kind": ("post", "/meetings", GOOD_MEETING | {"kind": "monthly"}),
    "a number for an id": ("post", "/meetings", GOOD_MEETING | {"cell_id": 42}),
    "a non-ISO date": ("post", "/meetings", GOOD_MEETING | {"scheduled_for": "03/03/2025"}),
    "a date-time without offset": (
        "post", "/meetings", GOOD_MEETING | {"scheduled_for": "2025-03-03T19:00:00"}),
    "an id that is not a UUID": ("post", "/meetings", GOOD_MEETING | {"id": "meeting-1"}),
    "a blank topic for a thematic meeting": (
        "post", "/meetings", GOOD_MEETING | {"kind": "thematic", "topic": "   "}),
    "a number in the agenda": ("post", "/meetings", GOOD_MEETING | {"agenda": [1]}),
    "a missing date": ("post", "/meetings", {"cell_id": CELL, "kind": "regular"}),
    "an overlong place": ("post", "/meetings", GOOD_MEETING | {"place": "x" * 1001}),
    "a null kind": ("post", "/meetings", GOOD_MEETING | {"kind": None}),
    "held: a naive end": ("post", M + "/held", GOOD_HELD | {"ended_at": "2025-03-03T21:00:00"}),
    "held: an unknown field": ("post", M + "/held", GOOD_HELD | {"weather": "rain"}),
    "roll call: no entries": ("put", M + "/roll-call", {"guests": []}),
    "roll call: entries not a list": ("put", M + "/roll-call", {"entries": "A,B,C,P"}),
    "roll call: an unknown status": (
        "put", M + "/roll-call", {"entries": [
            *entries("A", "B", "C"), {"member_id": "P", "status": "late"}]}),
    "roll call: an unknown entry field": (
        "put", M + "/roll-call", {"entries": [{"member_id": "A", "status": "present",
                                               "seat": 3}]}),
    "roll call: a guest without role": (
        "put", M + "/roll-call", {"entries": entries("A", "B", "C", "P"),
                                  "guests": [{"member_id": "O-1"}]}),
    "roll call: an empty member id": (
        "put", M + "/roll-call", {"entries": [{"member_id": "", "status": "present"}]}),
    "resolution: votes as a string": ("post", M + "/resolution", GOOD_RESOLUTION | {
        "votes_for": "1"}),
    "resolution: fractional votes": ("post", M + "/resolution", GOOD_RESOLUTION | {
        "votes_for": 1.5}),
    "resolution: negative votes": ("post", M + "/resolution", GOOD_RESOLUTION | {
        "votes_against": -1}),
    "resolution: a boolean vote": ("post", M + "/resolution", GOOD_RESOLUTION | {
        "votes_abstain": True}),
    "resolution: a task due on no date": ("post", M + "/resolution", GOOD_RESOLUTION | {
        "tasks": [TASK | {"due_on": "soon"}]}),
    "resolution: a task due before the meeting": ("post", M + "/resolution", GOOD_RESOLUTION | {
        "tasks": [TASK | {"due_on": "2025-03-01"}]}),
    "resolution: an unknown task field": ("post", M + "/resolution", GOOD_RESOLUTION | {
        "tasks": [TASK | {"budget": 10}]}),
    "task report: an unknown status": ("post", M + "/task-reports", {
        "task_id": "t", "status": "finished"}),
    "assessment: scores not an object": ("post", M + "/assessment", {
        "scores": [1, 2], "total": 3, "grade": "weak"}),
    "assessment: a score as a string": ("post", M + "/assessment", {
        "scores": SCORES | {"content": "22"}, "total": 91, "grade": "good"}),
    "assessment: an unknown grade": ("post", M + "/assessment", {
        "scores": SCORES, "total": 91, "grade": "excellent"}),
    "assessment: an unknown rubric": ("post", M + "/assessment", {
        "rubric": "nghe-an-27", "scores": SCORES, "total": 91, "grade": "good"}),
    "assessment: a criterion the rubric lacks": ("post", M + "/assessment", {
        "scores": SCORES | {"music": 1}, "total": 92, "grade": "good"}),
    "confirm: no total": ("post", M + "/assessment/confirm", {"grade": "good"}),
    "notice: a non-boolean": ("post", M + "/notices", {"sent_at": STARTED, "to_members": "yes"}),
    "notice: to nobody": ("post", M + "/notices", {"sent_at": STARTED, "to_members": False}),
    "document: an unknown phase": ("post", M + "/documents", {
        "phase": "during", "title": "x", "posted_at": STARTED}),
    "cancel: a blank reason": ("post", M + "/cancel", {"reason": " "}),
    "reschedule: no reason": ("post", M + "/reschedule", {"scheduled_for": MEETING_DAY}),
    "an unknown meeting": ("post", "/meetings/0b7d2c0e-0000-4000-8000-000000000000/cancel",
                           {"reason": "x"}),
    "an oversized body": ("post", "/meetings", "x" * (1024 * 1024 + 1)),
    "an agenda as one text": ("post", "/meetings", GOOD_MEETING | {"agenda": "Kiểm điểm"}),
    "a date-time in year 10000 in Vietnam": (
        "post", "/meetings", GOOD_MEETING | {"scheduled_for": "9999-12-31T23:59:00-14:00"}),
    "a date after 2099": ("post", "/meetings", GOOD_MEETING | {"scheduled_for": "2100-01-01"}),
    "a date before 1930": ("post", "/meetings", GOOD_MEETING | {"scheduled_for": "1929-12-31"}),
    "reschedule: a date-time in year 0 in Vietnam": ("post", M + "/reschedule", {
        "scheduled_for": "0001-01-01T00:00:00+14:00", "reason": "r"}),
    "held: date-times in year 9999": ("post", M + "/held", GOOD_HELD | {
        "started_at": "9999-12-31T20:00:00-12:00", "ended_at": "9999-12-31T23:00:00-12:00"}),
    "notice: sent in year 9999": ("post", M + "/notices", {
        "sent_at": "9999-12-31T23:59:00-14:00"}),
    "document: posted in year 1": ("post", M + "/documents", {
        "phase": "before", "title": "x", "posted_at": "0001-01-01T00:00:00+14:00"}),
    "resolution: a task due in 2100": ("post", M + "/resolution", GOOD_RESOLUTION | {
        "tasks": [TASK | {"due_on": "2100-01-01"}]}),
    "assessment: assessed in year 9999": ("post", M + "/assessment", {
        "scores": SCORES, "total": 91, "grade": "good", "assessed_on": "9999-12-31"}),
    "held: an unknown chair": ("post", M + "/held", GOOD_HELD | {"chair_id": "nobody"}),
    "held: an unknown minute-taker": ("post", M + "/held", GOOD_HELD | {
        "minute_taker_id": "no-one"}),
    "notice: an unknown overseer": ("post", M + "/notices", {
        "sent_at": STARTED, "to_overseer_ids": ["O-1", "nobody"]}),
    "roll call: an unknown guest": ("put", M + "/roll-call", {
        "entries": entries("A", "B", "C", "P"),
        "guests": [{"member_id": "00000000-0000-0000-0000-00000000dead", "role": "overseer"}]}),
    "resolution: a task owned by nobody": ("post", M + "/resolution", GOOD_RESOLUTION | {
        "tasks": [TASK | {"owner_id": "nobody"}]}),
}

STATUS = {"malformed json": 400, "an unknown meeting": 404, "an oversized body": 413}
NAMED = {  # the field the problem's `errors` must name, and the value its message must name
    "an agenda as one text": ("agenda", None),
    "a date-time in year 10000 in Vietnam": ("scheduled_for", "1930-01-01 and 2099-12-31"),
    "a date after 2099": ("scheduled_for", "2099-12-31"),
    "a date before 1930": ("scheduled_for", "1930-01-01"),
    "reschedule: a date-time in year 0 in Vietnam": ("scheduled_for", "1930-01-01"),
    "held: date-times in year 9999": ("started_at", "2099-12-31"),
    "notice: sent in year 9999": ("sent_at", "2099-12-31"),
    "document: posted in year 1": ("posted_at", "1930-01-01"),
    "resolution: a task due in 2100": ("tasks", "2099-12-31"),
    "assessment: assessed in year 9999": ("assessed_on", "2099-12-31"),
    "held: an unknown chair": ("chair_id", "nobody"),
    "held: an unknown minute-taker": ("minute_taker_id", "no-one"),
    "notice: an unknown overseer": ("to_overseer_ids", "nobody"),
    "roll call: an unknown guest": ("guests", "00000000-0000-0000-0000-00000000dead"),
    "resolution: a task owned by nobody": ("tasks", "nobody"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_answers_a_problem_and_stores_nothing(case, client, roster, service):
    meeting_id = with_roll_call(client)
    before = event_count(service)
    method, path, body = CASES[case]
    raw = body if isinstance(body, str) else json.dumps(body)
    answer = getattr(client, method)(path.format(id=meeting_id), raw=raw)
    assert answer.status_code == STATUS.get(case, 422), (answer.status_code, answer.data[:300])
    assert answer.content_type == "application/problem+json"
    assert answer.json["status"] == answer.status_code and answer.json["detail"]
    assert event_count(service) == before
    if case in NAMED:
        field, named = NAMED[case]
        assert field in answer.json["errors"], answer.json
        assert named is None or named in json.dumps(answer.json["errors"][field]), answer.json


@pytest.mark.parametrize(("headers", "status"), [
    ({"If-Match": "yesterday"}, 400),
    ({"Idempotency-Key": "k" * 201}, 400),
])
def test_bad_headers_are_refused(headers, status, client, roster, service):
    meeting_id = with_roll_call(client)
    before = event_count(service)
    answer = client.post(f"/meetings/{meeting_id}/cancel", {"reason": "x"}, headers=headers)
    assert answer.status_code == status and answer.content_type == "application/problem+json"
    assert event_count(service) == before


def test_validation_errors_name_the_fields(client, roster):
    answer = client.post("/meetings", {"kind": "weekly", "scheduled_for": "tomorrow",
                                       "extra": 1})
    assert answer.status_code == 422
    assert set(answer.json["errors"]) == {"cell_id", "kind", "scheduled_for", "extra"}
