# mypy: disable-error-code="untyped-decorator"
# (flask-smorest's decorators carry no type hints)
"""`/imports`: bulk imports of unit and member files (CSV or XLSX) as background jobs."""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

from flask import request

from chibo_members.api import Answer, caller, service
from chibo_members.domain.errors import AccessError, NotFoundError
from chibo_members.imports.readers import XLSX_MIME, FileFormatError
from chibo_members.schemas import inputs, outputs
from chibo_web.problems import ProblemError
from chibo_web.routes import Blueprint

blp = Blueprint("imports", __name__, url_prefix="/imports", description="Bulk imports")
RAW_TYPES = frozenset({"text/csv", "text/plain", "application/octet-stream", XLSX_MIME})
FORM_TYPES = frozenset({"multipart/form-data", "application/x-www-form-urlencoded"})
WAIT_SECONDS = 1.0  # a small file is often done by then, and the answer shows it finished


@blp.before_request
def allow_large_files() -> None:
    """Files may be far larger than the 1 MB every other request is held to."""
    request.max_content_length = service().settings.import_max_bytes


@blp.route("", methods=["POST"])
@blp.arguments(inputs.ImportQuerySchema, location="query")
@blp.response(202, outputs.ImportJobSchema)
@blp.doc(
    description="The file comes as the raw body (`text/csv` or the XLSX type, `kind` in the "
    "query) or as the `file` part of a multipart form (`kind` in the query or the form)."
)
def start_import(args: dict[str, Any]) -> Answer:
    """Start importing a file of `units` or `members`; `GET /imports/{id}` follows the job."""
    kind, upload, filename = _upload(args)
    path, sha256 = service().imports.spool(upload)
    return _start(path, sha256, kind, filename)


@blp.route("/<job_id>", methods=["GET"])
@blp.arguments(inputs.ImportJobQuerySchema, location="query")
@blp.response(200, outputs.ImportJobSchema)
def get_import(args: dict[str, Any], job_id: str) -> Answer:
    """Progress, counts and rejected rows (row, field, reason) of an import job."""
    job = service().imports.find(job_id, args["rejected_offset"], args["rejected_limit"])
    if caller().whole_tree and job is None:
        raise NotFoundError(f"no import job {job_id}")
    if job is None or not (caller().whole_tree or job["actor"] == caller().sub):
        # The same answer when there is no such job, so a scoped token cannot probe for ids.
        raise AccessError(f"import job {job_id} is not one of yours")
    return job, 200, _position(job)


def _upload(args: dict[str, Any]) -> tuple[str, IO[bytes], str | None]:
    form = request.form if request.mimetype in FORM_TYPES else {}
    kind = args["kind"] or form.get("kind")
    if kind not in ("units", "members"):
        raise ProblemError(
            422,
            "say which kind of file this is",
            errors={"kind": ["Must be one of: units, members."]},
        )
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            raise ProblemError(
                422, "the form has no `file` part", errors={"file": ["Missing file."]}
            )
        return kind, upload.stream, upload.filename
    if request.mimetype not in RAW_TYPES:
        raise ProblemError(
            415, f"send text/csv, {XLSX_MIME} or a multipart form, not {request.mimetype!r}"
        )
    return kind, request.stream, None


def _start(path: Path, sha256: str, kind: str, filename: str | None) -> Answer:
    imports, key = service().imports, request.headers.get("Idempotency-Key")
    previous = imports.jobs.by_key(caller().sub, key) if key else None
    if previous is not None:
        path.unlink(missing_ok=True)
        return _replay(previous, sha256)
    try:
        imports.check(path, kind)
    except FileFormatError as exc:
        path.unlink(missing_ok=True)
        raise ProblemError(
            422, f"the file cannot be imported: {exc}", errors={"file": [str(exc)]}
        ) from exc
    job_id = imports.start(
        path, kind, caller(), filename=filename, key=key, sha256=sha256, wait_seconds=WAIT_SECONDS
    )
    return _answer(job_id, 202)


def _replay(previous: dict[str, Any], sha256: str) -> Answer:
    """The same key and file answer the first job again; another file with the key is a 422."""
    if previous["content_sha256"] != sha256:
        raise ProblemError(
            422,
            "this Idempotency-Key was already used with a different file",
            title="Idempotency key reused",
        )
    return _answer(previous["job_id"], 202)


def _answer(job_id: str, status: int) -> Answer:
    job = service().imports.find(job_id)
    assert job is not None, "the job was just created"
    return job, status, {"Location": f"/imports/{job_id}", **_position(job)}


def _position(job: dict[str, Any]) -> dict[str, str]:
    if job["status"] not in ("completed", "failed"):
        return {}
    position = job["position"] or service().store.last_position()
    return {"Chibo-Position": f"{service().store.source}:{position}"} if position else {}
