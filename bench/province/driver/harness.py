"""Where the driver's requests go: every service in this process (as `chibo run` wires them,
without gunicorn) or a running `chibo run` at a base URL with a token."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

import sqlalchemy as sa
from werkzeug.test import Client as WsgiClient

SERVICES = ("members", "meetings", "oversight", "reporting")
# Which consumer group of which service reads which producer's events (group = service name).
CONSUMERS = {"members": ("meetings", "oversight", "reporting"),
             "meetings": ("oversight", "reporting"), "oversight": ("reporting",)}


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any
    headers: Mapping[str, str]

    @property
    def position(self) -> tuple[str, int] | None:
        raw = self.headers.get("Chibo-Position")
        if not raw:
            return None
        source, _, number = raw.rpartition(":")
        return source, int(number)


class Transport(Protocol):
    def request(self, method: str, path: str, *, body: Any = None,
                params: Any = None, headers: Mapping[str, str] | None = None) -> Answer: ...


class Remote:
    """A running `chibo run` (or any gateway serving the four APIs) at `base_url`."""

    def __init__(self, base_url: str, token: str) -> None:
        import requests

        self.base_url = base_url.rstrip("/")
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def request(self, method: str, path: str, *, body: Any = None,
                params: Any = None, headers: Mapping[str, str] | None = None) -> Answer:
        answer = self.session.request(method, self.base_url + path, json=body, params=params,
                                      headers=dict(headers or {}), timeout=60)
        payload = answer.json() if answer.content else None
        return Answer(answer.status_code, payload, answer.headers)

    def caught_up(self, producer: str) -> bool:
        """Unknown from outside: writes that depend on consumed data are retried instead."""
        return True

    def stop(self) -> None:
        self.session.close()


class InProcess:
    """The four services built from `env` (one data folder, one bus), with their relays and
    consumers running in threads, answering through a WSGI test client."""

    def __init__(self, env: Mapping[str, str], *, token: str | None = None) -> None:
        from chibo_cli.run import Dispatcher, load_services
        from chibo_eventsourcing.runtime import PlatformSettings
        from chibo_web.auth import issue_token, token_settings_from_env

        self.env = dict(env)
        with _environment(self.env):
            self.services = load_services(SERVICES)
            self.platform = PlatformSettings.from_env(self.env)
            secret = token_settings_from_env(self.platform.data_dir, self.env).secret
        assert secret, "the in-process harness signs its own tokens (no JWKS)"
        self.token = token or issue_token(secret, sub="province-driver", roles=["admin"],
                                          scope=["*"], ttl_seconds=24 * 3600)
        self.client = WsgiClient(Dispatcher(self.services))
        self.stop_event = threading.Event()
        self.threads: list[threading.Thread] = []
        self._engines: dict[str, sa.Engine] = {}

    def start(self) -> None:
        from chibo_eventsourcing.runtime import start_threads

        workers = [w for s in self.services.values()
                   for w in s.app.extensions["chibo"].workers()]
        self.threads = start_threads(workers, self.stop_event)

    def stop(self) -> None:
        self.stop_event.set()
        for thread in self.threads:
            thread.join(timeout=30)
        for engine in self._engines.values():
            engine.dispose()

    def service(self, name: str) -> Any:
        return self.services[name].app.extensions["chibo"]

    def request(self, method: str, path: str, *, body: Any = None,
                params: Any = None, headers: Mapping[str, str] | None = None) -> Answer:
        sent = {"Authorization": f"Bearer {self.token}", **(headers or {})}
        response = self.client.open(path, method=method, json=body, query_string=params,
                                    headers=sent)
        data = response.get_data()
        payload = json.loads(data) if data else None
        return Answer(response.status_code, payload, dict(response.headers))

    def database_url(self, service: str) -> str:
        return self.platform.database_url(service, self.env)

    def _engine(self, service: str) -> sa.Engine:
        if service not in self._engines:
            from chibo_eventsourcing.sql.engine import create_engine

            self._engines[service] = create_engine(self.database_url(service))
        return self._engines[service]

    def caught_up(self, producer: str) -> bool:
        return not self.lagging(producer)

    def lagging(self, producer: str, groups: tuple[str, ...] | None = None) -> dict[str, int]:
        """Per consumer group of `producer`'s events, how many of its streams it has not yet
        applied up to their last stored version (the runner records them with its effects)."""
        from chibo_eventsourcing.sql.engine import read_connection

        metadata = sa.MetaData()
        events = sa.Table("events", metadata, sa.Column("stream_id"), sa.Column("stream_version"))
        streams = sa.Table("consumer_streams", metadata, sa.Column("group_id"),
                           sa.Column("stream_id"), sa.Column("version"))
        with read_connection(self._engine(producer)) as conn:
            heads = dict(conn.execute(sa.select(
                events.c.stream_id, sa.func.max(events.c.stream_version)).group_by(
                events.c.stream_id)).all())
        behind = {}
        for group in CONSUMERS.get(producer, ()):
            if group not in self.services or (groups is not None and group not in groups):
                continue
            with read_connection(self._engine(group)) as conn:
                applied = dict(conn.execute(sa.select(streams.c.stream_id, streams.c.version)
                                            .where(streams.c.group_id == group)).all())
            # The runner names a stream `<source>:<stream id>` (ids are unique per source).
            late = sum(1 for stream, version in heads.items()
                       if applied.get(f"{producer}:{stream}", applied.get(stream, 0)) < version)
            if late:
                behind[group] = late
        return behind

    def wait_until_caught_up(self, producers: tuple[str, ...], timeout: float = 600,
                             groups: tuple[str, ...] | None = None) -> float:
        """Wait until the consumer `groups` (default: all) applied the `producers`' events."""
        started = time.monotonic()
        for producer in producers:
            while behind := self.lagging(producer, groups):
                if time.monotonic() - started > timeout:
                    raise TimeoutError(f"consumers of {producer} still behind after {timeout}s "
                                       f"(streams not applied per group: {behind})")
                time.sleep(0.2)
        return time.monotonic() - started


@contextmanager
def _environment(env: Mapping[str, str]) -> Iterator[None]:
    """Services read their settings from os.environ in create_app(); give them `env`."""
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)
