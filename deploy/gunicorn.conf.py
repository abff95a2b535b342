"""gunicorn settings for one Chibo service API in production (relays and consumers run apart)."""

import os
import threading

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
timeout = 60
graceful_timeout = 30
accesslog = "-"

_stop = threading.Event()


def post_worker_init(worker):
    """Start, in each worker, what the service runs beside its API (reporting: the warm-up of
    the roll-up cache, which is per process); after the fork, so that the threads are the
    worker's."""
    from chibo_eventsourcing.runtime import api_workers, start_threads

    start_threads(api_workers(worker.wsgi.extensions.get("chibo")), _stop)


def worker_exit(server, worker):
    _stop.set()
