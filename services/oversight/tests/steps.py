"""The HTTP steps the API tests repeat: put an overseer in charge, record a visit, open a case."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from .support import CELL, MEETING, MEETING_DAY, OVERSEER, Client, catch_up

BASIS = "executive_committee_member"


def assignment_body(**fields: Any) -> dict[str, Any]:
    return {"overseer_id": OVERSEER, "unit_id": CELL, "position_basis": BASIS,
            "from": "2025-01-01"} | fields


def assign(client: Client, **fields: Any) -> dict[str, Any]:
    answer = client.post("/assignments", assignment_body(**fields))
    assert answer.status_code == 201, answer.json
    return dict(answer.json)


def visit_body(**fields: Any) -> dict[str, Any]:
    return {"overseer_id": OVERSEER, "cell_id": CELL, "meeting_id": MEETING,
            "visited_on": MEETING_DAY.isoformat(), "comments": "Chi bộ sinh hoạt nghiêm túc",
            "issues": ["Tỷ lệ dự họp thấp"], "follow_ups": ["Kiểm tra lại vào quý sau"]} | fields


def review_body(**fields: Any) -> dict[str, Any]:
    return {"cell_id": CELL, "period": "2025-Q1", "rule_ids": ["CR-01", "CR-12"],
            "reminded_on": "2025-04-10"} | fields


def open_review(client: Client, **fields: Any) -> dict[str, Any]:
    answer = client.post("/reviews", review_body(**fields))
    assert answer.status_code == 201, answer.json
    return dict(answer.json)


def posted_while_arriving(service: Any, post: Callable[[], Any]) -> Any:
    """`post()` while what it names is still on its way: the consumer catches up 0.3 s later
    and the write may wait up to 30 s for it; then the service waits 0.2 s at most again."""
    service.reference_wait_seconds = 30
    arrives = threading.Timer(0.3, catch_up, args=(service,))
    arrives.start()
    try:
        return post()
    finally:
        arrives.join()
        service.reference_wait_seconds = 0.2
