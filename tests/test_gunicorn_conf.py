"""`deploy/gunicorn.conf.py` starts, in each worker, what a service runs beside its API."""

from __future__ import annotations

import runpy
import threading
from pathlib import Path
from types import SimpleNamespace

from chibo_eventsourcing.runtime import LoopWorker

CONF = Path(__file__).resolve().parents[1] / "deploy" / "gunicorn.conf.py"


def worker_serving(service: object) -> SimpleNamespace:
    """What the hooks read of a gunicorn worker: its loaded app (`wsgi`)."""
    return SimpleNamespace(wsgi=SimpleNamespace(extensions={"chibo": service}))


def test_each_worker_runs_the_services_api_workers_until_it_exits():
    conf = runpy.run_path(str(CONF))
    running, stopped = threading.Event(), threading.Event()

    def beside(stop: threading.Event) -> None:
        running.set()
        stop.wait()
        stopped.set()

    class Service:
        def api_workers(self) -> list[LoopWorker]:
            return [LoopWorker("beside-the-api", beside)]

    worker = worker_serving(Service())
    conf["post_worker_init"](worker)
    assert running.wait(5)
    assert [t.name for t in threading.enumerate()].count("beside-the-api") == 1
    conf["worker_exit"](None, worker)
    assert stopped.wait(5)


def test_a_service_with_nothing_beside_its_api_starts_no_thread():
    conf = runpy.run_path(str(CONF))
    before = threading.active_count()
    conf["post_worker_init"](worker_serving(object()))
    assert threading.active_count() == before
