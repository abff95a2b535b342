"""A real Kafka broker for tests: configured, started locally from Maven jars, or containerised."""

from __future__ import annotations

import base64
import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from types import TracebackType

from kafka import KafkaAdminClient
from kafka.errors import KafkaError

from chibo_infra._support import (
    docker_engine_answers,
    free_port,
    import_first,
    port_accepts,
    repo_root,
    tail,
)
from chibo_infra.errors import InfrastructureUnavailable

BOOTSTRAP_ENV = "KAFKA_BOOTSTRAP_SERVERS"
_HOST = "127.0.0.1"


class KafkaStartupError(InfrastructureUnavailable):
    """The local broker did not come up; the message carries its log tail."""


class KafkaBroker:
    """A single-node KRaft broker on a free loopback port, living in a temp dir."""

    def __init__(
        self,
        *,
        startup_timeout: float = 90.0,
        resolve_timeout: float = 900.0,
        stop_timeout: float = 20.0,
    ) -> None:
        self._startup_timeout = startup_timeout
        self._resolve_timeout = resolve_timeout
        self._stop_timeout = stop_timeout
        self._process: subprocess.Popen[bytes] | None = None
        self._workdir: Path | None = None
        self._port: int | None = None

    @property
    def bootstrap_servers(self) -> str:
        if self._port is None:
            raise RuntimeError("the broker is not running")
        return f"{_HOST}:{self._port}"

    @property
    def log_path(self) -> Path | None:
        return None if self._workdir is None else self._workdir / "kafka.log"

    def __enter__(self) -> KafkaBroker:
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
        scripts = repo_root() / "deploy" / "kafka"
        # Downloading jars can take minutes on a cold cache; it must not eat the startup deadline.
        _resolve_jars(scripts / "resolve-kafka.sh", self._resolve_timeout)
        self._workdir = Path(tempfile.mkdtemp(prefix="chibo-kafka-"))
        try:
            self._launch(scripts / "start-kafka.sh")
            self._wait_until_ready()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        if self._process is not None:
            _stop_process_group(self._process, self._stop_timeout)
            self._process = None
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None
        self._port = None

    def _launch(self, script: Path) -> None:
        assert self._workdir is not None
        self._port = free_port()
        controller_port = free_port()
        env = {
            **os.environ,
            "CHIBO_KAFKA_WATCH_PID": str(os.getpid()),
            # Saves the script a JVM start (StorageTool random-uuid) per broker.
            "CHIBO_KAFKA_CLUSTER_ID": new_cluster_id(),
        }
        with (self._workdir / "start.log").open("wb") as output:
            self._process = subprocess.Popen(
                [str(script), str(self._port), str(self._workdir), str(controller_port)],
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
            )

    def _wait_until_ready(self) -> None:
        assert self._process is not None and self._port is not None
        deadline = time.monotonic() + self._startup_timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise self._startup_error(
                    f"the broker exited with status {self._process.returncode}"
                )
            if port_accepts(_HOST, self._port) and _lists_topics(self.bootstrap_servers):
                return
            time.sleep(0.2)
        raise self._startup_error(f"the broker did not answer within {self._startup_timeout:.0f} s")

    def _startup_error(self, reason: str) -> KafkaStartupError:
        assert self._workdir is not None
        return KafkaStartupError(
            f"Kafka broker on {self.bootstrap_servers} failed to start: {reason}\n"
            f"--- start-kafka.sh output ---\n{tail(self._workdir / 'start.log', 20)}"
            f"--- kafka.log (tail) ---\n{tail(self._workdir / 'kafka.log')}"
        )


def new_cluster_id() -> str:
    """A random Kafka cluster id: 16 bytes in unpadded URL-safe base64, as Kafka's Uuid prints."""
    while True:
        encoded = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        # Kafka's own generator rejects ids starting with "-" (they look like CLI flags).
        if not encoded.startswith("-"):
            return encoded


def _resolve_jars(script: Path, timeout: float) -> None:
    try:
        subprocess.run(
            [str(script)],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            check=True,
            timeout=timeout,
        )
    except subprocess.CalledProcessError as exc:
        raise KafkaStartupError(
            f"could not resolve the Kafka jars with {script}:\n"
            f"{exc.stderr.decode(errors='replace')[-4000:]}"
        ) from exc
    except subprocess.TimeoutExpired as exc:
        raise KafkaStartupError(f"resolving the Kafka jars took over {timeout:.0f} s") from exc


def _lists_topics(bootstrap_servers: str) -> bool:
    try:
        admin = KafkaAdminClient(
            bootstrap_servers=bootstrap_servers,
            client_id="chibo-infra-probe",
            request_timeout_ms=5000,
        )
    except (KafkaError, OSError):
        return False
    try:
        admin.list_topics()
        return True
    except (KafkaError, OSError):
        return False
    finally:
        admin.close()


def _stop_process_group(process: subprocess.Popen[bytes], timeout: float) -> None:
    for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 10.0)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            break
        try:
            process.wait(timeout=wait)
            break
        except subprocess.TimeoutExpired:
            continue
    # The group may still hold the script's watchdog subshell; it must not linger.
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


def java_available() -> bool:
    """Whether a java launcher can be found (JAVA_HOME or PATH)."""
    java_home = os.environ.get("JAVA_HOME")
    if java_home and os.access(Path(java_home) / "bin" / "java", os.X_OK):
        return True
    return shutil.which("java") is not None


@contextmanager
def kafka_bootstrap() -> Iterator[str]:
    """Bootstrap servers of a real broker: $KAFKA_BOOTSTRAP_SERVERS, a local one, or a container."""
    configured = os.environ.get(BOOTSTRAP_ENV, "").strip()
    if configured:
        yield configured
    elif java_available():
        with KafkaBroker() as broker:
            yield broker.bootstrap_servers
    elif docker_engine_answers():
        with _kafka_container() as bootstrap_servers:
            yield bootstrap_servers
    else:
        raise InfrastructureUnavailable(
            "No Kafka broker available for the tests. Do one of:\n"
            "  - install Java 17+ and Maven (Debian: apt-get install openjdk-17-jre-headless maven,"
            " or run deploy/scripts/ensure-infra.sh as root) so a local broker can be started;\n"
            "  - run a Docker engine so a Kafka container can be started;\n"
            f"  - set {BOOTSTRAP_ENV} to the address of a running broker."
        )


@contextmanager
def _kafka_container() -> Iterator[str]:
    container_class = import_first(
        ("testcontainers.community.kafka", "testcontainers.kafka"), "KafkaContainer"
    )
    with container_class().with_kraft() as container:
        yield str(container.get_bootstrap_server())
