"""A create re-sent with its id and body, without an Idempotency-Key, is harmless (API.md: ids
are UUIDs the client may supply "so a retried create is harmless"): it answers the resource as
it stands, as members does for /members and /org-units; the same id with other data is a 409."""

from __future__ import annotations

import pytest

from .steps import assignment_body, review_body, visit_body
from .support import event_count

pytestmark = pytest.mark.usefixtures("world")

CREATES = {
    "assignment": ("/assignments", assignment_body(id="356c20e9-8f2a-4c1e-9b57-0d7e2a41c3b5"),
                   {"to": "2025-12-31"}),
    "visit": ("/visits", visit_body(id="2d4b8249-6a1f-4e0b-8c3d-5f7a9b1c2e4d"),
              {"comments": "Chi bộ cần cải tiến"}),
    "review": ("/reviews", review_body(id="f1c10bb5-3e2d-4a6b-9c8f-7e5d4c3b2a19"),
               {"rule_ids": ["CR-01"]}),
}


@pytest.mark.parametrize("kind", list(CREATES))
def test_a_create_resent_with_its_id_and_body_answers_it_again_without_a_new_event(
        client, service, kind):
    path, body, _ = CREATES[kind]
    first = client.post(path, body)
    assert first.status_code == 201, first.json
    count = event_count(service)
    again = client.post(path, body)
    assert again.status_code == 201, again.json
    assert again.json == first.json
    for header in ("Location", "ETag", "Chibo-Position"):
        assert again.headers[header] == first.headers[header]
    assert event_count(service) == count


@pytest.mark.parametrize("kind", list(CREATES))
def test_the_same_id_with_another_body_is_a_conflict(client, service, kind):
    path, body, change = CREATES[kind]
    assert client.post(path, body).status_code == 201
    count = event_count(service)
    other = client.post(path, body | change)
    assert other.status_code == 409
    assert other.json["detail"] == f"{kind} {body['id']} already exists with other data"
    assert event_count(service) == count


def test_a_retry_after_a_later_change_answers_the_resource_as_it_stands(client, service):
    path, body, _ = CREATES["assignment"]
    client.post(path, body)
    ended = client.post(f"{path}/{body['id']}/end", {"on": "2025-06-30"})
    again = client.post(path, body)
    assert again.status_code == 201 and again.json == ended.json
    assert again.json["ended_on"] == "2025-06-30" and again.headers["ETag"] == '"2"'
    assert again.headers["Chibo-Position"] == f"oversight:{event_count(service)}"
