"""Process-level wiring shared by every service: settings from the environment, bus choice, workers.

Switching between the single-machine mode and production is configuration only:
`CHIBO_BUS=embedded` (default; a table-backed log in `CHIBO_DATA_DIR/bus.sqlite3` or
`CHIBO_BUS_DATABASE_URL`) or `CHIBO_BUS=kafka` with `KAFKA_BOOTSTRAP_SERVERS`.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from chibo_eventsourcing.bus import Bus

log = logging.getLogger(__name__)

KAFKA_SECURITY_KEYS = {
    "KAFKA_SECURITY_PROTOCOL": "security_protocol",
    "KAFKA_SASL_MECHANISM": "sasl_mechanism",
    "KAFKA_SASL_USERNAME": "sasl_plain_username",
    "KAFKA_SASL_PASSWORD": "sasl_plain_password",
    "KAFKA_SSL_CAFILE": "ssl_cafile",
    "KAFKA_SSL_CERTFILE": "ssl_certfile",
    "KAFKA_SSL_KEYFILE": "ssl_keyfile",
    "KAFKA_SSL_PASSWORD": "ssl_password",
    "KAFKA_SSL_CRLFILE": "ssl_crlfile",
    "KAFKA_SSL_CHECK_HOSTNAME": "ssl_check_hostname",
}
_KAFKA_FLAGS = frozenset({"ssl_check_hostname"})


def env_flag(env: Mapping[str, str], name: str) -> bool | None:
    """The flag `name` of `env` (true/1/yes or false/0/no, any case), None when unset or empty;
    anything else is refused by name rather than read as false."""
    value = env.get(name, "").strip().lower()
    if not value:
        return None
    if value in ("1", "true", "yes"):
        return True
    if value in ("0", "false", "no"):
        return False
    raise ValueError(f"{name} must be true or false, not {env[name]!r}")


def _optional_int(env: Mapping[str, str], name: str, *, minimum: int) -> int | None:
    """The whole number `name` of `env` (at least `minimum`), None when unset or empty."""
    value = env.get(name, "").strip()
    if not value:
        return None
    if not value.isdigit() or int(value) < minimum:
        raise ValueError(f"{name} must be a whole number of at least {minimum}, not {env[name]!r}")
    return int(value)


def _seconds(env: Mapping[str, str], name: str, *, default: float, most: float = 60.0) -> float:
    """The seconds `name` of `env` (0 to `most`), `default` when unset or empty."""
    value = env.get(name, "").strip()
    if not value:
        return default
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= most:
        raise ValueError(f"{name} must be a number of seconds from 0 to {most:g}, not {value!r}")
    return seconds


def wait_until(done: Callable[[], bool], seconds: float, interval: float = 0.05) -> bool:
    """Ask `done` until it says yes or `seconds` have passed; its last answer."""
    deadline = time.monotonic() + seconds
    while not done():
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)
    return True


def kafka_client_config(env: Mapping[str, str]) -> dict[str, Any]:
    """kafka-python security options from `KAFKA_SECURITY_KEYS` (flags as `true`/`false`)."""
    config: dict[str, Any] = {}
    for name, option in KAFKA_SECURITY_KEYS.items():
        value = env_flag(env, name) if option in _KAFKA_FLAGS else env.get(name)
        if value is not None:
            config[option] = value
    return config


@dataclass(frozen=True)
class PlatformSettings:
    """The settings every service shares (unprefixed environment variables)."""

    data_dir: Path
    bus: str = "embedded"
    bus_database_url: str | None = None
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    kafka_partitions: int = 12
    kafka_replication_factor: int = 1
    kafka_client_config: Mapping[str, Any] = field(default_factory=dict)
    kafka_session_timeout_ms: int | None = None
    # How long a write naming a unit or member the service has not received yet waits for it
    # (it was most likely created a moment ago, elsewhere) before refusing it: no wait unless
    # configured: `CHIBO_REFERENCE_WAIT_SECONDS`, 3 by default when read from the environment.
    reference_wait_seconds: float = 0.0

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> PlatformSettings:
        env = os.environ if env is None else env
        return cls(
            data_dir=Path(env.get("CHIBO_DATA_DIR", "data")).resolve(),
            bus=env.get("CHIBO_BUS", "embedded"),
            bus_database_url=env.get("CHIBO_BUS_DATABASE_URL"),
            kafka_bootstrap_servers=env.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"),
            kafka_partitions=int(env.get("KAFKA_PARTITIONS", "12")),
            kafka_replication_factor=int(env.get("KAFKA_REPLICATION_FACTOR", "1")),
            kafka_client_config=kafka_client_config(env),
            kafka_session_timeout_ms=_optional_int(env, "KAFKA_SESSION_TIMEOUT_MS", minimum=6000),
            reference_wait_seconds=_seconds(env, "CHIBO_REFERENCE_WAIT_SECONDS", default=3.0),
        )

    def database_url(self, service: str, env: Mapping[str, str] | None = None) -> str:
        """`<SERVICE>_DATABASE_URL`, else a SQLite file per service under the data folder."""
        env = os.environ if env is None else env
        explicit = env.get(f"{service.upper()}_DATABASE_URL")
        if explicit:
            return explicit
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{self.data_dir / f'{service}.sqlite3'}"


def build_bus(settings: PlatformSettings) -> Bus:
    if settings.bus == "kafka":
        from chibo_eventsourcing.kafka import KafkaBus

        return KafkaBus(
            settings.kafka_bootstrap_servers,
            replication_factor=settings.kafka_replication_factor,
            client_config=settings.kafka_client_config,
            session_timeout_ms=settings.kafka_session_timeout_ms,
        )
    if settings.bus != "embedded":
        raise ValueError(f"CHIBO_BUS must be 'embedded' or 'kafka', not {settings.bus!r}")
    from chibo_eventsourcing.sql.engine import create_engine
    from chibo_eventsourcing.sql.log import SqlLog

    url = settings.bus_database_url
    if url is None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{settings.data_dir / 'bus.sqlite3'}"
    return SqlLog(create_engine(url))


class Worker(Protocol):
    """A relay or consumer loop: threads in the single-machine mode, processes in production."""

    name: str

    def run(self, stop: threading.Event) -> None: ...


@dataclass
class LoopWorker:
    name: str
    loop: Callable[[threading.Event], None]

    def run(self, stop: threading.Event) -> None:
        self.loop(stop)


def api_workers(service: object) -> list[Worker]:
    """What a service runs beside its API in every process serving it, as threads (its
    `api_workers()`; reporting warms its roll-up cache): the single-machine runner starts them
    with the other workers, `deploy/gunicorn.conf.py` in each gunicorn worker."""
    declared = getattr(service, "api_workers", None)
    return list(declared()) if declared is not None else []


def run_until_signalled(worker: Worker) -> None:
    """Run one worker in this process; SIGTERM or SIGINT finish the current batch, then stop."""
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    log.info("%s starting", worker.name)
    worker.run(stop)
    log.info("%s stopped", worker.name)


def start_threads(workers: list[Worker], stop: threading.Event) -> list[threading.Thread]:
    """Run workers as daemon threads, restarting a crashed one after a pause."""
    threads = []
    for worker in workers:
        thread = threading.Thread(
            target=_supervise, args=(worker, stop), name=worker.name, daemon=True
        )
        thread.start()
        threads.append(thread)
    return threads


def _supervise(worker: Worker, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            worker.run(stop)
        except Exception:
            log.exception("%s crashed; restarting from its stored position", worker.name)
            stop.wait(2.0)
