"""Entry point of reporting's outbox relay process (`reporting.events`)."""

from __future__ import annotations

import logging

from chibo_eventsourcing.runtime import run_until_signalled
from chibo_reporting.bootstrap import bootstrap
from chibo_reporting.config import Settings


def main() -> None:
    logging.basicConfig(level=logging.INFO)
    run_until_signalled(bootstrap(Settings.from_env()).relay_worker())


if __name__ == "__main__":
    main()
