"""Import jobs and their rejected rows: operational records in the service's database (not events;
the events are what the accepted rows appended)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from chibo_eventsourcing.sql.engine import read_connection
from chibo_eventsourcing.sql.tables import Position

STALE_AFTER_SECONDS = 300  # a running job silent this long died with its process


@dataclass(frozen=True)
class Rejection:
    row: int
    field: str
    reason: str


@dataclass
class Tally:
    """What one batch of rows did."""

    read: int = 0
    accepted: int = 0
    unchanged: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    position: int = 0

    @property
    def rejected_rows(self) -> int:
        return len({r.row for r in self.rejections})


def define_import_tables(metadata: sa.MetaData) -> tuple[sa.Table, sa.Table]:
    jobs = sa.Table(
        "import_jobs",
        metadata,
        sa.Column("job_id", sa.String(36), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("filename", sa.String(300)),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("idempotency_key", sa.String(200)),
        sa.Column("content_sha256", sa.String(64)),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("rows_read", sa.Integer, nullable=False, default=0),
        sa.Column("accepted", sa.Integer, nullable=False, default=0),
        sa.Column("unchanged", sa.Integer, nullable=False, default=0),
        sa.Column("rejected", sa.Integer, nullable=False, default=0),
        sa.Column("position", Position, nullable=False, default=0),
        sa.Column("error", sa.Text),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
        sa.Column("finished_at", sa.String(40)),
        sa.UniqueConstraint("actor", "idempotency_key", name="uq_import_jobs_key"),
    )
    rejections = sa.Table(
        "import_rejections",
        metadata,
        sa.Column("job_id", sa.String(36), primary_key=True),
        sa.Column("row", sa.Integer, primary_key=True),
        sa.Column("field", sa.String(100), primary_key=True),
        sa.Column("reason", sa.Text, nullable=False),
    )
    return jobs, rejections


def _now() -> str:
    return datetime.now(UTC).isoformat()


class ImportJobs:
    def __init__(self, engine: sa.Engine, jobs: sa.Table, rejections: sa.Table) -> None:
        self.engine = engine
        self.jobs = jobs
        self.rejections = rejections

    def create(
        self,
        job_id: str,
        kind: str,
        *,
        filename: str | None,
        actor: str,
        idempotency_key: str | None = None,
        content_sha256: str | None = None,
    ) -> None:
        now = _now()
        with self.engine.begin() as conn:
            conn.execute(
                sa.insert(self.jobs).values(
                    job_id=job_id,
                    kind=kind,
                    filename=filename,
                    actor=actor,
                    idempotency_key=idempotency_key,
                    content_sha256=content_sha256,
                    status="queued",
                    rows_read=0,
                    accepted=0,
                    unchanged=0,
                    rejected=0,
                    position=0,
                    created_at=now,
                    updated_at=now,
                )
            )

    def by_key(self, actor: str, key: str) -> dict[str, Any] | None:
        query = sa.select(self.jobs).where(
            self.jobs.c.actor == actor, self.jobs.c.idempotency_key == key
        )
        with read_connection(self.engine) as conn:
            row = conn.execute(query).mappings().first()
        return dict(row) if row else None

    def record(self, conn: sa.Connection, job_id: str, tally: Tally) -> None:
        """Add a batch's counts and rejections, in the batch's own transaction."""
        jobs = self.jobs
        # Batches run one after another, so a later batch's position is the higher one.
        position = {"position": tally.position} if tally.position else {}
        conn.execute(
            sa.update(jobs)
            .where(jobs.c.job_id == job_id)
            .values(
                status="running",
                rows_read=jobs.c.rows_read + tally.read,
                accepted=jobs.c.accepted + tally.accepted,
                unchanged=jobs.c.unchanged + tally.unchanged,
                rejected=jobs.c.rejected + tally.rejected_rows,
                updated_at=_now(),
                **position,
            )
        )
        if tally.rejections:
            conn.execute(
                sa.insert(self.rejections),
                [
                    {"job_id": job_id, "row": r.row, "field": r.field, "reason": r.reason}
                    for r in tally.rejections
                ],
            )

    def finish(self, job_id: str, status: str, error: str | None = None) -> None:
        now = _now()
        with self.engine.begin() as conn:
            conn.execute(
                sa.update(self.jobs)
                .where(self.jobs.c.job_id == job_id)
                .values(
                    status=status,
                    error=error,
                    updated_at=now,
                    finished_at=now,
                )
            )

    def find(
        self, job_id: str, rejected_offset: int = 0, rejected_limit: int = 100
    ) -> dict[str, Any] | None:
        rejections = self.rejections
        with read_connection(self.engine) as conn:
            row = (
                conn.execute(sa.select(self.jobs).where(self.jobs.c.job_id == job_id))
                .mappings()
                .first()
            )
            if row is None:
                return None
            rejected = (
                conn.execute(
                    sa.select(rejections.c.row, rejections.c.field, rejections.c.reason)
                    .where(rejections.c.job_id == job_id)
                    .order_by(rejections.c.row, rejections.c.field)
                    .limit(rejected_limit + 1)
                    .offset(rejected_offset)
                )
                .mappings()
                .all()
            )
        return _job_body(dict(row), [dict(r) for r in rejected], rejected_offset, rejected_limit)


def _job_body(
    row: dict[str, Any], rejected: Sequence[dict[str, Any]], offset: int, limit: int
) -> dict[str, Any]:
    status = row["status"]
    silent = datetime.now(UTC) - datetime.fromisoformat(row["updated_at"])
    if status in ("queued", "running") and silent.total_seconds() > STALE_AFTER_SECONDS:
        status = "interrupted"
    return {
        "id": row["job_id"],
        "kind": row["kind"],
        "filename": row["filename"],
        "actor": row["actor"],
        "status": status,
        "rows_read": row["rows_read"],
        "accepted": row["accepted"],
        "unchanged": row["unchanged"],
        "rejected": row["rejected"],
        "position": row["position"] or None,
        "error": row["error"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
        "finished_at": row["finished_at"],
        "rejected_rows": list(rejected[:limit]),
        "rejected_rows_next_offset": offset + limit if len(rejected) > limit else None,
    }
