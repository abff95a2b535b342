"""The member roll over HTTP (SQLite, and PostgreSQL when marked)."""

from __future__ import annotations

import unicodedata
from typing import Any

import pytest

from .conftest import Api


@pytest.fixture
def cells(api: Api) -> dict[str, str]:
    province = api.unit("P", "provincial_committee", None)
    commune = api.unit("X", "commune_committee", province)
    return {
        "P": province,
        "X": commune,
        "K1": api.unit("K1", "cell", commune, name="Chi bộ bản Bi"),
        "K2": api.unit("K2", "cell", commune, name="Chi bộ bản Nà"),
    }


def listed(api: Api, **params: Any) -> list[str]:
    response = api.get("/members", **params)
    assert response.status_code == 200, response.get_json()
    return [item["full_name"] for item in response.get_json()["items"]]


def test_registering_answers_the_member_with_its_location(api: Api, cells: dict[str, str]):
    response = api.post(
        "/members",
        {
            "full_name": unicodedata.normalize("NFD", "Nguyễn Văn An"),
            "code": "DV001",
            "birth_date": "1980-02-03",
            "gender": "Nam",
            "cell_id": cells["K1"],
            "status": "probationary",
            "admitted_on": "2021-03-01",
        },
    )
    assert response.status_code == 201
    body = response.get_json()
    assert response.headers["Location"] == f"/members/{body['id']}"
    assert response.headers["Chibo-Position"] == f"members:{api.events()}"
    assert response.headers["ETag"] == '"1"'
    assert body["full_name"] == "Nguyễn Văn An" and unicodedata.is_normalized(
        "NFC", body["full_name"]
    )
    assert (body["cell"]["name"], [a["code"] for a in body["ancestors"]]) == (
        "Chi bộ bản Bi",
        ["X", "P"],
    )


def test_who_was_in_a_cell_on_a_day(api: Api, cells: dict[str, str]):
    an = api.member("Nguyễn Văn An", cells["K1"], admitted_on="2020-05-01")
    api.member("Lê Thị Hoa", cells["K1"], admitted_on="2023-01-01")
    binh = api.member("Trần Văn Bình", cells["K1"], admitted_on="2020-05-01")
    api.ok(f"/members/{an}/transfer", {"cell_id": cells["K2"], "effective_from": "2022-06-01"})
    api.ok(f"/members/{binh}/leave", {"reason": "deceased", "effective_from": "2024-02-01"})
    assert listed(api, cell_id=cells["K1"], as_of="2022-05-31") == [
        "Nguyễn Văn An",
        "Trần Văn Bình",
    ]
    assert listed(api, cell_id=cells["K1"], as_of="2023-06-01") == ["Trần Văn Bình", "Lê Thị Hoa"]
    assert listed(api, cell_id=cells["K1"], as_of="2024-02-01") == ["Lê Thị Hoa"]
    assert listed(api, cell_id=cells["K2"], as_of="2022-06-01") == ["Nguyễn Văn An"]
    assert listed(api, unit_id=cells["X"], as_of="2023-06-01") == [
        "Nguyễn Văn An",
        "Trần Văn Bình",
        "Lê Thị Hoa",
    ]


def test_search_ignores_accents_and_lists_follow_vietnamese_order(api: Api, cells: dict[str, str]):
    for name in (
        "Nguyễn Văn Anh",
        "Đặng Thị Đào",
        "Nguyễn Văn An",
        "Trần Thị Dung",
        "Lê Văn Ánh",
        "Đỗ Văn An",
    ):
        api.member(name, cells["K1"])
    assert listed(api, cell_id=cells["K1"]) == [
        "Đỗ Văn An",
        "Nguyễn Văn An",
        "Nguyễn Văn Anh",
        "Lê Văn Ánh",
        "Trần Thị Dung",
        "Đặng Thị Đào",
    ]
    assert listed(api, q="nguyen van an") == ["Nguyễn Văn An", "Nguyễn Văn Anh"]
    assert listed(api, q="DANG THI DAO") == ["Đặng Thị Đào"]
    assert listed(api, q="100%_") == []


def test_lists_are_paged(api: Api, cells: dict[str, str]):
    for n in range(5):
        api.member(f"Phạm Văn {chr(ord('A') + n)}", cells["K2"])
    first = api.get("/members", cell_id=cells["K2"], limit=2).get_json()
    last = api.get("/members", cell_id=cells["K2"], limit=2, offset=4).get_json()
    assert [i["full_name"] for i in first["items"]] == ["Phạm Văn A", "Phạm Văn B"]
    assert (first["next_offset"], last["next_offset"], len(last["items"])) == (2, None, 1)
    assert api.get("/members", limit=501).status_code == 422
    huge = api.get("/members", offset=10**20)  # past any 64-bit SQL integer
    assert huge.status_code == 422 and "offset" in huge.get_json()["errors"]


