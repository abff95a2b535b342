"""`python -m chibo_members.relay`: publishes the members events to `members.events`."""

from __future__ import annotations

import logging

from chibo_eventsourcing.runtime import run_until_signalled
from chibo_members.bootstrap import bootstrap
from chibo_members.config import Settings


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    (relay,) = bootstrap(Settings.from_env()).workers()
    run_until_signalled(relay)


if __name__ == "__main__":
    main()
