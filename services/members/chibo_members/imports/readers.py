"""Reads CSV and XLSX files row by row, never whole, as text cells under canonical column names."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl

from chibo_members.domain.names import fold

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_ZIP_MAGIC = b"PK\x03\x04"
_SNIFF_BYTES = 64 * 1024


class FileFormatError(ValueError):
    """The file cannot be read as a table of the expected kind."""


@dataclass(frozen=True)
class Row:
    number: int  # as a spreadsheet shows it: the header is row 1
    values: Mapping[str, str]
    extra: int = 0  # cells beyond the header's columns


@dataclass
class Table:
    columns: list[str]
    rows: Iterator[Row]


def canonical_column(header: str, aliases: Mapping[str, str]) -> str:
    """`Mã chi bộ` → `ma_chi_bo` → the column it is an alias of (or itself)."""
    name = "_".join(fold(str(header or "")).replace("-", " ").split())
    return aliases.get(name, name)


@contextlib.contextmanager
def open_table(path: Path, aliases: Mapping[str, str]) -> Iterator[Table]:
    """The file's header (canonical names) and an iterator over its non-blank rows."""
    with path.open("rb") as probe:
        is_xlsx = probe.read(4) == _ZIP_MAGIC
    reader = _xlsx_cells if is_xlsx else _csv_cells
    with reader(path) as cells:
        try:
            header = next(cells)
        except StopIteration:
            raise FileFormatError("the file is empty") from None
        columns = [canonical_column(h, aliases) for h in header]
        yield Table(columns, _rows(columns, cells))


def _rows(columns: list[str], cells: Iterator[list[str]]) -> Iterator[Row]:
    for number, values in enumerate(cells, start=2):
        if not any(v.strip() for v in values):
            continue
        yield Row(
            number, dict(zip(columns, values, strict=False)), max(0, len(values) - len(columns))
        )


@contextlib.contextmanager
def _csv_cells(path: Path) -> Iterator[Iterator[list[str]]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        try:
            sample = handle.read(_SNIFF_BYTES)
        except UnicodeDecodeError as exc:
            raise FileFormatError(f"the file is neither XLSX nor UTF-8 CSV: {exc.reason}") from exc
        handle.seek(0)
        yield _decoded(csv.reader(handle, delimiter=_delimiter(sample)))


def _delimiter(sample: str) -> str:
    """The separator the header line uses most: Excel writes `;` in locales with decimal commas."""
    header = sample.split("\n", 1)[0]
    return max(",;\t", key=header.count)


def _decoded(reader: Any) -> Iterator[list[str]]:
    try:
        yield from reader
    except UnicodeDecodeError as exc:
        raise FileFormatError(f"after line {reader.line_num}: the file is not UTF-8 text") from exc
    except csv.Error as exc:
        raise FileFormatError(f"line {reader.line_num}: {exc}") from exc


@contextlib.contextmanager
def _xlsx_cells(path: Path) -> Iterator[Iterator[list[str]]]:
    with path.open("rb") as handle:  # a handle, because openpyxl judges a path by its suffix
        try:
            book = openpyxl.load_workbook(handle, read_only=True, data_only=True)
        except Exception as exc:
            raise FileFormatError(f"not a readable XLSX file: {exc}") from exc
        try:
            sheet = book.worksheets[0]
            yield ([_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True))
        finally:
            book.close()


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
