"""Conflicting writes at the same instant: exactly one wins, the others hear 409 — the checks
(overlap, one visit per meeting, one open case) run in the write transaction, under one lock."""

from __future__ import annotations

import threading
import uuid

import pytest

from .steps import assignment_body, review_body, visit_body
from .support import Client, stored

pytestmark = pytest.mark.usefixtures("world")
WRITERS = 4


def race(app, path, bodies):
    """POST every body at the same instant from its own client; return the statuses."""
    barrier = threading.Barrier(len(bodies))
    statuses = [0] * len(bodies)

    def send(index):
        client = Client(app)
        barrier.wait()
        statuses[index] = client.post(path, bodies[index]).status_code

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(bodies))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(statuses)


def distinct(body_of):
    return [body_of(id=str(uuid.uuid4())) for _ in range(WRITERS)]


def test_overlapping_assignments_posted_together_give_one_assignment(app, service):
    assert race(app, "/assignments", distinct(assignment_body)) == [201] + [409] * (WRITERS - 1)
    assert len(stored(service, "OverseerAssigned")) == 1


def test_visits_to_one_meeting_posted_together_give_one_visit(app, service):
    assert race(app, "/visits", distinct(visit_body)) == [201] + [409] * (WRITERS - 1)
    assert len(stored(service, "VisitMade")) == 1


def test_cases_for_one_cell_and_period_opened_together_give_one_case(app, service):
    assert race(app, "/reviews", distinct(review_body)) == [201] + [409] * (WRITERS - 1)
    assert len(stored(service, "ReviewOpened")) == 1
