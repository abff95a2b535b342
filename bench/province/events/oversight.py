"""oversight.events of a plan: assignments, visits (derived or recorded) and review cases."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from bench.province.events.base import Event
from bench.province.plan import Plan
from bench.province.world import World


def oversight_events(plan: Plan, world: World | None = None) -> Iterator[Event]:
    """Assignments (with the committee the basis is held in), their ends, then the visits in
    the order of their days: derived from roll calls when the overseer was listed as a guest,
    else recorded."""
    known = world or World(plan, include_late=False)
    for assignment in plan.assignments:
        committee = next((u for u in known.ancestry(assignment.unit_id, assignment.from_)[1:]
                          if plan.unit(u).kind != "grassroots_committee"), plan.province_id)
        yield Event("oversight", assignment.id, "OverseerAssigned", {
            "assignment_id": assignment.id, "overseer_id": assignment.overseer_id,
            "unit_id": assignment.unit_id, "position_basis": assignment.position_basis,
            "position_unit_id": committee, "position_id": None, "from_": assignment.from_,
            "to": assignment.to})
    for assignment in plan.assignments:
        if assignment.ended_on is not None:
            yield Event("oversight", assignment.id, "AssignmentEnded", {
                "assignment_id": assignment.id, "overseer_id": assignment.overseer_id,
                "unit_id": assignment.unit_id, "on": assignment.ended_on})
    charges: dict[str, list[Any]] = defaultdict(list)
    for assignment in plan.assignments:
        charges[assignment.overseer_id].append(assignment)
    for visit in sorted(plan.visits, key=lambda v: v.visited_on):
        above = set(known.ancestry(visit.cell_id, visit.visited_on))
        charge = next((a for a in charges[visit.overseer_id] if a.unit_id in above
                       and a.from_ <= visit.visited_on
                       and (a.last_day is None or visit.visited_on <= a.last_day)), None)
        yield Event("oversight", visit.id, "VisitMade", {
            "visit_id": visit.id, "overseer_id": visit.overseer_id, "cell_id": visit.cell_id,
            "meeting_id": visit.meeting_id, "visited_on": visit.visited_on,
            "comments": visit.comments, "issues": [visit.issues] if visit.issues else [],
            "follow_ups": [], "derived": visit.via_roll_call,
            "counts_toward_quota": charge is not None,
            "assignment_id": charge.id if charge else None,
            "position_basis": charge.position_basis if charge else None,
            "guest_role": "overseer" if visit.via_roll_call else None})


def review_events(plan: Plan) -> Iterator[Event]:
    for review in plan.reviews:
        base = {"review_id": review.id, "cell_id": review.cell_id}
        yield Event("oversight", review.id, "ReviewOpened", base | {
            "period": review.period, "rule_ids": list(review.rule_ids),
            "reminded_on": review.reminded_on, "note": None})
        if review.explained_on is not None:
            yield Event("oversight", review.id, "ExplanationRecorded", base | {
                "text": "Chi bộ đã kiểm điểm", "received_on": review.explained_on})
        if review.closed_on is not None:
            yield Event("oversight", review.id, "ReviewClosed", base | {
                "outcome": review.outcome, "closed_on": review.closed_on, "note": None})
