"""The organisation tree over HTTP (SQLite, and PostgreSQL when marked)."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from chibo_members.read_models.writer import rebuild

from .conftest import Api


def names(tree: dict[str, Any]) -> set[str]:
    """The codes of every unit in a tree answer."""
    return {tree["code"]} | {code for child in tree["children"] for code in names(child)}


def brief(units: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(u["code"], u["kind"]) for u in units]


@pytest.fixture
def province(api: Api) -> dict[str, str]:
    """A province with two districts created in 2020, two communes and a cell in each."""
    ids = {"P": api.unit("P", "provincial_committee", None, name="Tỉnh ủy Sơn La")}
    for n in ("1", "2"):
        ids[f"D{n}"] = api.unit(f"D{n}", "district_committee", ids["P"])
        for m in ("a", "b"):
            ids[f"X{n}{m}"] = api.unit(f"X{n}{m}", "commune_committee", ids[f"D{n}"])
            ids[f"K{n}{m}"] = api.unit(f"K{n}{m}", "cell", ids[f"X{n}{m}"])
    return ids


def reform(api: Api, ids: dict[str, str]) -> None:
    """On 2025-07-01 both districts are dissolved and their communes moved under the province."""
    for n in ("1", "2"):
        api.ok(
            f"/org-units/{ids[f'D{n}']}/dissolve",
            {"effective_from": "2025-07-01", "reason": "huyện ủy giải thể"},
        )
        for m in ("a", "b"):
            api.ok(
                f"/org-units/{ids[f'X{n}{m}']}/move",
                {"parent_id": ids["P"], "effective_from": "2025-07-01"},
            )


def test_the_tree_and_a_members_ancestors_follow_the_2025_reform(
    api: Api, province: dict[str, str]
):
    member_id = api.member("Nguyễn Văn An", province["K1a"])
    reform(api, province)

    before = api.get(f"/org-units/{province['P']}/tree", as_of="2024-12-31").get_json()
    after = api.get(f"/org-units/{province['P']}/tree", as_of="2025-07-02").get_json()
    assert {"D1", "D2"} <= names(before)
    assert not {"D1", "D2"} & names(after)
    assert names(after) == {"P", "X1a", "X1b", "X2a", "X2b", "K1a", "K1b", "K2a", "K2b"}
    assert [c["code"] for c in after["children"]] == ["X1a", "X1b", "X2a", "X2b"]

    in_2024 = api.get(f"/members/{member_id}", as_of="2024-12-31").get_json()
    in_2025 = api.get(f"/members/{member_id}", as_of="2025-07-02").get_json()
    assert in_2024["cell_id"] == in_2025["cell_id"] == province["K1a"]
    assert brief(in_2024["ancestors"]) == [
        ("X1a", "commune_committee"),
        ("D1", "district_committee"),
        ("P", "provincial_committee"),
    ]
    assert brief(in_2025["ancestors"]) == [
        ("X1a", "commune_committee"),
        ("P", "provincial_committee"),
    ]
    assert in_2025["ancestors"][-1] == {
        "unit_id": province["P"],
        "code": "P",
        "name": "Tỉnh ủy Sơn La",
        "kind": "provincial_committee",
    }


def test_a_unit_answers_as_of_a_day_with_its_history(api: Api, province: dict[str, str]):
    api.ok(
        f"/org-units/{province['X1a']}/rename",
        {"name": "Đảng bộ xã Mường Giôn", "effective_from": "2023-05-01"},
    )
    reform(api, province)
    old = api.get(f"/org-units/{province['X1a']}", as_of="2023-04-30").get_json()
    new = api.get(f"/org-units/{province['X1a']}", as_of="2025-07-02").get_json()
    assert (old["name"], old["parent_id"]) == ("Đơn vị X1a", province["D1"])
    assert (new["name"], new["parent_id"], new["status"]) == (
        "Đảng bộ xã Mường Giôn",
        province["P"],
        "active",
    )
    assert [p["parent_id"] for p in new["parents"]] == [province["D1"], province["P"]]
    district = api.get(f"/org-units/{province['D1']}", as_of="2025-07-02").get_json()
    assert (district["status"], district["ended_on"]) == ("dissolved", "2025-07-01")


def test_a_tree_before_the_unit_existed_is_not_found(api: Api, province: dict[str, str]):
    response = api.get(f"/org-units/{province['P']}/tree", as_of="2019-01-01")
    assert response.status_code == 404
    assert response.content_type == "application/problem+json"


def test_the_tree_counts_members_of_each_cell_on_the_day(api: Api, province: dict[str, str]):
    api.member("Lê Thị Hoa", province["K2b"], admitted_on="2021-01-01")
    api.member("Trần Văn Bình", province["K2b"], admitted_on="2024-01-01")
    tree = api.get(f"/org-units/{province['X2b']}/tree", as_of="2023-01-01").get_json()
    assert tree["children"][0]["member_count"] == 1


def test_merging_over_http_moves_the_members(api: Api, province: dict[str, str]):
    member_id = api.member("Nguyễn Văn An", province["K1a"])
    merged = api.ok(
        f"/org-units/{province['K1a']}/merge",
        {"into_id": province["K1b"], "effective_from": "2024-01-01"},
    )
    assert (merged["status"], merged["merged_into_id"]) == ("merged", province["K1b"])
    assert (
        api.get(f"/members/{member_id}", as_of="2024-01-01").get_json()["cell_id"]
        == province["K1b"]
    )


INVALID = [
    pytest.param(
        "/org-units",
        {
            "code": "N",
            "name": "N",
            "kind": "cell",
            "parent_id": "no-such-unit",
            "effective_from": "2022-01-01",
        },
        (422, "parent_id"),
        id="unknown-parent",
    ),
    pytest.param(
        "/org-units",
        {
            "code": "N",
            "name": "N",
            "kind": "party_group",
            "parent_id": "{X1a}",
            "effective_from": "2022-01-01",
        },
        (422, "parent_id"),
        id="party-group-under-a-commune",
    ),
    pytest.param(
        "/org-units",
        {
            "code": "N",
            "name": "N",
            "kind": "cell",
            "parent_id": None,
            "effective_from": "2022-01-01",
        },
        (422, "parent_id"),
        id="cell-without-a-parent",
    ),
    pytest.param(
        "/org-units",
        {
            "code": "N",
            "name": "N",
            "kind": "cell",
            "parent_id": "{X1a}",
            "effective_from": "2019-01-01",
        },
        (422, "parent_id"),
        id="parent-not-yet-created",
    ),
    pytest.param(
        "/org-units",
        {
            "code": "K1a",
            "name": "N",
            "kind": "cell",
            "parent_id": "{X1a}",
            "effective_from": "2022-01-01",
        },
        (409, "code"),
        id="code-in-use",
    ),
    pytest.param(
        "/org-units",
        {
            "code": "N",
            "name": "N",
            "kind": "village",
            "parent_id": None,
            "effective_from": "2022-01-01",
        },
        (422, "kind"),
        id="unknown-kind",
    ),
    pytest.param(
        "/org-units",
        {
            "code": "N",
            "name": "N",
            "kind": "cell",
            "parent_id": "{X1a}",
            "effective_from": "2022-13-01",
        },
        (422, "effective_from"),
        id="bad-date",
    ),
    pytest.param(
        "/org-units",
        {
            "code": 12,
            "name": ["N"],
            "kind": "cell",
            "parent_id": "{X1a}",
            "effective_from": "2022-01-01",
        },
        (422, "name"),
        id="wrong-types",
    ),
    pytest.param(
        "/org-units",
        {
            "code": "N",
            "name": "   ",
            "kind": "cell",
            "parent_id": "{X1a}",
            "effective_from": "2022-01-01",
        },
        (422, "name"),
        id="blank-name",
    ),
    pytest.param(
        "/org-units",
        {
            "code": "N",
            "name": "N",
            "kind": "cell",
            "parent_id": "{X1a}",
            "effective_from": "2022-01-01",
            "colour": "red",
        },
        (422, "colour"),
        id="unknown-field",
    ),
    pytest.param(
        "/org-units/{D1}/move",
        {"parent_id": "{X1a}", "effective_from": "2022-01-01"},
        (422, "parent_id"),
        id="move-below-a-descendant",
    ),
    pytest.param(
        "/org-units/{X1a}/move",
        {"parent_id": "{K1b}", "effective_from": "2022-01-01"},
        (422, "parent_id"),
        id="move-under-a-cell",
    ),
    pytest.param(
        "/org-units/{X1a}/rename",
        {"name": "Tên", "effective_from": "2019-06-01"},
        (422, "effective_from"),
        id="rename-before-creation",
    ),
    pytest.param(
        "/org-units/{K1a}/merge",
        {"into_id": "{K1b}", "effective_from": "2026-01-01"},
        (422, "into_id"),
        id="merge-into-dissolved",
    ),
    pytest.param(
        "/org-units/{K1a}/merge",
        {"into_id": "{X1b}", "effective_from": "2024-01-01"},
        (422, "into_id"),
        id="merge-into-other-kind",
    ),
    pytest.param(
        "/org-units/{K1a}/dissolve",
        {"effective_from": "2024-01-01"},
        (422, "reason"),
        id="dissolve-without-reason",
    ),
    pytest.param(
        "/org-units/{ghost}/rename",
        {"name": "Tên", "effective_from": "2024-01-01"},
        (404, None),
        id="unknown-unit",
    ),
]


@pytest.mark.parametrize(("path", "body", "expected"), INVALID)
def test_invalid_tree_changes_answer_a_problem_and_store_nothing(
    api: Api,
    province: dict[str, str],
    path: str,
    body: dict[str, Any],
    expected: tuple[int, str | None],
):
    status, field = expected
    api.ok(
        f"/org-units/{province['K1b']}/dissolve",
        {"effective_from": "2025-01-01", "reason": "giải thể"},
    )
    ids = province | {"ghost": "00000000-0000-0000-0000-000000000000"}
    before = api.events()
    response = api.post(
        path.format(**ids),
        {k: v.format(**ids) if isinstance(v, str) else v for k, v in body.items()},
    )
    assert response.status_code == status, response.get_json()
    assert response.content_type == "application/problem+json"
    problem = response.get_json()
    assert problem["status"] == status and problem["detail"]
    if field:
        assert field in problem["errors"], problem
    assert api.events() == before


def test_malformed_json_and_oversized_bodies_are_problems(api: Api, province: dict[str, str]):
    before = api.events()
    malformed = api.client.post(
        "/org-units", data="{not json", content_type="application/json", headers=api.headers
    )
    assert (malformed.status_code, malformed.content_type) == (400, "application/problem+json")
    huge = {
        "code": "N",
        "name": "x" * (2 * 1024 * 1024),
        "kind": "cell",
        "parent_id": province["X1a"],
        "effective_from": "2022-01-01",
    }
    oversized = api.post("/org-units", huge)
    assert (oversized.status_code, oversized.content_type) == (413, "application/problem+json")
    assert api.events() == before


def test_the_query_tables_rebuilt_from_the_events_equal_the_live_ones(
    api: Api, province: dict[str, str]
):
    member_id = api.member("Nguyễn Văn An", province["K1a"])
    api.ok(
        f"/members/{member_id}/transfer",
        {"cell_id": province["K2a"], "effective_from": "2023-01-01"},
    )
    api.ok(
        f"/org-units/{province['K1b']}/merge",
        {"into_id": province["K1a"], "effective_from": "2024-01-01"},
    )
    reform(api, province)
    service = api.service

    def rows() -> dict[str, list[tuple[object, ...]]]:
        with service.store.engine.connect() as conn:
            return {
                table.name: sorted(tuple(row) for row in conn.execute(sa.select(table)))
                for table in vars(service.tables).values()
            }

    live = rows()
    assert rebuild(service.store, service.tables, service.codec) == 12  # 11 units, 1 member
    assert rows() == live
    assert len(live["unit_parents"]) > 10
