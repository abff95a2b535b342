"""Fixtures: the roll over the in-memory store (handler tests) and the HTTP API over SQLite or
PostgreSQL (API tests)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from chibo_eventsourcing.memory import MemoryEventStore
from chibo_eventsourcing.repository import Written
from chibo_eventsourcing.store import Metadata
from chibo_members import commands as c
from chibo_members.app import create_app
from chibo_members.bootstrap import MembersService, bootstrap
from chibo_members.config import Settings
from chibo_members.domain.members import Member
from chibo_members.domain.units import OrgUnit
from chibo_members.handlers import HANDLERS
from chibo_members.publishing import Codec
from chibo_members.unit_of_work.memory import MemoryUnitOfWork
from chibo_web.auth import issue_token

SECRET = "members-tests-secret-of-sufficient-length"
TODAY = datetime(2026, 1, 15, 3, 0, tzinfo=UTC)
FOUNDED = date(2020, 1, 1)


class Roll:
    """Runs commands through the handlers over the in-memory store, one unit of work each."""

    def __init__(self) -> None:
        self.store = MemoryEventStore("members")
        self.codec = Codec()

    def __call__(self, command: Any, expected_version: int | None = None) -> Written:
        uow = self.unit_of_work(expected_version)
        with uow.transaction():
            return HANDLERS[type(command)](command, uow)

    def unit_of_work(self, expected_version: int | None = None) -> MemoryUnitOfWork:
        return MemoryUnitOfWork(self.store, self.codec, Metadata(actor="tester"), expected_version)

    def unit(self, code: str) -> OrgUnit:
        found = self.unit_of_work().find_unit(c.unit_id_for_code(code))
        assert found is not None
        return found

    def member(self, code: str) -> Member:
        found = self.unit_of_work().find_member(c.member_id_for_code(code))
        assert found is not None
        return found

    def add_unit(self, code: str, kind: str, parent: str | None = None, on: date = FOUNDED) -> str:
        parent_id = c.unit_id_for_code(parent) if parent else None
        self(c.CreateOrgUnit(c.unit_id_for_code(code), code, f"Đơn vị {code}", kind, parent_id, on))
        return c.unit_id_for_code(code)

    def add_member(
        self, code: str, cell: str, on: date = date(2021, 3, 1), status: str = "full"
    ) -> str:
        member_id = c.member_id_for_code(code)
        self(
            c.RegisterMember(
                member_id, f"Nguyễn Văn {code}", c.unit_id_for_code(cell), status, on, code=code
            )
        )
        return member_id

    def event_count(self) -> int:
        return self.store.last_position()


@pytest.fixture
def roll() -> Roll:
    return Roll()


@pytest.fixture
def province(roll: Roll) -> Roll:
    """P (province) → D1, D2 (districts) → X1 under D1, X2 under D2 (communes) → cells K1 under
    X1 and K2 under X2, all from 2020; member M1 in K1 from 2021-03-01."""
    roll.add_unit("P", "provincial_committee")
    for district, commune, cell in (("D1", "X1", "K1"), ("D2", "X2", "K2")):
        roll.add_unit(district, "district_committee", "P")
        roll.add_unit(commune, "commune_committee", district)
        roll.add_unit(cell, "cell", commune)
    roll.add_member("M1", "K1")
    return roll


def make_settings(data_dir: Path, database_url: str, **overrides: str) -> Settings:
    env = {
        "CHIBO_DATA_DIR": str(data_dir),
        "CHIBO_JWT_SECRET": SECRET,
        "MEMBERS_DATABASE_URL": database_url,
    }
    return Settings.from_env(env | overrides)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/members.sqlite3"
    url: str = request.getfixturevalue("fresh_postgres_url")
    return url


@pytest.fixture
def service(tmp_path: Path, database_url: str) -> Iterator[MembersService]:
    members = bootstrap(make_settings(tmp_path, database_url), clock=lambda: TODAY)
    yield members
    members.store.engine.dispose()


def token(
    sub: str = "admin", roles: tuple[str, ...] = ("admin",), scope: tuple[str, ...] = ("*",)
) -> str:
    return issue_token(SECRET, sub=sub, roles=roles, scope=scope)


class Api:
    """The test client with a bearer token, and the service behind it."""

    def __init__(self, client: FlaskClient, service: MembersService, bearer: str) -> None:
        self.client = client
        self.service = service
        self.headers = {"Authorization": f"Bearer {bearer}"}

    def as_(self, bearer: str) -> Api:
        return Api(self.client, self.service, bearer)

    def post(self, path: str, body: Any = None, **headers: str) -> Any:
        return self.client.post(path, json=body, headers=self.headers | _headers(headers))

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(path, query_string=params, headers=self.headers)

    def ok(self, path: str, body: Any, status: int = 200) -> dict[str, Any]:
        response = self.post(path, body)
        assert response.status_code == status, response.get_json()
        result: dict[str, Any] = response.get_json()
        return result

    def unit(
        self,
        code: str,
        kind: str,
        parent_id: str | None,
        on: str = "2020-01-01",
        name: str | None = None,
    ) -> str:
        body = {
            "code": code,
            "name": name or f"Đơn vị {code}",
            "kind": kind,
            "parent_id": parent_id,
            "effective_from": on,
        }
        unit_id: str = self.ok("/org-units", body, 201)["id"]
        return unit_id

    def member(
        self, full_name: str, cell_id: str, admitted_on: str = "2021-03-01", **extra: Any
    ) -> str:
        body = {
            "full_name": full_name,
            "cell_id": cell_id,
            "status": "probationary",
            "admitted_on": admitted_on,
        } | extra
        member_id: str = self.ok("/members", body, 201)["id"]
        return member_id

    def events(self) -> int:
        return self.service.store.last_position()


def _headers(headers: dict[str, str]) -> dict[str, str]:
    return {name.replace("_", "-"): value for name, value in headers.items()}


@pytest.fixture
def api(service: MembersService) -> Api:
    app = create_app(service.settings, service)
    return Api(app.test_client(), service, token())
