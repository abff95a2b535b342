"""The events a plan loads at scale satisfy the shared contracts and match the plan."""

from __future__ import annotations

from collections import Counter
from datetime import date

from bench.province import events
from bench.province.config import Config
from bench.province.generator import generate
from chibo_contracts.catalog import public_registry


def test_every_event_of_a_plan_encodes_under_its_contract():
    plan = generate(Config(cells=10, members=300, start=date(2025, 1, 1),
                           end=date(2025, 12, 31)))
    registry = public_registry()
    produced = [*events.member_events(plan), *events.meeting_events(plan),
                *events.oversight_events(plan), *events.rulebook_events(plan)]
    for event in produced:
        registry.encode(f"{event.source}.{event.type}", event.data)
    kinds = Counter(e.type for e in produced)
    assert kinds["MeetingHeld"] == sum(1 for m in plan.meetings if m.held)
    assert kinds["AttendanceRecorded"] == sum(1 for m in plan.meetings if m.entries is not None)
    assert kinds["OrgUnitMerged"] >= 1 and kinds["OrgUnitDissolved"] >= 1
    assert kinds["VisitMade"] == len(plan.visits)


def test_member_events_come_in_an_order_the_tree_allows():
    plan = generate(Config(cells=10, members=300, seed=5))
    created: set[str] = set()
    for event in events.member_events(plan):
        if event.type == "OrgUnitCreated":
            assert event.data["parent_id"] is None or event.data["parent_id"] in created
            created.add(event.data["unit_id"])
        else:
            assert len(created) == len(plan.units)


def test_meetings_and_visits_are_logged_in_the_order_of_their_days():
    """As the services' logs grow: a replay reads the year from its start, not cell by cell."""
    plan = generate(Config(cells=10, members=300, seed=5))
    held = [e.data["held_on"] for e in events.meeting_events(plan) if e.type == "MeetingHeld"]
    visits = [e.data["visited_on"] for e in events.oversight_events(plan)
              if e.type == "VisitMade"]
    assert len(set(held)) > 20 and len(visits) > 20
    assert held == sorted(held) and visits == sorted(visits)
