"""The codec: private events ↔ the public contract, field for field (`from_` travels as `from`)."""

from __future__ import annotations

from datetime import date

import pytest

from chibo_contracts import Envelope
from chibo_contracts.oversight import EVENTS
from chibo_oversight import publishing
from chibo_oversight.domain.events import (
    AssignmentEnded,
    ExplanationRecorded,
    OverseerAssigned,
    ReviewClosed,
    ReviewOpened,
    VisitMade,
    VisitWithdrawn,
)

D = date(2025, 3, 3)
EXAMPLES = [
    OverseerAssigned("a", "o", "cell", "executive_committee_member", "commune", "pos", D, None),
    AssignmentEnded("a", "o", "cell", D),
    VisitMade("v", "o", "cell", "m", D, "Tốt", ("thiếu biên bản",), ("kiểm tra",), True, True,
              "a", "executive_committee_member", "overseer"),
    VisitMade("v", "n", "cell", None, D, None, (), (), False, False, None, None),
    VisitWithdrawn("v", "o", "cell", "m", D, "ghi nhầm"),
    VisitWithdrawn("v", "n", "cell", None, D, "ghi nhầm"),
    ReviewOpened("r", "cell", "2025-Q1", ("CR-01", "CR-12"), D, "nhắc nhở"),
    ExplanationRecorded("r", "cell", "Bí thư ốm", D),
    ReviewClosed("r", "cell", "withdrawn", D),
]


@pytest.mark.parametrize("event", EXAMPLES, ids=lambda e: type(e).__name__)
def test_every_event_survives_the_round_trip_through_the_contract(event):
    new = publishing.encode(event)
    envelope = Envelope(id="e", source="oversight", type=new.type, time="2025-03-03T00:00:00Z",
                        stream_id="s", stream_version=1, schema_version=new.schema_version,
                        actor="t", correlation_id="c", data=new.data)
    assert publishing.decode(envelope) == event


def test_the_first_day_of_an_assignment_travels_as_from():
    data = publishing.encode(EXAMPLES[0]).data
    assert data["from"] == "2025-03-03" and "from_" not in data and data["to"] is None


def test_every_contract_field_is_described():
    for name, schema in EVENTS.items():
        for field_name, field in schema().fields.items():
            assert field.metadata.get("description"), f"{name}.{field_name}"
