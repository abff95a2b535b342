"""Write a synthetic district or province into a running Chibo, then check every report.

    chibo run &                       # or any deployment serving the four APIs on one address
    .venv/bin/python -m bench.province --base-url http://127.0.0.1:8080 \\
        --token "$(.venv/bin/chibo token --sub driver --role admin --scope '*')" --cells 20

Writes that depend on data a service consumed from another (a roll call needs the meetings
service's copy of the roll) are retried for a while, since from outside nobody can tell
whether the consumers caught up. With --check, every report is then compared with the plan's
ground truth and the mismatch table printed (the exit status says whether there were any).
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date

from bench.province.compare import Coverage, check_all
from bench.province.config import Config
from bench.province.driver import Driver, Remote
from bench.province.generator import generate
from bench.province.truth import expected


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--token", required=True, help="an admin token with scope '*'")
    parser.add_argument("--cells", type=int, default=50)
    parser.add_argument("--members", type=int, default=0, help="default: 30 per cell")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--salt", default="", help="another salt gives other ids, same story")
    parser.add_argument("--start", type=date.fromisoformat, default=date(2024, 1, 1))
    parser.add_argument("--end", type=date.fromisoformat, default=date(2025, 12, 31))
    parser.add_argument("--check", action="store_true", help="compare every report")
    args = parser.parse_args(argv)
    config = Config(seed=args.seed, id_salt=args.salt, cells=args.cells,
                    members=args.members or 30 * args.cells, start=args.start, end=args.end)
    plan = generate(config)
    print(f"plan: {plan.summary()}", flush=True)
    started = time.monotonic()
    driver = Driver(plan, Remote(args.base_url, args.token), retry_seconds=120)
    driver.write()
    print(f"writes: {dict(driver.counts)} in {time.monotonic() - started:.0f} s", flush=True)
    print(f"last positions: {driver.positions}")
    if not args.check:
        return 0
    outcome = check_all(expected(plan), driver.transport, driver.positions, Coverage())
    print(outcome.table())
    return 1 if outcome.mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
