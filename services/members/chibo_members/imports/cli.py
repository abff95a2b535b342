"""`python -m chibo_members.imports FILE --kind members`: import a file from the command line.

Runs in the foreground through the same runner as `POST /imports`, prints progress to stderr
and the job's report as JSON; exits 0 when every row was accepted or already there, 1 when
rows were rejected, 2 when the file could not be read.
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

from chibo_members.bootstrap import bootstrap
from chibo_members.config import Settings
from chibo_web.auth import WHOLE_TREE, Caller


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="chibo-members-import", description=__doc__.splitlines()[0]
    )
    parser.add_argument("file", type=Path, help="a CSV (UTF-8) or XLSX file")
    parser.add_argument("--kind", required=True, choices=("units", "members"))
    parser.add_argument(
        "--actor", default="import-cli", help="recorded as the actor of every event"
    )
    arguments = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    imports = bootstrap(Settings.from_env()).imports
    operator = Caller(sub=arguments.actor, roles=frozenset({"admin"}), scope=(WHOLE_TREE,))
    job_id = imports.start(
        arguments.file, arguments.kind, operator, filename=arguments.file.name, background=False
    )
    report = imports.find(job_id, limit=1000)
    assert report is not None
    print(json.dumps(report, ensure_ascii=False, indent=2))
    return 2 if report["status"] != "completed" else 1 if report["rejected"] else 0
