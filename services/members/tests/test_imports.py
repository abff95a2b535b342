"""Bulk imports: CSV and XLSX over HTTP and the command line, per-row reports, idempotence."""

from __future__ import annotations

import io
import json
import time
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from chibo_members.app import create_app
from chibo_members.bootstrap import bootstrap
from chibo_members.imports import main
from chibo_members.imports.readers import XLSX_MIME

from .conftest import SECRET, TODAY, Api, make_settings, token

UNITS = """code,name,kind,parent_code,effective_from
P,Tỉnh ủy Sơn La,provincial_committee,,2020-01-01
K1,Chi bộ bản Bi,Chi bộ,X1,2020-01-01
X1,Đảng bộ xã Mường Giôn,commune_committee,P,01/01/2020
X2,Đảng bộ xã Nà Tấu,commune_committee,P,2020-01-01
K2,Chi bộ bản Nà,cell,X2,2020-01-01
BAD,,cell,X1,2020-01-01
G1,Tổ đảng 1,party_group,X1,2020-01-01
ORPH,Chi bộ mồ côi,cell,NOPE,2020-01-01
"""
MEMBERS = """code,full_name,birth_date,gender,cell_code,status,admitted_on
DV1,Nguyễn Văn An,1980-02-03,Nam,K1,chính thức,2021-03-01
DV2,Lê Thị Hoa,,Nữ,K1,probationary,2022-01-01
DV3,Trần Văn Bình,1970-01-01,Nam,X1,full,2021-01-01
DV4,Phạm Thị Mai,1990-13-01,Nữ,K2,full,2021-01-01
DV5,,1990-01-01,Nữ,K9,full,
DV6,Đặng Văn Đức,1975-05-05,Nam,K2,full,2021-06-01,extra
"""


def start(
    api: Api, content: bytes | str, kind: str, content_type: str = "text/csv", **headers: str
) -> Any:
    data = content.encode() if isinstance(content, str) else content
    return api.client.post(
        "/imports",
        query_string={"kind": kind},
        data=data,
        content_type=content_type,
        headers=api.headers | {k.replace("_", "-"): v for k, v in headers.items()},
    )


