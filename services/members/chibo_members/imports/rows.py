"""The columns of unit and member files, and how one row becomes a command (or is rejected)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from chibo_members import commands as c
from chibo_members.domain.member_events import MEMBER_STATUSES
from chibo_members.domain.names import fold, normalise_name
from chibo_members.domain.units import UNIT_KINDS
from chibo_members.unit_of_work import UnitOfWork
from chibo_web.bodies import control_character


class RowError(ValueError):
    """A row that cannot become a command: the reasons keyed by column."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = dict(errors)


def _folded(*pairs: tuple[str, str]) -> dict[str, str]:
    return {"_".join(fold(alias).split()): value for alias, value in pairs}


UNIT_ALIASES = _folded(
    ("mã", "code"),
    ("mã đơn vị", "code"),
    ("tên", "name"),
    ("tên đơn vị", "name"),
    ("loại", "kind"),
    ("cấp", "kind"),
    ("mã cấp trên", "parent_code"),
    ("parent", "parent_code"),
    ("ngày thành lập", "effective_from"),
    ("hiệu lực từ", "effective_from"),
)
MEMBER_ALIASES = _folded(
    ("mã", "code"),
    ("mã đảng viên", "code"),
    ("số thẻ", "code"),
    ("số thẻ đảng viên", "code"),
    ("họ và tên", "full_name"),
    ("họ tên", "full_name"),
    ("ngày sinh", "birth_date"),
    ("giới tính", "gender"),
    ("mã chi bộ", "cell_code"),
    ("trạng thái", "status"),
    ("ngày vào đảng", "admitted_on"),
    ("ngày kết nạp", "admitted_on"),
)
KIND_ALIASES = _folded(
    ("tỉnh ủy", "provincial_committee"),
    ("thành ủy", "provincial_committee"),
    ("huyện ủy", "district_committee"),
    ("đảng bộ xã", "commune_committee"),
    ("đảng bộ phường", "commune_committee"),
    ("đảng bộ cơ sở", "grassroots_committee"),
    ("chi bộ", "cell"),
    ("chi bộ cơ sở", "cell"),
    ("tổ đảng", "party_group"),
)
STATUS_ALIASES = _folded(("dự bị", "probationary"), ("chính thức", "full"))
# Domain errors name request fields; a file's reader knows its columns.
COLUMN_OF_FIELD = {
    "parent_id": "parent_code",
    "cell_id": "cell_code",
    "id": "code",
    "unit_id": "code",
}


class Cells:
    """Typed access to one row's text cells, collecting every problem before giving up."""

    def __init__(self, values: Mapping[str, str]) -> None:
        self.values = values
        self.errors: dict[str, str] = {}

    def text(self, column: str, *, required: bool = True, max_length: int = 300) -> str | None:
        value = normalise_name(self.values.get(column) or "")
        if not value:
            if required:
                self.errors[column] = "is required"
            return None
        if len(value) > max_length:
            self.errors[column] = f"is longer than {max_length} characters"
        if (control := control_character(value)) is not None:
            self.errors[column] = f"holds a control character ({control})"
        return value

    def choice(self, column: str, choices: tuple[str, ...], aliases: Mapping[str, str]) -> str:
        raw = self.text(column) or ""
        value = aliases.get("_".join(fold(raw).split()), raw)
        if raw and value not in choices:
            self.errors[column] = f"{raw!r} is not one of {', '.join(choices)}"
        return value

    def date(self, column: str, *, required: bool = True) -> date | None:
        raw = self.text(column, required=required)
        if raw is None:
            return None
        try:
            return parse_date(raw)
        except ValueError:
            self.errors[column] = f"{raw!r} is not a date (YYYY-MM-DD or DD/MM/YYYY)"
            return None

    def id(self, derived: str) -> str:
        raw = self.text("id", required=False)
        if raw is None:
            return derived
        try:
            return str(uuid.UUID(raw))
        except ValueError:
            self.errors["id"] = f"{raw!r} is not a UUID"
            return derived

    def unit_id(self, column: str, uow: UnitOfWork) -> str | None:
        code = self.text(column, required=column != "parent_code", max_length=64)
        unit_id = uow.unit_id_for_code(code) if code else None
        if code and unit_id is None:
            self.errors[column] = f"no unit has code {code!r}"
        return unit_id

    def check(self) -> None:
        if self.errors:
            raise RowError(self.errors)


def parse_date(raw: str) -> date:
    if "/" in raw or "." in raw:
        day, month, year = raw.replace(".", "/").split("/")
        return date(int(year), int(month), int(day))
    return date.fromisoformat(raw)


def unit_command(values: Mapping[str, str], uow: UnitOfWork) -> c.CreateOrgUnit:
    cells = Cells(values)
    code = cells.text("code", max_length=64) or ""
    command = c.CreateOrgUnit(
        unit_id=cells.id(c.unit_id_for_code(code)),
        code=code,
        name=cells.text("name") or "",
        kind=cells.choice("kind", UNIT_KINDS, KIND_ALIASES),
        parent_id=cells.unit_id("parent_code", uow),
        effective_from=cells.date("effective_from") or date.min,
    )
    cells.check()
    return command


def member_command(values: Mapping[str, str], uow: UnitOfWork) -> c.RegisterMember:
    cells = Cells(values)
    code = cells.text("code", max_length=64) or ""
    command = c.RegisterMember(
        member_id=cells.id(c.member_id_for_code(code)),
        full_name=cells.text("full_name") or "",
        cell_id=cells.unit_id("cell_code", uow) or "",
        status=cells.choice("status", MEMBER_STATUSES, STATUS_ALIASES),
        admitted_on=cells.date("admitted_on") or date.min,
        birth_date=cells.date("birth_date", required=False),
        gender=cells.text("gender", required=False, max_length=40),
        code=code,
    )
    cells.check()
    return command


@dataclass(frozen=True)
class FileKind:
    """What one kind of file holds and how its rows become commands."""

    name: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    aliases: Mapping[str, str]
    command: Callable[[Mapping[str, str], UnitOfWork], Any]
    derive_id: Callable[[str], str]
    reference: str  # the column naming the unit a row goes under: what a scope must reach

    def missing(self, columns: list[str]) -> list[str]:
        return [name for name in self.required if name not in columns]

    def stream_id(self, values: Mapping[str, str]) -> str:
        return (values.get("id") or "").strip() or self.derive_id(
            (values.get("code") or "").strip()
        )


FILE_KINDS = {
    "units": FileKind(
        "units",
        ("code", "name", "kind", "effective_from"),
        ("parent_code", "id"),
        UNIT_ALIASES,
        unit_command,
        c.unit_id_for_code,
        "parent_code",
    ),
    "members": FileKind(
        "members",
        ("code", "full_name", "cell_code", "status", "admitted_on"),
        ("birth_date", "gender", "id"),
        MEMBER_ALIASES,
        member_command,
        c.member_id_for_code,
        "cell_code",
    ),
}
