"""A real PostgreSQL server for tests: configured, a throw-away local cluster, or containerised."""

from __future__ import annotations

import glob
import os
import pwd
import re
import shutil
import stat
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

from chibo_infra._support import docker_engine_answers, free_port, import_first, tail
from chibo_infra.errors import InfrastructureUnavailable

DATABASE_URL_ENV = "DATABASE_URL"
SQLALCHEMY_SCHEME = "postgresql+psycopg"
_POSTGRES_SCHEMES = frozenset(
    {"postgres", "postgresql", "postgresql+psycopg", "postgresql+psycopg2"}
)
_DB_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")
_HOST = "127.0.0.1"
_SUPERUSER = "chibo"
_DATABASE = "chibo"
_DEDICATED_USER = "chibo-pg"
# Runs detached as: sh -c SCRIPT NAME PARENT_PID CLUSTER_ROOT PG_CTL
_REAPER_SCRIPT = """
while [ -d "/proc/$1" ] && [ -d "$2" ]; do sleep 2; done
if [ -d "$2" ]; then
  "$3" stop -D "$2/data" -m immediate -w >/dev/null 2>&1
  rm -rf "$2"
fi
"""
_SERVER_SETTINGS = (
    "-c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
    "-c full_page_writes=off -c max_connections=200"
)


class PostgresStartupError(InfrastructureUnavailable):
    """The local cluster did not come up; the message carries its log tail."""


def normalise_database_url(url: str) -> str:
    """The SQLAlchemy psycopg-3 form (postgresql+psycopg://…) of a PostgreSQL URL."""
    scheme, separator, rest = url.strip().partition("://")
    if not separator or scheme.lower() not in _POSTGRES_SCHEMES:
        raise ValueError(f"not a PostgreSQL URL (scheme {scheme!r}); expected postgresql://…")
    return f"{SQLALCHEMY_SCHEME}://{rest}"


def libpq_url(url: str) -> str:
    """The plain postgresql://… form that libpq and psycopg.connect accept."""
    return "postgresql://" + normalise_database_url(url).partition("://")[2]


def with_database(url: str, name: str) -> str:
    """The same server URL pointing at another database."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def redact_url(url: str) -> str:
    """The URL with its password, if any, masked for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def create_database(url: str, name: str) -> str:
    """Create database `name` on the server of `url` and return a URL for it."""
    _check_database_name(name)
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return with_database(normalise_database_url(url), name)


def drop_database(url: str, name: str) -> None:
    """Drop database `name` on the server of `url`, disconnecting its sessions."""
    _check_database_name(name)
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def _check_database_name(name: str) -> None:
    if not _DB_NAME.fullmatch(name):
        raise ValueError(f"unsafe database name {name!r}: use letters, digits and _ (max 63)")


def find_pg_bindir() -> Path | None:
    """A folder with initdb and pg_ctl: pg_config --bindir, /usr/lib/postgresql/*/bin, then PATH."""
    for folder in _candidate_bindirs():
        if _is_server_bindir(folder):
            return folder
    return None


def _candidate_bindirs() -> Iterator[Path]:
    pg_config = shutil.which("pg_config")
    if pg_config:
        result = subprocess.run(
            [pg_config, "--bindir"], capture_output=True, text=True, check=False
        )
        if result.returncode == 0 and result.stdout.strip():
            yield Path(result.stdout.strip())
    yield from sorted(
        (Path(p) for p in glob.glob("/usr/lib/postgresql/*/bin")),
        key=_major_version,
        reverse=True,
    )
    initdb = shutil.which("initdb")
    if initdb:
        yield Path(initdb).parent


def _major_version(bindir: Path) -> tuple[int, str]:
    version = bindir.parent.name
    return (int(version) if version.isdigit() else -1, version)


def _is_server_bindir(folder: Path) -> bool:
    return all(os.access(folder / tool, os.X_OK) for tool in ("initdb", "pg_ctl"))


