"""What each audited stream is about: the units (and days) whose reach decides who may read it.

members: a unit's stream is about the unit (on the days its place in the tree changed), a
member's about the cells on whose roll they were; meetings: the meeting's cell on its day;
oversight: an assignment's unit on its first day, a visit's (withdrawn too) or review case's
cell on its day;
reporting: a rulebook series governs its unit and everything below it. A stream reporting
cannot place (no read model knows it) is for whole-tree tokens only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from chibo_eventsourcing.sql.keys import one_of
from chibo_reporting.access import Place
from chibo_reporting.domain import STREAM_PREFIX
from chibo_reporting.read_models import ReadModel

Found = defaultdict[str, list[Place]]


class Subjects:
    """Places of streams, looked up one at a time or, for a whole source, all at once."""

    def __init__(self, conn: sa.Connection, model: ReadModel) -> None:
        self.conn = conn
        self.model = model
        self._loaded: dict[str, Found] = {}

    def places(self, source: str, stream_id: str) -> list[Place]:
        if source in self._loaded:
            return self._loaded[source].get(stream_id, [])
        return self._lookup(source, [stream_id]).get(stream_id, [])

    def preload(self, source: str, units: Collection[str] | None = None) -> None:
        """Place every stream of `source` with one read per table (for a verification); with
        `units`, only its places on those units (a stream placed elsewhere only is left out)."""
        self._loaded[source] = self._lookup(source, None, units)

    def streams(self, source: str) -> list[str]:
        """The streams of a preloaded `source` that reporting can place (in no order)."""
        return list(self._loaded[source])

    def _lookup(self, source: str, ids: list[str] | None,
                units: Collection[str] | None = None) -> Found:
        found: Found = defaultdict(list)
        lookup = {"members": self._members, "meetings": self._meetings,
                  "oversight": self._oversight, "reporting": self._rulebooks}.get(source)
        if lookup is not None:
            lookup(found, _Wanted(ids, units))
        return found

    def _members(self, found: Found, wanted: _Wanted) -> None:
        for r in self._rows(self.model.unit_spans, "unit_id", wanted, "unit_id", "valid_from"):
            found[r.unit_id].append(Place(r.unit_id, (r.valid_from,)))
        for r in self._rows(self.model.membership_spans, "member_id", wanted, "cell_id",
                            "cell_id", "valid_from", "valid_to"):
            if r.cell_id is not None:
                found[r.member_id].append(Place(r.cell_id, _span_days(r)))

    def _meetings(self, found: Found, wanted: _Wanted) -> None:
        for r in self._rows(self.model.meetings, "meeting_id", wanted, "cell_id",
                            "cell_id", "held_on", "scheduled_on"):
            if r.cell_id is not None:
                days = tuple(d for d in (r.held_on, r.scheduled_on) if d is not None)
                found[r.meeting_id].append(Place(r.cell_id, days))

    def _oversight(self, found: Found, wanted: _Wanted) -> None:
        m = self.model
        for table, key, unit, day in ((m.assignments, "assignment_id", "unit_id", "from_date"),
                                      (m.visits, "visit_id", "cell_id", "visited_on"),
                                      (m.withdrawn_visits, "visit_id", "cell_id", "visited_on"),
                                      (m.reviews, "review_id", "cell_id", "reminded_on")):
            for r in self._rows(table, key, wanted, unit, unit, day):
                place, on = getattr(r, unit), getattr(r, day)
                if place is not None:
                    found[getattr(r, key)].append(Place(place, () if on is None else (on,)))

    def _rulebooks(self, found: Found, wanted: _Wanted) -> None:
        # A rulebook series is seen from below its unit too: never narrowed by `units`.
        ids = wanted.ids
        units = None if ids is None else [i.removeprefix(STREAM_PREFIX) for i in ids
                                          if i.startswith(STREAM_PREFIX)]
        for r in self._rows(self.model.rulebooks, "unit_id", _Wanted(units)):
            found[f"{STREAM_PREFIX}{r.unit_id}"] = [Place(r.unit_id, governs=True)]

    def _rows(self, table: sa.Table, key: str, wanted: _Wanted, place: str | None = None,
              *columns: str) -> list[Any]:
        """The rows `wanted` names by `key`, or by their `place` column; with their key and
        `columns` (none: every column)."""
        query = sa.select(table.c[key], *(table.c[c] for c in columns)) if columns else (
            sa.select(table))
        if wanted.ids is not None:
            column, values = table.c[key], wanted.ids
        elif wanted.units is not None and place is not None:
            column, values = table.c[place], wanted.units
        else:
            return list(self.conn.execute(query))
        return [row for condition in one_of(self.conn, column, values)
                for row in self.conn.execute(query.where(condition))]


@dataclass(frozen=True)
class _Wanted:
    """Which rows to place: those of stream `ids`, else those on `units`, else all."""

    ids: Collection[str] | None = None
    units: Collection[str] | None = None


def _span_days(row: Any) -> tuple[date, ...]:
    """The first and the last day of a span on a cell's roll (`valid_to` is the day after)."""
    last = row.valid_to - timedelta(days=1) if row.valid_to is not None else row.valid_from
    return (row.valid_from, max(last, row.valid_from))
