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
    twice = api.client.get(f"/org-units/{tree['X1']}?as_of=2024-06-01&as_of=2023-01-01",
                           headers=api.headers)
    assert (twice.status_code, list(twice.get_json()["errors"])) == (422, ["as_of"])


def test_no_name_and_no_search_holds_a_control_character(api: Api, tree: dict[str, str]):
    """NUL above all: PostgreSQL's text cannot hold it, so every read model would refuse it."""
    before = api.events()
    body = {"full_name": "Lò\u0000Văn An", "cell_id": tree["K1"], "status": "probationary",
            "admitted_on": "2021-03-01"}
    named = api.post("/members", body)
    assert named.status_code == 400 and "U+0000" in named.get_json()["detail"]
    assert api.events() == before
    for q in ("\u0000", "An\u0007"):
        search = api.get("/members", q=q)
        assert search.status_code == 422 and list(search.get_json()["errors"]) == ["q"]
    assert api.get("/members", q="An").status_code == 200


def test_a_stale_if_match_is_a_412_even_when_the_command_repeats_what_was_done(
    api: Api, tree: dict[str, str]
):
    rename = {"name": "Xã Mới", "effective_from": "2023-01-01"}
    first = api.post(f"/org-units/{tree['X1']}/rename", rename, If_Match='"1"')
    again = api.post(f"/org-units/{tree['X1']}/rename", rename, If_Match='"1"')
    assert (first.status_code, again.status_code) == (200, 412)  # not 422 "already named"
    assert again.mimetype == "application/problem+json"


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


def test_lists_hold_only_what_lies_in_the_tokens_part_of_the_tree(api: Api, tree: dict[str, str]):
    inside, outside = api.member("Lò Văn Ánh", tree["K1"]), api.member("Lò Văn Bình", tree["K2"])
    staff = api.as_(token("x1-staff", ("committee_staff",), (tree["X1"],)))
    listed = [m["id"] for m in staff.get("/members").get_json()["items"]]
    assert listed == [inside]
    assert staff.get("/members", cell_id=tree["K2"]).get_json()["items"] == []
    assert staff.get("/members", unit_id=tree["P"], q="lo van").get_json()["items"] == [
        m for m in staff.get("/members").get_json()["items"]
    ]
    units = {u["code"] for u in staff.get("/org-units").get_json()["items"]}
    assert units == {"X1", "K1"}
    assert {u["code"] for u in api.get("/org-units").get_json()["items"]} == {
        "P",
        "X1",
        "X2",
        "K1",
        "K2",
    }
    assert outside in [m["id"] for m in api.get("/members").get_json()["items"]]


def test_for_a_scoped_token_missing_and_out_of_reach_answer_alike(api: Api, tree: dict[str, str]):
    elsewhere = api.member("Lò Văn Bình", tree["K2"])
    staff = api.as_(token("x1-staff", ("committee_staff",), (tree["X1"],)))
    missing = "5b0d8a4e-0000-4000-8000-000000000000"
    for kind, there in (("org-units", tree["K2"]), ("members", elsewhere)):
        out_of_reach = staff.get(f"/{kind}/{there}").get_json()
        absent = staff.get(f"/{kind}/{missing}").get_json()
        assert out_of_reach["status"] == absent["status"] == 403
        assert out_of_reach["detail"] == absent["detail"].replace(missing, there)
        assert api.get(f"/{kind}/{missing}").status_code == 404
    moved = staff.post(
        f"/members/{elsewhere}/transfer", {"cell_id": tree["K1"], "effective_from": "2025-01-01"}
    )
    ghost = staff.post(
        f"/members/{missing}/transfer", {"cell_id": tree["K1"], "effective_from": "2025-01-01"}
    )
    assert moved.status_code == ghost.status_code == 403
    assert moved.get_json()["detail"] == ghost.get_json()["detail"].replace(missing, elsewhere)


def test_a_change_needs_every_unit_it_touches_in_reach_today(api: Api, tree: dict[str, str]):
    hoa = api.member("Lê Thị Hoa", tree["K1"])
    staff = api.as_(token("x1-staff", ("committee_staff",), ("X1",)))
    before = api.events()
    into_x2 = staff.post(
        f"/members/{hoa}/transfer", {"cell_id": tree["K2"], "effective_from": "2025-01-01"}
    )
    assert into_x2.status_code == 403 and api.events() == before
    # K2 moved under X1 from 2024: a change today reaches it, even one dated before the move.
    api.ok(
        f"/org-units/{tree['K2']}/move", {"parent_id": tree["X1"], "effective_from": "2024-01-01"}
    )
    staff.ok(
        f"/org-units/{tree['K2']}/rename", {"name": "Chi bộ bản Nà", "effective_from": "2023-01-01"}
    )


def test_reads_reach_what_lay_in_the_scope_on_the_day_or_lies_there_today(
    api: Api, tree: dict[str, str]
):
    member = api.member("Lò Văn Bình", tree["K2"])
    api.ok(
        f"/org-units/{tree['K2']}/move", {"parent_id": tree["X1"], "effective_from": "2024-01-01"}
    )
    now_in_charge = api.as_(token("x1-staff", ("committee_staff",), ("X1",)))  # a code
    formerly = api.as_(token("x2-staff", ("committee_staff",), (tree["X2"],)))
    for day in ("2023-06-01", "2024-06-01"):
        assert now_in_charge.get(f"/org-units/{tree['K2']}", as_of=day).status_code == 200
        assert now_in_charge.get(f"/members/{member}", as_of=day).status_code == 200
        listed = now_in_charge.get("/members", as_of=day).get_json()["items"]
        assert [m["id"] for m in listed] == [member]
    assert formerly.get(f"/org-units/{tree['K2']}", as_of="2023-06-01").status_code == 200
    assert formerly.get(f"/members/{member}", as_of="2023-06-01").status_code == 200
    assert len(formerly.get("/members", as_of="2023-06-01").get_json()["items"]) == 1
    assert formerly.get(f"/org-units/{tree['K2']}", as_of="2024-06-01").status_code == 403
    assert formerly.get(f"/members/{member}", as_of="2024-06-01").status_code == 403
    assert formerly.get("/members", as_of="2024-06-01").get_json()["items"] == []
    before = api.events()
    rename = {"name": "Chi bộ bản Nà", "effective_from": "2023-01-01"}
    assert formerly.post(f"/org-units/{tree['K2']}/rename", rename).status_code == 403
    assert api.events() == before


def test_roles_outside_the_matrix_cannot_write(api: Api, tree: dict[str, str]):
    body = {
        "full_name": "Vũ Thị Mai",
        "cell_id": tree["K1"],
        "status": "full",
        "admitted_on": "2022-01-01",
    }
    rename = {"name": "Tên", "effective_from": "2023-01-01"}
    auditor = api.as_(token("auditor", ("auditor",), ("*",)))
    secretary = api.as_(token("secretary", ("secretary",), (tree["K1"],)))
    overseer = api.as_(token("overseer", ("overseer",), (tree["X1"],)))
    for reader in (auditor, secretary, overseer):
        assert reader.post(f"/org-units/{tree['K1']}/rename", rename).status_code == 403
        assert reader.post("/members", body).status_code == 403
        assert reader.get(f"/org-units/{tree['K1']}").status_code == 200
    staff = api.as_(token("staff", ("committee_staff",), (tree["K1"],)))
    assert staff.post("/members", body).status_code == 201
