"""The conventions of API.md as a client sees them, on a tiny service built with chibo_web."""

from __future__ import annotations

import time

import jwt
import pytest

from chibo_web.auth import issue_token
from chibo_web.bodies import check_json_body

from .counter_service import SECRET, create_app


@pytest.fixture
def app():
    return create_app()


@pytest.fixture
def client(app):
    return app.test_client()


def auth(sub="alice", roles=("admin",), scope=("*",), **kwargs):
    return {
        "Authorization": "Bearer "
        + issue_token(SECRET, sub=sub, roles=roles, scope=scope, **kwargs)
    }


def events(app):
    return app.extensions["store"].read_all(0, 1000)


def test_a_write_answers_the_resource_with_etag_and_chibo_position(client, app):
    response = client.post("/counters/c1/bumps", json={"by": 3}, headers=auth())
    assert response.status_code == 200
    assert response.json == {"id": "c1", "value": 3, "version": 1}
    assert response.headers["ETag"] == '"1"'
    assert response.headers["Chibo-Position"] == "counters:1"
    assert events(app)[0].actor == "alice"


def test_a_write_that_appends_nothing_names_the_event_its_state_rests_on(client, app):
    client.post("/counters/c1/bumps", json={"by": 3}, headers=auth())
    client.post("/counters/c2/bumps", json={"by": 1}, headers=auth())
    response = client.post("/counters/c1/bumps", json={"by": 0}, headers=auth())
    assert response.status_code == 200 and response.json["value"] == 3
    assert response.headers["Chibo-Position"] == "counters:1"
    assert len(events(app)) == 2


def test_the_same_idempotency_key_and_body_give_the_first_answer_and_no_new_event(client, app):
    headers = auth() | {"Idempotency-Key": "k-1"}
    first = client.post("/counters/c1/bumps", json={"by": 3}, headers=headers)
    client.post("/counters/c1/bumps", json={"by": 4}, headers=auth())
    again = client.post("/counters/c1/bumps", json={"by": 3}, headers=headers)
    assert again.status_code == 200 and again.json == first.json == {
        "id": "c1",
        "value": 3,
        "version": 1,
    }
    assert again.headers["Chibo-Position"] == first.headers["Chibo-Position"]
    assert len(events(app)) == 2


def test_the_same_idempotency_key_with_another_body_is_a_422(client, app):
    headers = auth() | {"Idempotency-Key": "k-1"}
    client.post("/counters/c1/bumps", json={"by": 3}, headers=headers)
    response = client.post("/counters/c1/bumps", json={"by": 5}, headers=headers)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert len(events(app)) == 1


def test_the_same_document_written_another_way_is_the_same_request(client, app):
    headers = auth() | {"Idempotency-Key": "k-1", "Content-Type": "application/json"}
    first = client.post("/counters/c1/bumps", data='{"by": 3}', headers=headers)
    again = client.post("/counters/c1/bumps", data='{ "by":3 }\n', headers=headers)
    assert again.status_code == 200 and again.json == first.json
    assert len(events(app)) == 1


def test_a_stale_if_match_is_a_412_even_for_a_command_the_current_state_refuses(client, app):
    client.post("/counters/c1/bumps", json={"by": 50}, headers=auth())
    client.post("/counters/c1/bumps", json={"by": 40}, headers=auth() | {"If-Match": '"1"'})
    stale = client.post("/counters/c1/bumps", json={"by": 40}, headers=auth() | {"If-Match": '"1"'})
    assert stale.status_code == 412  # not 422 for passing 100: the client never saw 90
    assert len(events(app)) == 2


def test_if_match_any_version_sets_no_condition(client, app):
    client.post("/counters/c1/bumps", json={"by": 3}, headers=auth())
    response = client.post("/counters/c1/bumps", json={"by": 1}, headers=auth() | {"If-Match": "*"})
    assert response.status_code == 200 and response.json["value"] == 4


def test_a_stale_if_match_is_a_412_and_changes_nothing(client, app):
    client.post("/counters/c1/bumps", json={"by": 3}, headers=auth())
    fresh = client.post("/counters/c1/bumps", json={"by": 1}, headers=auth() | {"If-Match": '"1"'})
    stale = client.post("/counters/c1/bumps", json={"by": 1}, headers=auth() | {"If-Match": '"1"'})
    assert fresh.status_code == 200
    assert stale.status_code == 412 and stale.mimetype == "application/problem+json"
    assert len(events(app)) == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [({"by": "three"}, "by"), ({}, "by"), ({"by": 99}, "by"), ({"by": 1, "extra": 1}, "extra")],
)
def test_invalid_bodies_are_422_problems_naming_the_field(client, app, body, field):
    response = client.post("/counters/c1/bumps", json=body, headers=auth())
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert field in response.json["errors"]
    assert events(app) == []