def test_the_member_record_tells_the_state_on_a_day(api: Api, cells: dict[str, str]):
    member_id = api.member("Nguyễn Văn An", cells["K1"], admitted_on="2020-05-01")
    api.ok(f"/members/{member_id}/confirm-full", {"effective_from": "2021-05-01"})
    exempted = api.ok(
        f"/members/{member_id}/exemptions",
        {"from": "2024-01-01", "reason": "tuổi cao", "decision_ref": "QĐ-12/CB"},
    )
    assert exempted["exemptions"][0]["decision_ref"] == "QĐ-12/CB"
    api.ok(f"/members/{member_id}/exemptions/end", {"on": "2024-06-30"})
    api.ok(
        f"/members/{member_id}/attachments",
        {"cell_id": cells["K2"], "from": "2024-09-01", "to": "2024-12-31"},
    )
    held = api.ok(
        f"/members/{member_id}/positions",
        {"unit_id": cells["K1"], "position": "secretary", "from": "2022-01-01"},
    )
    position_id = held["positions"][0]["position_id"]
    api.ok(f"/members/{member_id}/positions/{position_id}/end", {"on": "2024-12-31"})

    def on(day: str) -> dict[str, Any]:
        body: dict[str, Any] = api.get(f"/members/{member_id}", as_of=day).get_json()
        return body

    assert (on("2021-04-30")["status"], on("2021-05-01")["status"]) == ("probationary", "full")
    assert (on("2024-03-01")["exempted"], on("2024-07-01")["exempted"]) == (True, False)
    assert (on("2024-10-01")["attached_to"], on("2025-01-01")["attached_to"]) == (cells["K2"], None)
    assert (on("2023-01-01")["positions"][0]["held"], on("2025-01-01")["positions"][0]["held"]) == (
        True,
        False,
    )
    assert on("2025-01-01")["version"] == 7


INVALID = [
    pytest.param(
        "/members",
        {"full_name": "A", "cell_id": "{X}", "status": "full", "admitted_on": "2021-01-01"},
        (422, "cell_id"),
        id="register-in-a-committee",
    ),
    pytest.param(
        "/members",
        {"full_name": "A", "cell_id": "nowhere", "status": "full", "admitted_on": "2021-01-01"},
        (422, "cell_id"),
        id="unknown-cell",
    ),
    pytest.param(
        "/members",
        {"full_name": "A", "cell_id": "{K1}", "status": "member", "admitted_on": "2021-01-01"},
        (422, "status"),
        id="unknown-status",
    ),
    pytest.param(
        "/members",
        {"full_name": "A", "cell_id": "{K1}", "status": "full", "admitted_on": "2019-01-01"},
        (422, "cell_id"),
        id="cell-not-yet-created",
    ),
    pytest.param(
        "/members",
        {
            "full_name": "A",
            "cell_id": "{K1}",
            "status": "full",
            "admitted_on": "2021-01-01",
            "birth_date": "2022-01-01",
        },
        (422, "birth_date"),
        id="born-after-admission",
    ),
    pytest.param(
        "/members",
        {
            "id": "not-a-uuid",
            "full_name": "A",
            "cell_id": "{K1}",
            "status": "full",
            "admitted_on": "2021-01-01",
        },
        (422, "id"),
        id="id-not-a-uuid",
    ),
    pytest.param(
        "/members/{M}/transfer",
        {"cell_id": "{K2}", "effective_from": "2020-01-01"},
        (422, "effective_from"),
        id="transfer-before-admission",
    ),
    pytest.param(
        "/members/{M}/transfer",
        {"cell_id": "{K1}", "effective_from": "2022-01-01"},
        (422, "cell_id"),
        id="transfer-to-own-cell",
    ),
    pytest.param(
        "/members/{M}/exemptions",
        {"from": "2022-01-01", "to": "2021-12-31", "reason": "ốm", "decision_ref": "QĐ"},
        (422, "to"),
        id="exemption-ends-before-it-starts",
    ),
    pytest.param(
        "/members/{M}/exemptions/end", {"on": "2022-01-01"}, (422, "on"), id="no-exemption-to-end"
    ),
    pytest.param(
        "/members/{M}/attachments",
        {"cell_id": "{K1}", "from": "2022-01-01"},
        (422, "cell_id"),
        id="attach-to-own-cell",
    ),
    pytest.param(
        "/members/{M}/positions",
        {"unit_id": "{X}", "position": "cell_committee_member", "from": "2022-01-01"},
        (422, "unit_id"),
        id="cell-position-in-a-committee",
    ),
    pytest.param(
        "/members/{M}/positions",
        {"unit_id": "{K1}", "position": "emperor", "from": "2022-01-01"},
        (422, "position"),
        id="unknown-position",
    ),
    pytest.param(
        "/members/{M}/positions/none/end",
        {"on": "2022-01-01"},
        (404, "position_id"),
        id="unknown-position-holding",
    ),
    pytest.param(
        "/members/{M}/leave",
        {"reason": "bored", "effective_from": "2022-01-01"},
        (422, "reason"),
        id="unknown-leave-reason",
    ),
    pytest.param(
        "/members/{M}/confirm-full",
        {"effective_from": "2022-01-01"},
        (422, "effective_from"),
        id="already-full",
    ),
    pytest.param(
        "/members/{ghost}/confirm-full",
        {"effective_from": "2022-01-01"},
        (404, None),
        id="unknown-member",
    ),
]


@pytest.mark.parametrize(("path", "body", "expected"), INVALID)
def test_invalid_roll_changes_answer_a_problem_and_store_nothing(
    api: Api,
    cells: dict[str, str],
    path: str,
    body: dict[str, Any],
    expected: tuple[int, str | None],
):
    status, field = expected
    ids = cells | {"M": api.member("Nguyễn Văn An", cells["K1"], status="full"), "ghost": "ghost"}
    before = api.events()
    response = api.post(
        path.format(**ids),
        {k: v.format(**ids) if isinstance(v, str) else v for k, v in body.items()},
    )
    assert response.status_code == status, response.get_json()
    assert response.content_type == "application/problem+json"
    if field:
        assert field in response.get_json()["errors"], response.get_json()
    assert api.events() == before
