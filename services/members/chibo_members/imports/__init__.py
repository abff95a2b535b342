"""Bulk imports of unit and member files (CSV, XLSX), streamed row by row; `main` is the CLI."""

from __future__ import annotations


def main(argv: list[str] | None = None) -> int:
    """`python -m chibo_members.imports FILE --kind units|members` (see `imports.cli`)."""
    # Imported here: the CLI builds the whole service, which itself uses this package.
    from chibo_members.imports.cli import main as run_cli

    return run_cli(argv)