def test_malformed_json_is_a_400_problem(client, app):
    response = client.post(
        "/counters/c1/bumps", data="{by: 3", headers=auth() | {"Content-Type": "application/json"}
    )
    assert response.status_code == 400 and response.mimetype == "application/problem+json"
    assert events(app) == []


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ('{"by": 1, "note": "\\ud800"}', "not Unicode"),  # a lone surrogate, escaped
        ('{"by": 1, "note": "L\\u00f2\\u0000V"}', "control character (U+0000)"),
        ('{"by": 1, "note\\u001b": "x"}', "control character (U+001B)"),  # in a key too
        ('{"by": 1, "note": ' + "[" * 40 + "]" * 40 + "}", "deeper than 32"),
        ('{"by": 1, "note": ' + "[" * 900 + "]" * 900 + "}", "deeper than 32"),
    ],
)
def test_json_no_resource_can_be_made_of_is_a_400_problem(client, app, body, says):
    headers = auth() | {"Content-Type": "application/json"}
    response = client.post("/counters/c1/bumps", data=body, headers=headers)
    assert response.status_code == 400 and response.mimetype == "application/problem+json"
    assert says in response.json["detail"]
    assert events(app) == []


def test_tabs_and_line_breaks_are_text(app):
    with app.test_request_context("/counters/c1/bumps", method="POST",
                                  json={"by": 1, "note": "Biên bản:\r\n\t- đủ"}):
        assert check_json_body() is None


def test_an_integer_too_long_to_read_is_a_400_problem(app):
    app.config["MAX_CONTENT_LENGTH"] = 8192  # the service's 2 KiB would refuse it first
    with app.test_request_context(
        "/counters/c1/bumps", method="POST", data="1" * 4400, content_type="application/json"
    ):
        response = check_json_body()
    assert response is not None and response.status_code == 400
    assert "4300 digits" in response.json["detail"]


def test_an_oversized_body_is_a_413_problem(client, app):
    response = client.post("/counters/c1/bumps", json={"by": 1, "pad": "x" * 5000}, headers=auth())
    assert response.status_code == 413 and response.mimetype == "application/problem+json"
    assert events(app) == []


def test_a_domain_error_is_the_status_the_service_declared(client, app):
    for _ in range(2):
        client.post("/counters/c1/bumps", json={"by": 50}, headers=auth())
    response = client.post("/counters/c1/bumps", json={"by": 1}, headers=auth())
    assert response.status_code == 422
    assert response.json["detail"] == "a counter never passes 100"


def forged(**claims):
    now = int(time.time())
    base = {
        "sub": "mallory",
        "roles": ["admin"],
        "scope": ["*"],
        "iat": now,
        "exp": now + 60,
        "iss": "chibo",
        "aud": "chibo",
    }
    return base | claims


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Basic YWxpY2U6c2VjcmV0",
        "Bearer " + jwt.encode(forged(), "some-other-secret-of-enough-length", algorithm="HS256"),
        "Bearer " + jwt.encode(forged(exp=int(time.time()) - 10), SECRET, algorithm="HS256"),
        "Bearer " + jwt.encode(forged(nbf=int(time.time()) + 3600), SECRET, algorithm="HS256"),
        "Bearer " + jwt.encode(forged(), None, algorithm="none"),
        "Bearer " + jwt.encode(forged(aud="elsewhere"), SECRET, algorithm="HS256"),
        "Bearer " + jwt.encode(forged(roles=["secretary"]), SECRET, algorithm="HS256"),
    ],
    ids=[
        "none",
        "basic",
        "forged",
        "expired",
        "not-yet-valid",
        "alg-none",
        "audience",
        "star-scope-for-secretary",
    ],
)
def test_requests_without_a_valid_token_are_401_problems(client, app, authorization):
    headers = {} if authorization is None else {"Authorization": authorization}
    response = client.post("/counters/c1/bumps", json={"by": 1}, headers=headers)
    assert response.status_code == 401 and response.mimetype == "application/problem+json"
    assert events(app) == []


