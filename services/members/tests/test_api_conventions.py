"""The contract's conventions: idempotency, ETag/If-Match, positions, documents, tokens, scope."""

from __future__ import annotations

import pytest

from .conftest import Api, token


@pytest.fixture
def tree(api: Api) -> dict[str, str]:
    province = api.unit("P", "provincial_committee", None)
    x1 = api.unit("X1", "commune_committee", province)
    x2 = api.unit("X2", "commune_committee", province)
    return {
        "P": province,
        "X1": x1,
        "X2": x2,
        "K1": api.unit("K1", "cell", x1),
        "K2": api.unit("K2", "cell", x2),
    }


def test_a_repeated_idempotency_key_answers_the_first_answer_without_a_new_event(
    api: Api, tree: dict[str, str]
):
    body = {
        "full_name": "Lê Thị Hoa",
        "cell_id": tree["K1"],
        "status": "full",
        "admitted_on": "2021-01-01",
    }
    first = api.post("/members", body, Idempotency_Key="register-hoa")
    events = api.events()
    again = api.post("/members", body, Idempotency_Key="register-hoa")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.get_json() == first.get_json()
    assert again.headers["Chibo-Position"] == first.headers["Chibo-Position"]
    assert api.events() == events
    other = api.post(
        "/members", body | {"full_name": "Lê Thị Hồng"}, Idempotency_Key="register-hoa"
    )
    assert other.status_code == 422
    assert api.events() == events


def test_a_command_with_a_stale_if_match_is_refused(api: Api, tree: dict[str, str]):
    etag = api.get(f"/org-units/{tree['X1']}").headers["ETag"]
    assert etag == '"1"'
    renamed = api.post(
        f"/org-units/{tree['X1']}/rename",
        {"name": "Xã Mới", "effective_from": "2023-01-01"},
        If_Match=etag,
    )
    assert (renamed.status_code, renamed.headers["ETag"]) == (200, '"2"')
    stale = api.post(
        f"/org-units/{tree['X1']}/rename",
        {"name": "Xã Cũ", "effective_from": "2024-01-01"},
        If_Match=etag,
    )
    assert stale.status_code == 412
    assert api.get(f"/org-units/{tree['X1']}", as_of="2024-06-01").get_json()["name"] == "Xã Mới"


def test_every_write_names_its_position_and_creates_answer_a_location(
    api: Api, tree: dict[str, str]
):
    response = api.post(
        "/org-units",
        {
            "code": "K3",
            "name": "Chi bộ 3",
            "kind": "cell",
            "parent_id": tree["X2"],
            "effective_from": "2022-01-01",
        },
    )
    assert response.status_code == 201
    assert response.headers["Location"] == f"/org-units/{response.get_json()['id']}"
    assert response.headers["Chibo-Position"] == f"members:{api.events()}"
    moved = api.post(
        f"/org-units/{tree['K2']}/move", {"parent_id": tree["X1"], "effective_from": "2023-01-01"}
    )
    assert moved.headers["Chibo-Position"] == f"members:{api.events()}"


def test_repeating_a_creation_answers_the_existing_unit_and_its_position(
    api: Api, tree: dict[str, str]
):
    body = {
        "code": "K1",
        "name": "Đơn vị K1",
        "kind": "cell",
        "parent_id": tree["X1"],
        "effective_from": "2020-01-01",
    }
    events = api.events()
    again = api.post("/org-units", body)
    assert (again.status_code, again.get_json()["id"], api.events()) == (201, tree["K1"], events)
    assert again.headers["Chibo-Position"].startswith("members:")


def test_the_openapi_document_and_docs_are_public(api: Api):
    document = api.client.get("/openapi.json")
    assert document.status_code == 200
    paths = document.get_json()["paths"]
    assert {
        "/org-units/{unit_id}/tree",
        "/members/{member_id}/positions/{position_id}/end",
        "/imports",
    } <= set(paths)
    assert api.client.get("/docs").status_code == 200


def test_requests_without_a_valid_token_are_unauthorised(api: Api):
    assert api.client.get("/members").status_code == 401
    assert api.as_("not-a-token").get("/members").status_code == 401


def test_a_scoped_token_reaches_only_its_part_of_the_tree(api: Api, tree: dict[str, str]):
    staff = api.as_(token("x1-staff", ("committee_staff",), (tree["X1"],)))
    assert staff.get(f"/org-units/{tree['K1']}").status_code == 200
    assert staff.get(f"/org-units/{tree['K2']}").status_code == 403
    assert staff.get("/members", cell_id=tree["K2"]).status_code == 403
    assert staff.get("/members").status_code == 403
    assert (
        staff.post(
            "/org-units",
            {
                "code": "K9",
                "name": "K9",
                "kind": "cell",
                "parent_id": tree["X1"],
                "effective_from": "2022-01-01",
            },
        ).status_code
        == 201
    )
    before = api.events()
    outside = staff.post(
        "/org-units",
        {
            "code": "K8",
            "name": "K8",
            "kind": "cell",
            "parent_id": tree["X2"],
            "effective_from": "2022-01-01",
        },
    )
    assert (outside.status_code, outside.content_type) == (403, "application/problem+json")
    assert api.events() == before


def test_scope_may_name_unit_codes_and_follows_the_tree_on_the_day(api: Api, tree: dict[str, str]):
    api.ok(
        f"/org-units/{tree['K2']}/move", {"parent_id": tree["X1"], "effective_from": "2024-01-01"}
    )
    staff = api.as_(token("x1-staff", ("committee_staff",), ("X1",)))
    assert staff.get(f"/org-units/{tree['K2']}", as_of="2023-06-01").status_code == 403
    assert staff.get(f"/org-units/{tree['K2']}", as_of="2024-06-01").status_code == 200


def test_readers_cannot_write(api: Api, tree: dict[str, str]):
    auditor = api.as_(token("auditor", ("auditor",), ("*",)))
    response = auditor.post(
        f"/org-units/{tree['K1']}/rename", {"name": "Tên", "effective_from": "2023-01-01"}
    )
    assert response.status_code == 403
    secretary = api.as_(token("secretary", ("secretary",), (tree["K1"],)))
    assert (
        secretary.post(
            f"/org-units/{tree['K1']}/rename", {"name": "Tên", "effective_from": "2023-01-01"}
        ).status_code
        == 403
    )
    body = {
        "full_name": "Vũ Thị Mai",
        "cell_id": tree["K1"],
        "status": "full",
        "admitted_on": "2022-01-01",
    }
    assert secretary.post("/members", body).status_code == 201