@dataclass(frozen=True)
class _Account:
    """The unprivileged account the server runs as when we are root."""

    uid: int
    gid: int

    def run_kwargs(self) -> dict[str, Any]:
        return {"user": self.uid, "group": self.gid, "extra_groups": []}


def _server_account() -> _Account | None:
    if os.geteuid() != 0:
        return None
    for name in ("postgres", _DEDICATED_USER):
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            continue
        return _Account(entry.pw_uid, entry.pw_gid)
    # A concurrent session may win the race to create the user; the lookup below settles it.
    result = subprocess.run(
        [
            "useradd",
            "--system",
            "--no-create-home",
            "--shell",
            "/usr/sbin/nologin",
            _DEDICATED_USER,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        entry = pwd.getpwnam(_DEDICATED_USER)
    except KeyError as exc:
        raise PostgresStartupError(
            "PostgreSQL refuses to run as root and there is no 'postgres' user; "
            f"creating {_DEDICATED_USER!r} with useradd failed: {result.stderr.strip()}"
        ) from exc
    return _Account(entry.pw_uid, entry.pw_gid)


def _temp_base(account: _Account | None) -> str | None:
    # The server account must be able to reach its data dir; root's TMPDIR may be private.
    base = Path(tempfile.gettempdir()).resolve()
    if account is None or all(p.stat().st_mode & stat.S_IXOTH for p in (base, *base.parents)):
        return None
    return "/tmp"


class PostgresCluster:
    """A throw-away PostgreSQL cluster on a free loopback port with database `chibo`."""

    def __init__(self, *, bindir: Path | None = None, start_timeout: int = 60) -> None:
        self._bindir = bindir
        self._start_timeout = start_timeout
        self._account: _Account | None = None
        self._root: Path | None = None
        self._port: int | None = None
        self._running = False

    @property
    def url(self) -> str:
        """postgresql+psycopg://chibo@127.0.0.1:PORT/chibo"""
        return self._url_for(_DATABASE)

    def create_database(self, name: str) -> str:
        """Create another database on this cluster and return its URL."""
        return create_database(self._url_for("postgres"), name)

    def __enter__(self) -> PostgresCluster:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> None:
        bindir = self._bindir or find_pg_bindir()
        if bindir is None:
            raise InfrastructureUnavailable(_MISSING_POSTGRES)
        self._bindir = bindir
        self._account = _server_account()
        self._root = Path(tempfile.mkdtemp(prefix="chibo-pg-", dir=_temp_base(self._account)))
        try:
            self._prepare_dirs()
            self._initdb()
            self._spawn_reaper()
            self._start_server()
            create_database(self._url_for("postgres"), _DATABASE)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        if self._running and self._root is not None:
            self._run(
                [self._tool("pg_ctl"), "stop", "-D", str(self._data), "-m", "immediate", "-w"]
            )
            self._running = False
        if self._root is not None:
            shutil.rmtree(self._root, ignore_errors=True)
            self._root = None
        self._port = None

    @property
    def _data(self) -> Path:
        assert self._root is not None
        return self._root / "data"

    @property
    def _socket_dir(self) -> Path:
        assert self._root is not None
        return self._root / "sock"

    def _url_for(self, database: str) -> str:
        if self._port is None:
            raise RuntimeError("the cluster is not running")
        return f"{SQLALCHEMY_SCHEME}://{_SUPERUSER}@{_HOST}:{self._port}/{database}"

    def _tool(self, name: str) -> str:
        assert self._bindir is not None
        return str(self._bindir / name)

    def _prepare_dirs(self) -> None:
        assert self._root is not None
        self._socket_dir.mkdir(mode=0o700)
        if self._account is not None:
            for path in (self._root, self._socket_dir):
                os.chown(path, self._account.uid, self._account.gid)

    def _initdb(self) -> None:
        failures: list[str] = []
        for locale in ("C.UTF-8", "C"):
            result = self._run(
                [
                    self._tool("initdb"),
                    "-D",
                    str(self._data),
                    "-A",
                    "trust",
                    "-U",
                    _SUPERUSER,
                    "--encoding=UTF8",
                    f"--locale={locale}",
                    "--no-sync",
                ]
            )
            if result.returncode == 0:
                return
            failures.append(f"--locale={locale}:\n{result.stdout[-2000:]}")
            shutil.rmtree(self._data, ignore_errors=True)
        raise PostgresStartupError("initdb failed\n" + "\n".join(failures))

    def _start_server(self) -> None:
        self._port = free_port()
        options = f"-p {self._port} -k '{self._socket_dir}' {_SERVER_SETTINGS}"
        log = self._data / "server.log"
        result = self._run(
            [
                self._tool("pg_ctl"),
                "start",
                "-w",
                "-t",
                str(self._start_timeout),
                "-D",
                str(self._data),
                "-l",
                str(log),
                "-o",
                options,
            ]
        )
        if result.returncode != 0:
            raise PostgresStartupError(
                f"pg_ctl start failed on port {self._port}:\n{result.stdout[-2000:]}\n"
                f"--- server.log (tail) ---\n{tail(log)}"
            )
        self._running = True
        self._wait_for_connections(log)

    def _wait_for_connections(self, log: Path) -> None:
        deadline = time.monotonic() + self._start_timeout
        while True:
            try:
                with psycopg.connect(libpq_url(self._url_for("postgres")), connect_timeout=2):
                    return
            except psycopg.OperationalError as exc:
                if time.monotonic() > deadline:
                    raise PostgresStartupError(
                        f"PostgreSQL on port {self._port} accepts no connections: {exc}\n"
                        f"--- server.log (tail) ---\n{tail(log)}"
                    ) from exc
                time.sleep(0.1)

    def _spawn_reaper(self) -> None:
        # Stops the server and removes its files if this process dies without
        # cleaning up (a killed test run), so no postmaster outlives us.
        assert self._root is not None
        kwargs = self._account.run_kwargs() if self._account else {}
        subprocess.Popen(
            [
                "/bin/sh",
                "-c",
                _REAPER_SCRIPT,
                "chibo-pg-reaper",
                str(os.getpid()),
                str(self._root),
                self._tool("pg_ctl"),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd="/",
            start_new_session=True,
            **kwargs,
        )

    def _run(self, command: Sequence[str]) -> subprocess.CompletedProcess[str]:
        kwargs = self._account.run_kwargs() if self._account else {}
        return subprocess.run(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            check=False,
            cwd=self._root,
            env=_server_env(),
            **kwargs,
        )


def _server_env() -> dict[str, str]:
    # Stray PG* variables (PGDATA, PGPORT, PGOPTIONS…) would leak into initdb/pg_ctl.
    return {key: value for key, value in os.environ.items() if not key.startswith("PG")}


_MISSING_POSTGRES = (
    "No PostgreSQL server available for the tests. Do one of:\n"
    "  - install the PostgreSQL server binaries (Debian: apt-get install postgresql,"
    " or run deploy/scripts/ensure-infra.sh as root) so a throw-away cluster can be started;\n"
    "  - run a Docker engine so a PostgreSQL container can be started;\n"
    f"  - set {DATABASE_URL_ENV} to a server you own, e.g. postgresql://user:pass@host:5432/db."
)


@contextmanager
def postgres_url() -> Iterator[str]:
    """A postgresql+psycopg:// URL: $DATABASE_URL, a local throw-away cluster, or a container."""
    configured = os.environ.get(DATABASE_URL_ENV, "").strip()
    if configured:
        yield normalise_database_url(configured)
    elif find_pg_bindir() is not None:
        with PostgresCluster() as cluster:
            yield cluster.url
    elif docker_engine_answers():
        with _postgres_container() as url:
            yield url
    else:
        raise InfrastructureUnavailable(_MISSING_POSTGRES)


@contextmanager
def _postgres_container() -> Iterator[str]:
    container_class = import_first(
        ("testcontainers.community.postgres", "testcontainers.postgres"), "PostgresContainer"
    )
    with container_class("postgres:16-alpine", driver="psycopg") as container:
        yield normalise_database_url(str(container.get_connection_url()))
