"""The audit trail: every consumed envelope as received, and its hash chains checked again."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

import sqlalchemy as sa

from chibo_contracts.canonical import canonical_json
from chibo_contracts.envelope import HASHED_ATTRIBUTES, chain_hash, verify_chain
from chibo_eventsourcing.sql.keys import one_of
from chibo_reporting.projections import SOURCES
from chibo_reporting.queries.reports import NotFoundError
from chibo_reporting.read_models import ReadModel

_COLUMNS = tuple((name, "event_id" if name == "id" else name) for name in HASHED_ATTRIBUTES)


class StoredEvent:
    """An event of the trail as stored, for the check of its chain. Its hash is first computed
    over the data's text as it arrived, the canonical form Chibo's producers hash, so that the
    data is neither parsed nor serialized again (more than half of the cost of verifying a
    source, 1.3 million events for a province's meetings in a year); text in another layout is
    then hashed in its canonical form, as the chain is defined."""

    __slots__ = ("_attributes", "_data", "hash", "prev_hash", "stream_id", "stream_version")

    def __init__(self, row: Any) -> None:
        r = row._mapping
        self.stream_id: str = r["stream_id"]
        self.stream_version: int = r["stream_version"]
        self.prev_hash: str = r["prev_hash"]
        self.hash: str = r["hash"]
        self._attributes = {name: r[column] for name, column in _COLUMNS}
        self._data: str = r["data"]

    def computed_hash(self) -> str:
        as_stored = chain_hash(self._attributes, self._data.encode("utf-8"))
        if as_stored == self.hash:
            return as_stored
        try:
            canonical = canonical_json(json.loads(self._data))
        except ValueError:
            return ""  # not JSON: no hash matches it
        return chain_hash(self._attributes, canonical)


Readable = Callable[[str], bool]


def stream_history(conn: sa.Connection, model: ReadModel, stream_id: str,
                   source: str | None = None, readable: Readable | None = None
                   ) -> dict[str, Any]:
    """The stream's events in order, with actor and time, and whether its chain holds;
    `readable(source)` (None: all) says whether the caller may read the stream of a source."""
    table = model.audit_events
    query = sa.select(table).where(table.c.stream_id == stream_id,
                                   table.c.source.in_([source] if source else SOURCES))
    rows = list(conn.execute(query.order_by(table.c.source, table.c.stream_version)))
    if readable is not None:
        sources = {row.source: readable(row.source) for row in rows}
        rows = [row for row in rows if sources[row.source]]
    if not rows:
        raise NotFoundError(f"no stream {stream_id!r} in the audit trail")
    by_source: dict[str, list[Any]] = {}
    for row in rows:
        by_source.setdefault(row.source, []).append(row)
    problems = [p for chain in by_source.values()
                for p in verify_chain([StoredEvent(row) for row in chain])]
    return {
        "stream_id": stream_id, "sources": sorted(by_source),
        "events": [_event_json(row) for row in rows],
        "verified": not problems, "problems": problems,
    }


def _event_json(row: Any) -> dict[str, Any]:
    """An event of a stream's history; `data` null when what is stored is no longer JSON (the
    chain check then reports the event as broken)."""
    try:
        data = json.loads(row.data)
    except ValueError:
        data = None
    return {"id": row.event_id, "source": row.source, "type": row.type,
            "version": row.stream_version, "position": row.position, "time": row.time,
            "actor": row.actor, "correlation_id": row.correlation_id,
            "causation_id": row.causation_id, "data": data, "prev_hash": row.prev_hash,
            "hash": row.hash}


def verify_source(conn: sa.Connection, model: ReadModel, source: str,
                  streams: Iterable[str] | None = None, *, after: str | None = None,
                  limit: int | None = None) -> dict[str, Any]:
    """Re-verify the hash chain of every stream of `source`, one stream at a time; only of
    `streams` when given (a scoped caller's: read by key, not picked out of the whole source).
    A page of it with `after` and `limit`: the first `limit` streams whose id sorts after
    `after`, and `next`, the last of them, while more follow (None once the walk is done)."""
    table = model.audit_events
    stream_id = table.c.stream_id
    query = (sa.select(table).where(table.c.source == source)
             .order_by(stream_id, table.c.stream_version)
             .execution_options(yield_per=1000))
    next_id: str | None = None  # the page's last stream, while more follow
    if streams is None:  # the page's bounds in the database's order of the ids
        query = query.where(*_after(stream_id, after))
        statements = [query]
        if limit is not None:
            found = _stream_ids(conn, table, source, after, limit + 1)
            statements = [query.where(stream_id <= found[:limit][-1])] if found else []
            next_id = found[limit - 1] if len(found) > limit else None
    else:  # the caller's streams, in Python's order of the ids
        chosen = sorted(s for s in streams if after is None or s > after)
        if limit is not None and len(chosen) > limit:
            chosen, next_id = chosen[:limit], chosen[limit - 1]
        statements = [query.where(c) for c in one_of(conn, stream_id, chosen)]
    verified = events = 0
    problems: list[str] = []
    chain: list[StoredEvent] = []
    for statement in statements:  # one_of's keys come sorted: the chains stay in key order
        for row in conn.execute(statement):
            if chain and chain[-1].stream_id != row.stream_id:
                problems += verify_chain(chain)
                chain = []
            if not chain:
                verified += 1
            chain.append(StoredEvent(row))
            events += 1
    problems += verify_chain(chain)
    return {"source": source, "streams": verified, "events": events, "ok": not problems,
            "problems": problems, "next": next_id}


VERIFY_PAGE_MAX = 100_000  # streams a page of a verification may hold


def _stream_ids(conn: sa.Connection, table: sa.Table, source: str, after: str | None,
                count: int) -> list[str]:
    """The ids of the first `count` streams of `source` after `after`."""
    return list(conn.execute(
        sa.select(table.c.stream_id).where(table.c.source == source,
                                           *_after(table.c.stream_id, after))
        .distinct().order_by(table.c.stream_id).limit(count)).scalars())


def _after(column: sa.ColumnElement[str], after: str | None) -> list[sa.ColumnElement[bool]]:
    return [] if after is None else [column > after]
