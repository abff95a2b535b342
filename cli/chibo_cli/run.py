"""`chibo run`: every service's API, relay and consumers in one process on one address.

The single-machine default: SQLite files and the embedded log under `CHIBO_DATA_DIR`, served by
gunicorn (one worker process, threads) on `127.0.0.1:$CHIBO_PORT` (default 8080).
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import logging
import os
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from chibo_eventsourcing.runtime import api_workers, start_threads

log = logging.getLogger(__name__)

SERVICES = ("members", "meetings", "oversight", "reporting")
PROCESS_PATHS = ("/livez", "/readyz", "/metrics")
INDEX_PATH = "/docs"  # the list of services and their documents; public, like the documents

StartResponse = Callable[..., Any]


def add_parser(commands: Any) -> None:
    parser = commands.add_parser("run", help="run every service on one address (single machine)")
    parser.add_argument("--host", default=os.environ.get("CHIBO_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("CHIBO_PORT", "8080")))
    parser.add_argument("--threads", type=int, default=16)
    parser.set_defaults(handler=handle)


def handle(arguments: argparse.Namespace) -> int:
    apps = load_services()
    log.info("serving %s on http://%s:%s", ", ".join(apps), arguments.host, arguments.port)
    SingleMachine(Dispatcher(apps), f"{arguments.host}:{arguments.port}", arguments.threads).run()
    return 0


@dataclass(frozen=True)
class LoadedService:
    name: str
    app: Flask
    prefixes: tuple[str, ...]


def load_services(names: Iterable[str] = SERVICES) -> dict[str, LoadedService]:
    """Build the app of every installed service (each reads its settings from the environment)."""
    loaded = {}
    for name in names:
        if importlib.util.find_spec(f"chibo_{name}") is None:
            continue
        module = importlib.import_module(f"chibo_{name}.app")
        loaded[name] = LoadedService(name, module.create_app(), tuple(module.PATH_PREFIXES))
    if not loaded:
        raise SystemExit("no Chibo service is installed: run `make install` first")
    return loaded


class Dispatcher:
    """Routes a request to the service owning its path prefix; answers process-wide paths itself."""

    def __init__(self, services: dict[str, LoadedService]) -> None:
        self.services = services
        self.routes = sorted(
            ((prefix, s.app) for s in services.values() for prefix in s.prefixes),
            key=lambda route: -len(route[0]),
        )

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "") or "/"
        target = self._target(environ, path)
        if target is not None:
            return target(environ, start_response)
        if path == "/":
            start_response("302 FOUND", [("Location", INDEX_PATH), ("Content-Length", "0")])
            return [b""]
        if path == INDEX_PATH:
            return _json(start_response, "200 OK", self._index())
        if path in PROCESS_PATHS:
            return self._process_path(environ, start_response, path)
        problem = {
            "type": "about:blank",
            "title": "Not Found",
            "status": 404,
            "detail": f"no Chibo service serves {path}",
        }
        return _json(start_response, "404 NOT FOUND", problem, "application/problem+json")

    def _target(self, environ: dict[str, Any], path: str) -> Flask | None:
        for name, service in self.services.items():
            own = f"/{name}"
            if path == f"{own}/openapi.json" or path.startswith(f"{own}/docs"):
                # Mounted under its name, so that the links the docs page makes (to its
                # OpenAPI document) carry the prefix too.
                environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + own
                environ["PATH_INFO"] = path.removeprefix(own)
                return service.app
        for prefix, app in self.routes:
            if path == prefix or path.startswith(prefix + "/"):
                return app
        return None

    def _process_path(
        self, environ: dict[str, Any], start_response: StartResponse, path: str
    ) -> Iterable[bytes]:
        if path == "/livez":
            return _json(start_response, "200 OK", {"status": "ok"})
        if path == "/metrics":
            # One registry per process: any service app answers for all (and checks the token).
            first = next(iter(self.services.values()))
            return first.app(environ, start_response)
        states = {name: _ready(s.app) for name, s in self.services.items()}
        status = "200 OK" if all(states.values()) else "503 SERVICE UNAVAILABLE"
        return _json(
            start_response,
            status,
            {"status": "ready" if all(states.values()) else "not ready", "services": states},
        )

    def _index(self) -> dict[str, Any]:
        return {
            "chibo": "single-machine mode",
            "services": {
                name: {
                    "openapi": f"/{name}/openapi.json",
                    "docs": f"/{name}/docs",
                    "paths": list(s.prefixes),
                }
                for name, s in self.services.items()
            },
        }


def _ready(app: Flask) -> bool:
    with app.test_client() as client:
        return client.get("/readyz").status_code == 200


def _json(
    start_response: StartResponse, status: str, body: Any, content_type: str = "application/json"
) -> Iterable[bytes]:
    payload = json.dumps(body).encode("utf-8")
    start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(payload)))])
    return [payload]


class SingleMachine(BaseApplication):  # type: ignore[misc]
    """gunicorn with one worker process; relays and consumers run as threads inside it."""

    def __init__(self, dispatcher: Dispatcher, bind: str, threads: int) -> None:
        self.dispatcher = dispatcher
        self.bind = bind
        self.threads = threads
        super().__init__()

    def load_config(self) -> None:
        self.cfg.set("bind", self.bind)
        self.cfg.set("workers", 1)
        self.cfg.set("worker_class", "gthread")
        self.cfg.set("threads", self.threads)
        self.cfg.set("timeout", 120)
        self.cfg.set("graceful_timeout", 30)
        self.cfg.set("accesslog", "-")
        self.cfg.set("post_worker_init", self._start_workers)
        self.cfg.set("worker_exit", self._stop_workers)

    def load(self) -> Dispatcher:
        return self.dispatcher

    def _start_workers(self, _worker: Any) -> None:
        self.stop = threading.Event()
        services = [s.app.extensions["chibo"] for s in self.dispatcher.services.values()]
        workers = [w for service in services for w in (*service.workers(), *api_workers(service))]
        start_threads(workers, self.stop)
        log.info("started %s", ", ".join(w.name for w in workers))

    def _stop_workers(self, _server: Any, _worker: Any) -> None:
        self.stop.set()
