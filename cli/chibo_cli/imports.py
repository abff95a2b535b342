"""`chibo import FILE --kind units|members`: the members service's bulk import, from a shell."""

from __future__ import annotations

from typing import Any


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "import",
        help="import a CSV or XLSX file of units or members (see services/members/README.md)",
        add_help=False,
    )
    parser.add_argument("arguments", nargs="...", help="FILE --kind units|members [options]")
    parser.set_defaults(handler=handle)


def handle(arguments: Any) -> int:
    return run(list(arguments.arguments))


def run(argv: list[str]) -> int:
    from chibo_members.imports import main as import_main

    result: int = import_main(argv)
    return result
