"""What one poll batch changes, folded in memory before anything is written.

Rows whose key is the event's own (a name from a date, a visit) are kept whole, last one wins;
a row an event removes (a withdrawn visit) is kept as gone, until an event puts it back.
Rows that several events of one stream build up (a meeting, an exemption, an assignment) are
kept as a `Patch` of merge operations that compose, so a batch boundary anywhere gives the same
row; the writer merges each patch onto the stored row.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

Row = dict[str, Any]


@dataclass
class Patch:
    """Merge operations on one row: set, keep the earliest, add, keep the newest, evidence."""

    set: dict[str, Any] = field(default_factory=dict)
    earliest: dict[str, date] = field(default_factory=dict)
    add: dict[str, int] = field(default_factory=dict)
    earliest_by_key: dict[str, dict[str, date]] = field(default_factory=dict)
    newest: dict[str, tuple[tuple[Any, ...], Row]] = field(default_factory=dict)
    evidence: dict[str, list[str]] = field(default_factory=dict)

    def keep_earliest(self, column: str, day: date) -> None:
        current = self.earliest.get(column)
        self.earliest[column] = day if current is None else min(current, day)

    def keep_earliest_by_key(self, column: str, key: str, day: date) -> None:
        per_key = self.earliest_by_key.setdefault(column, {})
        per_key[key] = min(per_key.get(key, day), day)

    def keep_newest(self, name: str, order: tuple[Any, ...], values: Row) -> None:
        """`values` replace the row's when `order` beats the row's `<name>_order` columns."""
        current = self.newest.get(name)
        if current is None or order > current[0]:
            self.newest[name] = (order, values)

    def cite(self, role: str, event_id: str) -> None:
        self.evidence.setdefault(role, []).append(event_id)

    def merge(self, row: Row, order_of: Mapping[str, tuple[str, ...]]) -> Row:
        """The stored `row` with this patch applied (`order_of` names each newest's columns)."""
        merged = dict(row) | self.set
        for column, day in self.earliest.items():
            merged[column] = day if merged.get(column) is None else min(merged[column], day)
        for column, amount in self.add.items():
            merged[column] = (merged.get(column) or 0) + amount
        for column, per_key in self.earliest_by_key.items():
            stored = {k: date.fromisoformat(v) for k, v in (merged.get(column) or {}).items()}
            for key, day in per_key.items():
                stored[key] = min(stored.get(key, day), day)
            merged[column] = {k: v.isoformat() for k, v in sorted(stored.items())}
        for name, (order, values) in self.newest.items():
            columns = order_of[name]
            stored_order = tuple(merged.get(c) for c in columns)
            if None in stored_order or order > stored_order:
                merged |= values
        evidence = {k: list(v) for k, v in (merged.get("evidence") or {}).items()}
        for role, ids in self.evidence.items():
            known = evidence.setdefault(role, [])
            known.extend(i for i in ids if i not in known)
        merged["evidence"] = evidence
        return merged


@dataclass
class Batch:
    """Everything one poll batch changes, per table; `touched_*` say what to recompute."""

    rows: dict[str, dict[tuple[Any, ...], Row]] = field(default_factory=dict)
    gone: dict[str, dict[tuple[Any, ...], Row]] = field(default_factory=dict)
    patches: dict[str, dict[str, Patch]] = field(default_factory=dict)
    roll_calls: dict[str, tuple[Row, str]] = field(default_factory=dict)
    positions: dict[str, int] = field(default_factory=dict)
    touched_units: set[str] = field(default_factory=set)
    touched_members: set[str] = field(default_factory=set)
    exemption_changes: set[str] = field(default_factory=set)
    touched_resolutions: set[str] = field(default_factory=set)

    def put(self, table: str, key: tuple[Any, ...], row: Row) -> None:
        self.gone.get(table, {}).pop(key, None)
        self.rows.setdefault(table, {})[key] = row

    def delete(self, table: str, key: tuple[Any, ...], row: Row) -> None:
        """The row under `key` goes (`row`: its key and cell columns), unless put again."""
        self.rows.get(table, {}).pop(key, None)
        self.gone.setdefault(table, {})[key] = row

    def patch(self, table: str, key: str) -> Patch:
        return self.patches.setdefault(table, {}).setdefault(key, Patch())

    def saw(self, source: str, position: int | None) -> None:
        if position is not None:
            self.positions[source] = max(self.positions.get(source, 0), position)
