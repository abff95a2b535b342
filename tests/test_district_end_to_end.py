"""A generated district goes in through the four services' HTTP APIs; every report the reporting
service then gives equals the ground truth the generator computed on its own.

The services run in this process as `chibo run` wires them (every API, relay and consumer, one
data folder), answering through a WSGI test client. The Kafka variant is the issue's test: a
district of about 50 cells over 2024 and 2025 (the July 2025 restructuring included) on a real
broker, with the reporting read models on a real PostgreSQL server as in production; the SQLite
variant is a smaller district over 2025 on the embedded log.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import date
from pathlib import Path

import pytest

from bench.province.compare import Coverage, Outcome, check_all
from bench.province.config import Config
from bench.province.driver import Driver, InProcess
from bench.province.generator import generate
from bench.province.truth import expected

SECRET = "district-end-to-end-secret-0123456789abcdef"


def run_district(config: Config, env: Mapping[str, str], coverage: Coverage,
                 wait_seconds: float) -> Outcome:
    """Write the plan, wait (bounded) for the consumers, compare every report; print the
    timings and the mismatch table."""
    started = time.monotonic()
    plan = generate(config)
    truth = expected(plan)
    harness = InProcess(env)
    harness.start()
    try:
        driver = Driver(plan, harness, wait_seconds=wait_seconds)
        driver.write()
        written = time.monotonic()
        outcome = check_all(truth, harness, driver.positions, coverage,
                            wait_seconds=wait_seconds)
    finally:
        harness.stop()
    print(f"\n{config}\nplan: {plan.summary()}\nwrites: {dict(driver.counts)} in "
          f"{written - started:.1f}s {({k: round(v, 1) for k, v in driver.seconds.items()})}\n"
          f"reports: {dict(outcome.checked)} in {outcome.seconds:.1f}s\n{outcome.table()}")
    return outcome


def _env(tmp_path: Path, **more: str) -> dict[str, str]:
    return {"CHIBO_DATA_DIR": str(tmp_path / "data"), "CHIBO_JWT_SECRET": SECRET, **more}


@pytest.mark.slow
def test_a_small_district_reports_its_ground_truth_on_sqlite_and_the_embedded_log(tmp_path):
    config = Config(seed=11, cells=8, members=240, start=date(2025, 1, 1),
                    end=date(2025, 12, 31), late_exemptions=1)
    outcome = run_district(config, _env(tmp_path, CHIBO_BUS="embedded"),
                           Coverage(unit_periods=("quarter", "year"), member_sample=5),
                           wait_seconds=60)
    assert outcome.checked["cell"] > 8 * 12
    assert not outcome.mismatches, outcome.table()


@pytest.mark.slow
@pytest.mark.kafka
@pytest.mark.postgres
def test_a_district_over_two_years_reports_its_ground_truth_through_kafka_and_postgresql(
    tmp_path, kafka_bootstrap_servers, fresh_postgres_url, unique_name
):
    config = Config(seed=2024, id_salt=unique_name, cells=48, members=1440)
    env = _env(tmp_path, CHIBO_BUS="kafka", KAFKA_BOOTSTRAP_SERVERS=kafka_bootstrap_servers,
               KAFKA_PARTITIONS="3", REPORTING_DATABASE_URL=fresh_postgres_url)
    outcome = run_district(config, env, Coverage(unit_periods=("quarter", "year")),
                           wait_seconds=180)
    assert outcome.checked["cell"] > 48 * 30
    assert not outcome.mismatches, outcome.table()
