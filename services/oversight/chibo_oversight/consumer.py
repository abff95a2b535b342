"""Entry point of the consumer (group "oversight") of members.events and meetings.events: keeps
the local copy of the tree, positions and meetings, and derives visits from roll calls."""

from __future__ import annotations

import logging

from chibo_eventsourcing.runtime import LoopWorker, run_until_signalled
from chibo_oversight.bootstrap import bootstrap
from chibo_oversight.config import Settings


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    service = bootstrap(Settings.from_env())
    run_until_signalled(LoopWorker("oversight-consumer", service.run_consumer))


if __name__ == "__main__":
    main()
