"""Runs an import: the file's rows in batches, each batch one transaction through the ordinary
command handlers, so an imported row obeys every rule a request does."""

from __future__ import annotations

import hashlib
import itertools
import logging
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, Any

import sqlalchemy as sa

from chibo_eventsourcing.store import ConcurrencyError, Metadata
from chibo_members import access
from chibo_members.domain.errors import AccessError, MembersError
from chibo_members.handlers import HANDLERS
from chibo_members.imports.jobs import ImportJobs, Rejection, Tally
from chibo_members.imports.readers import FileFormatError, Row, open_table
from chibo_members.imports.rows import COLUMN_OF_FIELD, FILE_KINDS, FileKind, RowError
from chibo_members.unit_of_work.sql import SqlUnitOfWork
from chibo_web.auth import Caller

log = logging.getLogger(__name__)


def _chunks(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    iterator = iter(rows)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


class ImportRunner:
    def __init__(
        self,
        unit_of_work: Callable[[Metadata], SqlUnitOfWork],
        jobs: ImportJobs,
        batch_rows: int,
        today: Callable[[], date],
    ) -> None:
        self.unit_of_work = unit_of_work
        self.jobs = jobs
        self.batch_rows = batch_rows
        self.today = today

    def run(self, job_id: str, path: Path, kind: str, caller: Caller) -> None:
        """Import the file; the job's record tells how it went (a bad file fails the job)."""
        try:
            with open_table(path, FILE_KINDS[kind].aliases) as table:
                missing = FILE_KINDS[kind].missing(table.columns)
                if missing:
                    raise FileFormatError(f"missing columns: {', '.join(missing)}")
                self._import(job_id, FILE_KINDS[kind], table.rows, caller)
        except FileFormatError as exc:
            self.jobs.finish(job_id, "failed", str(exc))
        except Exception:
            log.exception("import %s failed", job_id)
            self.jobs.finish(
                job_id, "failed", "an unexpected error stopped the import; it is logged"
            )
        else:
            self.jobs.finish(job_id, "completed")

    def _import(self, job_id: str, kind: FileKind, rows: Iterator[Row], caller: Caller) -> None:
        uow = self.unit_of_work(Metadata(actor=caller.sub, correlation_id=job_id))
        job = _Job(job_id, kind, caller, uow, self.today())
        # A unit whose parent comes later in the file waits for another pass.
        waiting = self._pass(job, rows, first=True)
        while waiting:
            still = self._pass(job, waiting, first=False)
            if len(still) == len(waiting):
                self._pass(job, still, first=False, last=True)
                break
            waiting = still

    def _pass(
        self, job: _Job, rows: Iterable[Row], *, first: bool, last: bool = False
    ) -> list[Row]:
        waiting: list[Row] = []
        for chunk in _chunks(rows, self.batch_rows):
            tally = Tally(read=len(chunk) if first else 0)
            waiting += self._batch(job, chunk, tally, defer=not last)
        return waiting

    def _batch(self, job: _Job, rows: list[Row], tally: Tally, *, defer: bool) -> list[Row]:
        """One transaction for the rows; the rows waiting for a parent are handed back."""
        waiting: list[Row] = []
        uow = job.uow
        try:
            with uow.transaction():
                codes = [(r.values.get("code") or "").strip() for r in rows]
                member_codes = codes if job.kind.name == "members" else []
                uow.prefetch([job.kind.stream_id(r.values) for r in rows], member_codes)
                for row in rows:
                    _apply(job, row, tally, waiting if defer else None)
                tally.position = uow.flush()
                self.jobs.record(uow.conn, job.id, tally)
        except (sa.exc.IntegrityError, ConcurrencyError) as exc:
            # A concurrent request took an id or a code this batch wanted: redo it row by row.
            if len(rows) > 1:
                return [w for r in rows for w in self._batch(job, [r], _single(tally), defer=defer)]
            reason = f"conflicts with a concurrent change: {exc}"
            with uow.store.engine.begin() as conn:
                rejection = Rejection(rows[0].number, "row", reason)
                self.jobs.record(conn, job.id, Tally(read=tally.read, rejections=[rejection]))
            return []
        return waiting


@dataclass(frozen=True)
class _Job:
    """One import under way: its id, its kind of file, who asked, and its unit of work."""

    id: str
    kind: FileKind
    caller: Caller
    uow: SqlUnitOfWork
    today: date


def _apply(job: _Job, row: Row, tally: Tally, waiting: list[Row] | None) -> None:
    """Run one row's command through its handler, or say why the row is rejected."""
    uow = job.uow
    try:
        if row.extra:
            raise RowError({"row": f"has {row.extra} more cells than the header has columns"})
        command = job.kind.command(row.values, uow)
        access.authorise(job.caller, command, uow.find_unit, uow.find_member, job.today)
        is_unit = job.kind.name == "units"
        existed = uow.find_unit(command.unit_id) if is_unit else uow.find_member(command.member_id)
        HANDLERS[type(command)](command, uow)
    except RowError as exc:
        if waiting is not None and set(exc.errors) == {"parent_code"}:
            waiting.append(row)
            return
        errors = exc.errors
        if not job.caller.whole_tree and job.kind.reference in errors:
            errors = errors | _out_of_reach(job, row, errors[job.kind.reference])
        tally.rejections += [Rejection(row.number, f, r) for f, r in errors.items()]
        return
    except AccessError as exc:
        reason = _out_of_reach(job, row, exc.message)
        tally.rejections += [Rejection(row.number, f, r) for f, r in reason.items()]
        return
    except MembersError as exc:
        column = COLUMN_OF_FIELD.get(exc.field or "", exc.field or "row")
        tally.rejections.append(Rejection(row.number, column, exc.message))
        return
    if existed is not None:
        tally.unchanged += 1
    else:
        tally.accepted += 1


def _out_of_reach(job: _Job, row: Row, reason: str) -> dict[str, str]:
    """A scoped caller hears the same about a unit outside its reach and one that is not there
    (`reason` stands when the row names no unit at all)."""
    column = job.kind.reference
    code = (row.values.get(column) or "").strip()
    if not code:
        return {column: reason}
    return {column: f"no unit with code {code!r} in the part of the tree your token covers"}


def _single(tally: Tally) -> Tally:
    return Tally(read=1 if tally.read else 0)


class Imports:
    """Receives files (spooled to disk, never held in memory) and runs them as jobs."""

    def __init__(self, runner: ImportRunner, jobs: ImportJobs, directory: Path) -> None:
        self.runner = runner
        self.jobs = jobs
        self.directory = directory

    def spool(self, stream: IO[bytes]) -> tuple[Path, str]:
        """Copy an upload to a file of its own; return the file and the SHA-256 of its bytes."""
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.directory / f"upload-{uuid.uuid4()}"
        digest = hashlib.sha256()
        try:
            with path.open("wb") as target:
                while block := stream.read(1024 * 1024):
                    digest.update(block)
                    target.write(block)
        except BaseException:  # e.g. the body outgrew the limit half-way
            path.unlink(missing_ok=True)
            raise
        return path, digest.hexdigest()

    def check(self, path: Path, kind: str) -> None:
        """Raise FileFormatError unless the file is readable and has the kind's columns."""
        with open_table(path, FILE_KINDS[kind].aliases) as table:
            missing = FILE_KINDS[kind].missing(table.columns)
        if missing:
            raise FileFormatError(f"missing columns: {', '.join(missing)}")

    def start(
        self,
        path: Path,
        kind: str,
        caller: Caller,
        *,
        filename: str | None = None,
        key: str | None = None,
        sha256: str | None = None,
        background: bool = True,
        wait_seconds: float = 0.0,
    ) -> str:
        """Create the job and run it (in a thread when `background`); the file is removed after."""
        job_id = str(uuid.uuid4())
        self.jobs.create(
            job_id,
            kind,
            filename=filename,
            actor=caller.sub,
            idempotency_key=key,
            content_sha256=sha256,
        )
        if not background:
            self._run(job_id, path, kind, caller)
            return job_id
        # A daemon: a job cut short by the process ending shows as interrupted (see jobs.py),
        # and importing the file again completes it, since imports are idempotent.
        thread = threading.Thread(
            target=self._run,
            args=(job_id, path, kind, caller),
            name=f"import-{job_id}",
            daemon=True,
        )
        thread.start()
        thread.join(wait_seconds)
        return job_id

    def _run(self, job_id: str, path: Path, kind: str, caller: Caller) -> None:
        try:
            self.runner.run(job_id, path, kind, caller)
        finally:
            if path.parent == self.directory:
                path.unlink(missing_ok=True)

    def find(self, job_id: str, offset: int = 0, limit: int = 100) -> dict[str, Any] | None:
        return self.jobs.find(job_id, offset, limit)
