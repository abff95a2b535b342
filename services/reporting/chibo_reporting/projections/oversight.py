"""oversight.events → assignments, visits, review cases; reporting.events → rulebooks."""

from __future__ import annotations

from collections.abc import Callable

from chibo_contracts import Envelope
from chibo_contracts.canonical import canonical_json
from chibo_reporting.projections.batch import Batch, Row

Handler = Callable[[Batch, Row, Envelope], None]


def overseer_assigned(batch: Batch, data: Row, envelope: Envelope) -> None:
    patch = batch.patch("assignments", data["assignment_id"])
    patch.set |= {"overseer_id": data["overseer_id"], "unit_id": data["unit_id"],
                  "position_basis": data["position_basis"],
                  "position_unit_id": data.get("position_unit_id"),
                  "from_date": data["from_"], "to_date": data.get("to")}
    patch.cite("assigned", envelope.id)


def assignment_ended(batch: Batch, data: Row, envelope: Envelope) -> None:
    patch = batch.patch("assignments", data["assignment_id"])
    patch.set |= {"overseer_id": data["overseer_id"], "unit_id": data["unit_id"],
                  "ended_on": data["on"]}
    patch.cite("ended", envelope.id)


def visit_made(batch: Batch, data: Row, envelope: Envelope) -> None:
    batch.put("visits", (data["visit_id"],), {
        "visit_id": data["visit_id"], "overseer_id": data["overseer_id"],
        "cell_id": data["cell_id"], "meeting_id": data.get("meeting_id"),
        "visited_on": data["visited_on"],
        "counts_toward_quota": bool(data.get("counts_toward_quota", True)),
        "derived": bool(data.get("derived", False)),
        "assignment_id": data.get("assignment_id"),
        "position_basis": data.get("position_basis"), "event_id": envelope.id,
    })


def visit_withdrawn(batch: Batch, data: Row, envelope: Envelope) -> None:
    """The visit counts no more; its place stays, for the audit trail's readers."""
    place = {"visit_id": data["visit_id"], "cell_id": data["cell_id"]}
    batch.delete("visits", (data["visit_id"],), place)
    batch.put("withdrawn_visits", (data["visit_id"],), place | {"visited_on": data["visited_on"]})


def review_opened(batch: Batch, data: Row, envelope: Envelope) -> None:
    patch = batch.patch("reviews", data["review_id"])
    patch.set |= {"cell_id": data["cell_id"], "period": data["period"],
                  "rule_ids": list(data["rule_ids"]), "reminded_on": data["reminded_on"]}
    patch.cite("opened", envelope.id)


def explanation_recorded(batch: Batch, data: Row, envelope: Envelope) -> None:
    patch = batch.patch("reviews", data["review_id"])
    patch.set |= {"cell_id": data["cell_id"], "explanation": data["text"],
                  "explained_on": data["received_on"]}
    patch.cite("explained", envelope.id)


def review_closed(batch: Batch, data: Row, envelope: Envelope) -> None:
    patch = batch.patch("reviews", data["review_id"])
    patch.set |= {"cell_id": data["cell_id"], "outcome": data["outcome"],
                  "closed_on": data["closed_on"]}
    patch.cite("closed", envelope.id)


def rulebook_published(batch: Batch, data: Row, envelope: Envelope) -> None:
    batch.put("rulebooks", (data["rulebook_id"],), {
        "rulebook_id": data["rulebook_id"], "unit_id": data["unit_id"],
        "version": data["version"], "effective_from": data["effective_from"],
        "name": data.get("name"),
        "parameters": canonical_json(data["parameters"]).decode("utf-8"),
        "event_id": envelope.id, "published_at": envelope.time,
    })


OVERSIGHT_HANDLERS: dict[str, Handler] = {
    "OverseerAssigned": overseer_assigned,
    "AssignmentEnded": assignment_ended,
    "VisitMade": visit_made,
    "VisitWithdrawn": visit_withdrawn,
    "ReviewOpened": review_opened,
    "ExplanationRecorded": explanation_recorded,
    "ReviewClosed": review_closed,
}
REPORTING_HANDLERS: dict[str, Handler] = {"RulebookPublished": rulebook_published}
