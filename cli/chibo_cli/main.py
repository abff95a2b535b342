"""Entry point of the `chibo` command; each subcommand lives in a module of its own."""

from __future__ import annotations

import argparse
import logging
import sys

from chibo_cli import imports, permissions, run, token


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="chibo", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run.add_parser(commands)
    token.add_parser(commands)
    imports.add_parser(commands)
    permissions.add_parser(commands)
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["import"]:
        # The import command parses its own options (FILE --kind …, --help).
        return imports.run(argv[1:])
    arguments = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    result: int = arguments.handler(arguments)
    return result


if __name__ == "__main__":
    sys.exit(main())