def finished(api: Api, location: str, seconds: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job: dict[str, Any] = api.get(location).get_json()
        if job["status"] in ("completed", "failed"):
            return job
        time.sleep(0.02)
    raise AssertionError(f"the import at {location} did not finish in {seconds} s")


def imported(api: Api, content: bytes | str, kind: str, **headers: str) -> dict[str, Any]:
    response = start(api, content, kind, **headers)
    assert response.status_code == 202, response.get_json()
    return finished(api, response.headers["Location"])


def rejected(job: dict[str, Any]) -> set[tuple[int, str]]:
    return {(r["row"], r["field"]) for r in job["rejected_rows"]}


def test_files_of_units_and_members_import_with_a_report_of_rejected_rows(api: Api):
    units = imported(api, UNITS, "units")
    assert (units["status"], units["rows_read"], units["accepted"], units["rejected"]) == (
        "completed",
        8,
        5,
        3,
    )
    assert rejected(units) == {(7, "name"), (8, "parent_code"), (9, "parent_code")}
    members = imported(api, MEMBERS, "members")
    assert (members["rows_read"], members["accepted"], members["rejected"]) == (6, 2, 4)
    assert rejected(members) == {
        (4, "cell_code"),
        (5, "birth_date"),
        (6, "full_name"),
        (6, "cell_code"),
        (6, "admitted_on"),
        (7, "row"),
    }
    reasons = {(r["row"], r["field"]): r["reason"] for r in members["rejected_rows"]}
    assert "not a cell" in reasons[(4, "cell_code")] and "K9" in reasons[(6, "cell_code")]
    assert members["position"] == api.events()
    listed = api.get("/members", q="nguyen van an").get_json()["items"]
    assert [(m["full_name"], m["code"], m["status"]) for m in listed] == [
        ("Nguyễn Văn An", "DV1", "full")
    ]
    tree = api.get(f"/org-units/{listed[0]['cell_id']}", as_of="2024-01-01").get_json()
    assert [a["code"] for a in tree["ancestors"]] == ["X1", "P"]


def test_a_name_holding_a_control_character_is_a_rejected_row(api: Api):
    imported(api, UNITS, "units")
    names = (("DV7", "Lò Văn\x00 Ánh"), ("DV8", "Lò\x07 Thị Én"), ("DV9", "Lò Văn Ơn"))
    rows = "code,full_name,cell_code,status,admitted_on\n" + "".join(
        f"{code},{name},K1,full,2021-03-01\n" for code, name in names)
    job = imported(api, rows, "members")
    assert (job["accepted"], rejected(job)) == (1, {(2, "full_name"), (3, "full_name")})
    assert "U+0000" in job["rejected_rows"][0]["reason"]


def test_importing_the_same_file_again_creates_nothing(api: Api):
    first = imported(api, UNITS, "units")
    events = api.events()
    again = imported(api, UNITS, "units")
    assert (again["accepted"], again["unchanged"], again["rejected"]) == (
        0,
        first["accepted"],
        first["rejected"],
    )
    assert api.events() == events


def test_a_row_that_differs_from_what_was_imported_is_rejected(api: Api):
    imported(api, UNITS, "units")
    changed = imported(
        api,
        "code,name,kind,parent_code,effective_from\nK2,Chi bộ khác,cell,X2,2020-01-01\n",
        "units",
    )
    assert (changed["accepted"], changed["rejected"]) == (0, 1)
    assert changed["rejected_rows"][0]["field"] == "code"


def test_xlsx_files_come_as_a_multipart_form(api: Api, tmp_path: Path):
    imported(api, UNITS, "units")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(
        [
            "Mã đảng viên",
            "Họ và tên",
            "Ngày sinh",
            "Giới tính",
            "Mã chi bộ",
            "Trạng thái",
            "Ngày vào Đảng",
        ]
    )
    sheet.append(
        ["DV7", "Võ Thị Yến", None, "Nữ", "K2", "dự bị", TODAY.replace(year=2022, tzinfo=None)]
    )
    sheet.append([8, "Hồ Văn Nam", None, "Nam", "K2", "full", "2023-04-05"])
    buffer = io.BytesIO()
    book.save(buffer)
    response = api.client.post(
        "/imports",
        data={
            "kind": "members",
            "file": (io.BytesIO(buffer.getvalue()), "dang-vien.xlsx", XLSX_MIME),
        },
        content_type="multipart/form-data",
        headers=api.headers,
    )
    assert response.status_code == 202, response.get_json()
    job = finished(api, response.headers["Location"])
    assert (job["accepted"], job["rejected"], job["filename"]) == (2, 0, "dang-vien.xlsx")
    names = {m["full_name"]: m for m in api.get("/members").get_json()["items"]}
    assert (names["Võ Thị Yến"]["status"], names["Hồ Văn Nam"]["code"]) == ("probationary", "8")


def test_a_file_without_the_required_columns_is_refused_before_any_job(api: Api):
    response = start(api, "code,name\nP,Tỉnh\n", "units")
    assert (response.status_code, response.content_type) == (422, "application/problem+json")
    assert "kind" in response.get_json()["errors"]["file"][0]
    assert start(api, UNITS, "people").status_code == 422
    assert start(api, UNITS, "units", content_type="application/json").status_code == 415


def test_the_same_idempotency_key_answers_the_same_job_and_another_file_is_refused(api: Api):
    first = start(api, UNITS, "units", Idempotency_Key="units-2025")
    again = start(api, UNITS, "units", Idempotency_Key="units-2025")
    assert again.headers["Location"] == first.headers["Location"]
    assert start(api, MEMBERS, "units", Idempotency_Key="units-2025").status_code == 422
    assert finished(api, first.headers["Location"])["accepted"] == 5


def test_rows_stream_so_a_broken_tail_fails_the_job_after_the_good_rows(
    tmp_path: Path, database_url: str
):
    service = bootstrap(
        make_settings(tmp_path, database_url, MEMBERS_IMPORT_BATCH_ROWS="50"), clock=lambda: TODAY
    )
    api = Api(create_app(service.settings, service).test_client(), service, token())
    imported(api, UNITS, "units")
    good = "".join(f"DV{n},Nguyễn Văn {n},,Nam,K1,full,2021-03-01\n" for n in range(3000))
    body = (
        "code,full_name,birth_date,gender,cell_code,status,admitted_on\n" + good
    ).encode() + b"DVX,\xff\xfe,,,K1,full,2021-03-01\n"
    job = imported(api, body, "members")
    assert job["status"] == "failed" and "UTF-8" in job["error"]
    assert 2900 <= job["accepted"] < 3000 and job["accepted"] % 50 == 0
    service.store.engine.dispose()


def test_only_import_endpoints_take_large_bodies_and_they_have_a_limit(
    tmp_path: Path, database_url: str
):
    service = bootstrap(
        make_settings(tmp_path, database_url, MEMBERS_IMPORT_MAX_BYTES="3000000"),
        clock=lambda: TODAY,
    )
    api = Api(create_app(service.settings, service).test_client(), service, token())
    imported(api, UNITS, "units")
    # Few rows, each with a name far too long: a big body that is quick to reject row by row.
    rows = "".join(f"D{n},{'Nguyễn Văn Bình ' * 300},,Nam,K1,full,2021-03-01\n" for n in range(300))
    big = "code,full_name,birth_date,gender,cell_code,status,admitted_on\n" + rows
    assert 1_200_000 < len(big.encode()) < 3_000_000
    accepted = start(api, big, "members")
    assert accepted.status_code == 202
    assert start(api, big + big, "members").status_code == 413
    assert finished(api, accepted.headers["Location"])["rejected"] == 300
    service.store.engine.dispose()


def test_a_scoped_token_imports_only_rows_in_its_part_of_the_tree(api: Api):
    imported(api, UNITS, "units")
    staff = api.as_(token("x1-staff", ("committee_staff",), ("X1",)))
    job = imported(
        staff,
        "code,full_name,cell_code,status,admitted_on\n"
        "A1,Lò Văn A,K1,full,2021-01-01\n"
        "A2,Lò Văn B,K2,full,2021-01-01\n"
        "A3,Lò Văn C,K404,full,2021-01-01\n",
        "members",
    )
    assert (job["accepted"], rejected(job)) == (1, {(3, "cell_code"), (4, "cell_code")})
    reasons = {r["row"]: r["reason"] for r in job["rejected_rows"]}
    assert reasons[3] == reasons[4].replace("K404", "K2")  # out of reach and unknown alike
    auditor = start(api.as_(token("reader", ("auditor",), ("*",))), MEMBERS, "members")
    assert (auditor.status_code, auditor.content_type) == (403, "application/problem+json")


def test_an_import_job_is_shown_to_the_caller_who_started_it_and_to_whole_tree_tokens(api: Api):
    job_path = start(api, UNITS, "units").headers["Location"]
    finished(api, job_path)
    other = api.as_(token("x1-staff", ("committee_staff",), ("X1",)))
    seen, missing = other.get(job_path), other.get("/imports/no-such-job")
    assert seen.status_code == missing.status_code == 403
    assert api.as_(token("auditor", ("auditor",), ("*",))).get(job_path).status_code == 200
    assert api.get("/imports/no-such-job").status_code == 404


def test_the_command_line_imports_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    monkeypatch.setenv("CHIBO_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CHIBO_JWT_SECRET", SECRET)
    monkeypatch.setenv("MEMBERS_DATABASE_URL", f"sqlite:///{tmp_path}/cli.sqlite3")
    units = tmp_path / "units.csv"
    units.write_text(UNITS, encoding="utf-8")
    assert main([str(units), "--kind", "units"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert (report["status"], report["accepted"], report["rejected"]) == ("completed", 5, 3)
    good = tmp_path / "members.csv"
    good.write_text(
        MEMBERS.splitlines()[0] + "\n" + MEMBERS.splitlines()[1] + "\n", encoding="utf-8"
    )
    assert main([str(good), "--kind", "members"]) == 0
    assert json.loads(capsys.readouterr().out)["accepted"] == 1
    assert good.exists()