def test_health_and_documents_need_no_token_but_metrics_do(client):
    assert client.get("/livez").status_code == 200
    assert client.get("/readyz").status_code == 200
    assert client.get("/openapi.json").json["paths"]["/counters/{counter_id}/bumps"]
    assert client.get("/metrics").status_code == 401
    client.post("/counters/c1/bumps", json={"by": 1}, headers=auth())
    metrics = client.get("/metrics", headers=auth())
    assert metrics.status_code == 200 and b"chibo_http_requests_total" in metrics.data
    assert metrics.headers["Content-Type"].count("charset") == 1


def test_the_openapi_document_describes_errors_as_they_are_answered(client):
    spec = client.get("/openapi.json").json
    invalid = spec["components"]["responses"]["UNPROCESSABLE_ENTITY"]["content"]
    assert list(invalid) == ["application/problem+json"]
    problem = spec["components"]["schemas"]["Problem"]
    assert problem["properties"]["status"]["type"] == "integer"
    assert {"type", "title", "detail", "errors"} <= set(problem["properties"])
    ok = spec["paths"]["/counters/{counter_id}/bumps"]["post"]["responses"]["200"]["content"]
    assert list(ok) == ["application/json"]


def test_an_unknown_path_is_a_404_problem(client):
    response = client.get("/nowhere", headers=auth())
    assert response.status_code == 404 and response.mimetype == "application/problem+json"


def test_a_role_outside_the_matrix_is_a_403_problem_and_changes_nothing(client, app):
    for role in ("secretary", "overseer", "auditor"):
        scope = ("*",) if role == "auditor" else ("unit-1",)
        response = client.post(
            "/counters/c1/bumps", json={"by": 1}, headers=auth(roles=(role,), scope=scope)
        )
        assert response.status_code == 403 and response.mimetype == "application/problem+json"
        assert "committee_staff" in response.json["detail"]
    assert events(app) == []
    staff = auth(roles=("committee_staff",), scope=("unit-1",))
    assert client.post("/counters/c1/bumps", json={"by": 1}, headers=staff).status_code == 200
    assert client.get("/counters/c1", headers=staff).status_code == 403
    assert client.get("/counters/c1", headers=auth(roles=("auditor",))).status_code == 200
    assert client.head("/counters/c1", headers=auth(roles=("auditor",))).status_code == 200


def test_a_route_missing_from_the_matrix_is_refused_to_everyone_and_logged(client, caplog):
    with caplog.at_level("ERROR", logger="chibo_web.permissions"):
        response = client.post("/counters/c1/reset", headers=auth(roles=("admin", "service")))
    assert response.status_code == 403 and response.mimetype == "application/problem+json"
    assert "POST /counters/<counter_id>/reset is missing from the counters permission matrix" in (
        caplog.text
    )


def test_the_coverage_helpers_name_unlisted_routes_and_stale_entries(app):
    from chibo_web.permissions import uncovered, unknown

    assert uncovered(app, app.extensions["chibo.permissions"]) == [
        ("POST", "/counters/<counter_id>/reset")
    ]
    stale = {**app.extensions["chibo.permissions"], ("DELETE", "/counters"): frozenset()}
    assert unknown(app, stale) == [("DELETE", "/counters")]


def test_an_app_without_a_matrix_refuses_every_route_but_health_and_documents():
    client = create_app(permissions={}).test_client()
    assert client.post("/counters/c1/bumps", json={"by": 1}, headers=auth()).status_code == 403
    assert client.get("/metrics", headers=auth()).status_code == 200  # platform matrix
    assert client.get("/metrics", headers=auth(roles=("auditor",))).status_code == 403
    assert client.get("/livez").status_code == 200 and client.get("/docs").status_code == 200


@pytest.mark.parametrize("path", ["/docs/../counters/c1", "/openapi.json/x", "/static/app.js"])
def test_only_the_public_routes_themselves_go_without_a_token(client, path):
    assert client.get(path).status_code == 401


def test_the_matrix_renders_as_a_markdown_table():
    from chibo_web.permissions import markdown_table, openapi_path

    from .counter_service import PERMISSIONS

    assert openapi_path("/a/<int:x>/b/<y>") == "/a/{x}/b/{y}"
    table = markdown_table({"counters": PERMISSIONS}).splitlines()
    assert table[0].startswith("| Service | Method | Path | secretary | committee_staff |")
    assert table[2] == "| counters | GET | `/counters/{counter_id}` |  |  |  | ✓ | ✓ |  |"
