"""Every bad input answers a 4xx problem+json naming what is wrong, and stores nothing."""

from __future__ import annotations

import json

import pytest

from .steps import assign, assignment_body, open_review, review_body, visit_body
from .support import MEETING, OTHER_MEETING, event_count

A, R = "/assignments/{assignment}", "/reviews/{review}"

CASES = {
    "malformed json": ("/assignments", '{"overseer_id": '),
    "a list, not an object": ("/assignments", "[1, 2]"),
    "an empty body": ("/assignments", ""),
    "an unknown field": ("/assignments", assignment_body(colour="red")),
    "a number for an id": ("/assignments", assignment_body(overseer_id=42)),
    "a null unit": ("/assignments", assignment_body(unit_id=None)),
    "a non-ISO date": ("/assignments", assignment_body(**{"from": "01/01/2025"})),
    "a date that does not exist": ("/assignments", assignment_body(**{"from": "2025-02-30"})),
    "dates out of order": ("/assignments", assignment_body(to="2024-12-31")),
    "an id that is not a UUID": ("/assignments", assignment_body(id="assignment-1")),
    "an overlong position": ("/assignments", assignment_body(position_basis="x" * 65)),
    "a missing position": ("/assignments", {"overseer_id": "O", "unit_id": "cell-1",
                                            "from": "2025-01-01"}),
    "unknown overseer": ("/assignments", assignment_body(overseer_id="ghost")),
    "position not held": ("/assignments", assignment_body(position_basis="secretary")),
    "end: no day": (A + "/end", {}),
    "end: a word for a day": (A + "/end", {"on": "yesterday"}),
    "end: before the start": (A + "/end", {"on": "2024-01-01"}),
    "visit: a meeting of another cell": ("/visits", visit_body(meeting_id=OTHER_MEETING)),
    "visit: another day than the meeting's": ("/visits", visit_body(visited_on="2025-03-04")),
    "visit: issues not a list": ("/visits", visit_body(issues="Tỷ lệ thấp")),
    "visit: a number among the issues": ("/visits", visit_body(issues=[1])),
    "visit: a blank follow-up": ("/visits", visit_body(follow_ups=["  "])),
    "visit: comments as a boolean": ("/visits", visit_body(comments=True)),
    "visit: no day": ("/visits", {"overseer_id": "O", "cell_id": "cell-1",
                                  "meeting_id": MEETING}),
    "review: a fifth quarter": ("/reviews", review_body(period="2025-Q5")),
    "review: a thirteenth month": ("/reviews", review_body(period="2025-13")),
    "review: no rules": ("/reviews", review_body(rule_ids=[])),
    "review: a rule that is no rule id": ("/reviews", review_body(rule_ids=["CR-1"])),
    "review: rules as a string": ("/reviews", review_body(rule_ids="CR-01")),
    "explanation: blank text": (R + "/explanation", {"text": "   ",
                                                     "received_on": "2025-04-20"}),
    "explanation: a number for text": (R + "/explanation", {"text": 5,
                                                            "received_on": "2025-04-20"}),
    "close: an unknown outcome": (R + "/close", {"outcome": "done", "closed_on": "2025-05-01"}),
    "close: no day": (R + "/close", {"outcome": "fixed"}),
}


@pytest.mark.usefixtures("world")
@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_is_a_problem_and_stores_nothing(client, service, case):
    path, body = CASES[case]
    ids = {"assignment": assign(client)["id"], "review": open_review(client)["id"]}
    before = event_count(service)
    raw = body if isinstance(body, str) else json.dumps(body)
    answer = client.post(path.format(**ids), raw=raw)
    assert 400 <= answer.status_code < 500, (answer.status_code, answer.get_data(as_text=True))
    assert answer.headers["Content-Type"] == "application/problem+json"
    assert answer.json["detail"]
    if answer.status_code == 422 and not isinstance(body, str):
        assert answer.json["errors"]
    assert event_count(service) == before


@pytest.mark.usefixtures("world")
@pytest.mark.parametrize("query", [
    "/assignments?page=0", "/assignments?page_size=1000", "/assignments?active_on=soon",
    "/visits?from=2025-13-01", "/reviews?status=open", "/reviews?period=2025-Q0",
])
def test_bad_query_strings_are_problems(client, query):
    answer = client.get(query)
    assert answer.status_code == 422
    assert answer.headers["Content-Type"] == "application/problem+json"


@pytest.mark.usefixtures("world")
@pytest.mark.parametrize("path", ["/assignments", "/visits", "/reviews"])
def test_pages_are_bounded_so_a_huge_page_is_a_problem_not_a_crash(client, path):
    last = client.get(f"{path}?page=1000000000&page_size=500")
    assert last.status_code == 200, last.json
    assert (last.json["page"], last.json["items"]) == (1_000_000_000, [])
    for page in ("1000000001", "9223372036854775808", "99999999999999999999"):
        answer = client.get(f"{path}?page={page}")
        assert answer.status_code == 422, (page, answer.status_code)
        assert answer.headers["Content-Type"] == "application/problem+json"
        assert answer.json["errors"] == {"page": [
            "Must be greater than or equal to 1 and less than or equal to 1000000000."]}
