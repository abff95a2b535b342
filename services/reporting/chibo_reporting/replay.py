"""Replay: rebuild the read models from offset 0 into fresh tables and compare checksums.

`python -m chibo_reporting.replay [--database-url URL | --prefix replay_] [--keep]` rebuilds
into a fresh database (URL) or into prefixed tables beside the live ones (the default), with a
consumer group of its own, then compares each table's checksum with the live model. Run it
while the live projector is caught up (or stopped): the live model is read as it is then.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from chibo_contracts.canonical import canonical_json
from chibo_contracts.catalog import public_registry
from chibo_eventsourcing.bus import Bus
from chibo_eventsourcing.consumer import ConsumerRunner
from chibo_eventsourcing.sql import ownership
from chibo_eventsourcing.sql.engine import create_engine, read_connection
from chibo_eventsourcing.sql.tables import define_plumbing
from chibo_reporting.bootstrap import TOPICS, ReportingService, bootstrap
from chibo_reporting.config import Settings
from chibo_reporting.projections import GROUP, ReportingProjection
from chibo_reporting.read_models import ReadModel, define_read_model


@dataclass(frozen=True)
class ReplayResult:
    live: dict[str, str]
    rebuilt: dict[str, str]
    events: int
    seconds: float
    writer_process: bool = False  # batches written from a second process (PostgreSQL default)

    @property
    def equal(self) -> bool:
        return self.live == self.rebuilt

    @property
    def differing(self) -> list[str]:
        return sorted(t for t in self.live if self.live[t] != self.rebuilt.get(t))

    def to_json(self) -> dict[str, Any]:
        return {"equal": self.equal, "differing": self.differing, "events": self.events,
                "seconds": round(self.seconds, 3),
                "writer_process": self.writer_process, "live": self.live, "rebuilt": self.rebuilt}


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def checksums(engine: sa.Engine, model: ReadModel) -> dict[str, str]:
    """SHA-256 per table over its rows in key order (names without the prefix)."""
    sums = {}
    with read_connection(engine) as conn:
        for field_name, table in model.facts().items():
            digest = hashlib.sha256()
            query = sa.select(table).order_by(*table.primary_key.columns)
            for row in conn.execute(query.execution_options(yield_per=1000)):
                plain = {k: _plain(v) for k, v in row._mapping.items()}
                digest.update(canonical_json(plain) + b"\n")
            sums[field_name] = digest.hexdigest()
    return sums


def _positions(engine: sa.Engine, model: ReadModel) -> dict[str, int]:
    with read_connection(engine) as conn:
        return {r.source: int(r.position) for r in conn.execute(sa.select(model.positions))}


def rebuild(service: ReportingService, *, database_url: str | None = None,
            prefix: str = "replay_", keep: bool = False, deadline_s: float = 3600.0,
            bus: Bus | None = None) -> ReplayResult:
    """Project every topic from offset 0 into fresh tables and compare them with the live ones."""
    if database_url == service.settings.database_url or (not database_url and not prefix):
        raise ValueError("a replay never writes over the live tables: give a prefix or a new URL")
    started = time.monotonic()
    engine = create_engine(database_url) if database_url else service.engine
    metadata = sa.MetaData()
    plumbing = define_plumbing(metadata)
    prefix = "" if database_url else prefix
    model = define_read_model(metadata, prefix)
    for table in reversed(model.all()):
        table.drop(engine, checkfirst=True)
    metadata.create_all(engine)
    group = f"{GROUP}-replay-{uuid.uuid4().hex[:8]}"
    child_writer = service.child_writer(engine, group, prefix)
    runner: ConsumerRunner[Any] = ConsumerRunner(
        engine=engine, tables=plumbing, bus=bus or service.bus, group=group, topics=TOPICS,
        projection=ReportingProjection(model), registry=public_registry(),
        batch_size=service.settings.batch_size, poll_timeout=0.2,
        child_writer=child_writer,
    )
    target = _positions(service.engine, service.model)
    events = 0
    runner.open()
    try:
        while time.monotonic() - started < deadline_s:
            report = runner.run_once()
            events += report.applied
            reached = _positions(engine, model)
            if not report.polled and all(reached.get(s, 0) >= p for s, p in target.items()):
                break
    finally:
        runner.close()
    result = ReplayResult(checksums(service.engine, service.model), checksums(engine, model),
                          events, time.monotonic() - started, child_writer is not None)
    ownership.forget(engine, plumbing, group)
    if not keep and not database_url:
        for table in reversed(model.all()):
            table.drop(engine, checkfirst=True)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m chibo_reporting.replay",
                                     description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--database-url", help="rebuild into this (fresh) database")
    parser.add_argument("--prefix", default="replay_", help="table prefix beside the live model")
    parser.add_argument("--keep", action="store_true", help="keep the rebuilt tables")
    arguments = parser.parse_args(argv)
    service = bootstrap(Settings.from_env())
    result = rebuild(service, database_url=arguments.database_url, prefix=arguments.prefix,
                     keep=arguments.keep)
    json.dump(result.to_json(), sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0 if result.equal else 1


if __name__ == "__main__":
    sys.exit(main())
