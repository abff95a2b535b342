"""Small helpers shared by the Kafka and PostgreSQL launchers."""

from __future__ import annotations

import importlib
import os
import socket
from collections import deque
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from chibo_infra.errors import InfrastructureUnavailable

_MARKER = Path("deploy") / "kafka" / "start-kafka.sh"


def repo_root() -> Path:
    """The Chibo checkout this package belongs to (the folder holding deploy/)."""
    override = os.environ.get("CHIBO_REPO_ROOT")
    if override:
        return Path(override).resolve()
    for start in (Path(__file__).resolve(), Path.cwd().resolve()):
        for folder in (start, *start.parents):
            if (folder / _MARKER).is_file():
                return folder
    raise FileNotFoundError(
        f"cannot find the Chibo repository ({_MARKER} above {__file__} or the working "
        "directory); install chibo-infra in editable mode or set CHIBO_REPO_ROOT"
    )


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def port_accepts(host: str, port: int, timeout: float = 0.5) -> bool:
    """Whether something accepts TCP connections on host:port."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def tail(path: Path, lines: int = 40) -> str:
    """The last lines of a text file, or a note that it does not exist."""
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            return "".join(deque(handle, maxlen=lines))
    except OSError as exc:
        return f"<no log at {path}: {exc.strerror}>"


def docker_engine_answers(timeout: float = 2.0) -> bool:
    """Whether a Docker engine answers at DOCKER_HOST (default: the local socket)."""
    host = os.environ.get("DOCKER_HOST") or "unix:///var/run/docker.sock"
    try:
        if host.startswith("unix://"):
            return _unix_ping(host.removeprefix("unix://"), timeout)
        if host.startswith("tcp://"):
            parts = urlsplit(host)
            return port_accepts(parts.hostname or "localhost", parts.port or 2375, timeout)
    except OSError:
        return False
    return False


def _unix_ping(path: str, timeout: float) -> bool:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.settimeout(timeout)
        conn.connect(path)
        conn.sendall(b"GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n")
        status_line = conn.recv(64).split(b"\r\n", 1)[0]
    return status_line.split(b" ")[1:2] == [b"200"]


def import_first(modules: tuple[str, ...], name: str) -> Any:
    """Attribute `name` of the first of `modules` that imports (testcontainers renamed its)."""
    for module in modules:
        try:
            return getattr(importlib.import_module(module), name)
        except ImportError:
            continue
    raise InfrastructureUnavailable(
        f"testcontainers does not provide {name} (tried {', '.join(modules)})"
    )
