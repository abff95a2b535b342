"""`chibo permissions`: the permission matrix of every installed service, as Markdown tables.

`--write docs/SECURITY.md` puts each service's table between its markers in that file (adding
the markers for a service that has none), so the document shows exactly what the services
enforce; a test compares the two.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from chibo_cli.run import SERVICES
from chibo_web.permissions import PLATFORM_PERMISSIONS, Permissions, markdown_table

PLATFORM = "platform"  # the routes every service app serves beside its own
END = "<!-- permission-matrix:end -->"


def add_parser(commands: Any) -> None:
    parser = commands.add_parser("permissions", help="print which roles may call which endpoint")
    parser.add_argument("--write", type=Path, help="replace the matrix sections of this file")
    parser.set_defaults(handler=handle)


def handle(arguments: argparse.Namespace) -> int:
    tables = render()
    if arguments.write is None:
        sys.stdout.write("\n".join(tables.values()))
        return 0
    text = arguments.write.read_text(encoding="utf-8")
    arguments.write.write_text(write(text, tables), encoding="utf-8")
    return 0


def matrices(names: Iterable[str] = SERVICES) -> dict[str, Permissions]:
    """Each installed service's `PERMISSIONS` (declared beside `create_app`); a service with
    none refuses every route and has no table."""
    found: dict[str, Permissions] = {}
    for name in names:
        if importlib.util.find_spec(f"chibo_{name}") is None:
            continue
        permissions = getattr(importlib.import_module(f"chibo_{name}.app"), "PERMISSIONS", None)
        if permissions is not None:
            found[name] = permissions
    return found


def render() -> dict[str, str]:
    """One Markdown table per service, the platform's first."""
    every = {PLATFORM: PLATFORM_PERMISSIONS, **matrices()}
    return {name: markdown_table({name: permissions}) for name, permissions in every.items()}


def markers(name: str) -> tuple[str, str]:
    return f"<!-- matrix:{name} -->", f"<!-- /matrix:{name} -->"


def section(text: str, name: str) -> str | None:
    """The generated table of one service in a document, None when it has none."""
    start, end = markers(name)
    if start not in text:
        return None
    return text[text.index(start) + len(start) : text.index(end)].strip("\n") + "\n"


def write(text: str, tables: dict[str, str]) -> str:
    for name, table in tables.items():
        start, end = markers(name)
        if start not in text:
            text = text.replace(END, f"### {name}\n\n{start}\n{end}\n\n{END}")
        before, after = text[: text.index(start) + len(start)], text[text.index(end) :]
        text = f"{before}\n{table}{after}"
    return text
