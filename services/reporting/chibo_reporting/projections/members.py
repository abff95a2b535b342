"""members.events → the tree (units, names, parents) and the roll (cells, exemptions, …)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chibo_contracts import Envelope
from chibo_reporting.projections.batch import Batch, Row

Handler = Callable[[Batch, Row, Envelope], None]


def unit_created(batch: Batch, data: Row, envelope: Envelope) -> None:
    unit, day = data["unit_id"], data["effective_from"]
    patch = batch.patch("units", unit)
    patch.set |= {"code": data["code"], "kind": data["kind"], "created_on": day}
    patch.cite("created", envelope.id)
    _name(batch, unit, day, data["name"], envelope)
    _parent(batch, unit, day, data["parent_id"], envelope)


def unit_renamed(batch: Batch, data: Row, envelope: Envelope) -> None:
    _name(batch, data["unit_id"], data["effective_from"], data["name"], envelope)


def unit_moved(batch: Batch, data: Row, envelope: Envelope) -> None:
    _parent(batch, data["unit_id"], data["effective_from"], data["parent_id"], envelope)


def unit_merged(batch: Batch, data: Row, envelope: Envelope) -> None:
    _end(batch, data["unit_id"], data["effective_from"], "merged", data["into_id"],
         envelope=envelope)


def unit_dissolved(batch: Batch, data: Row, envelope: Envelope) -> None:
    _end(batch, data["unit_id"], data["effective_from"], "dissolved", None, envelope=envelope)


def _name(batch: Batch, unit: str, day: Any, name: str, envelope: Envelope) -> None:
    row = {"unit_id": unit, "effective_from": day, "name": name, "event_id": envelope.id}
    batch.put("unit_names", (unit, day), row)
    batch.touched_units.add(unit)


def _parent(batch: Batch, unit: str, day: Any, parent: str | None, envelope: Envelope) -> None:
    row = {"unit_id": unit, "effective_from": day, "parent_id": parent, "event_id": envelope.id}
    batch.put("unit_parents", (unit, day), row)
    batch.touched_units.add(unit)


def _end(batch: Batch, unit: str, day: Any, kind: str, into: str | None, *,
         envelope: Envelope) -> None:
    patch = batch.patch("units", unit)
    patch.set |= {"ended_on": day, "end_kind": kind, "into_id": into}
    patch.cite("ended", envelope.id)
    batch.touched_units.add(unit)


def member_registered(batch: Batch, data: Row, envelope: Envelope) -> None:
    member = data["member_id"]
    patch = batch.patch("members", member)
    patch.set |= {"full_name": data["full_name"], "code": data.get("code"),
                  "admitted_on": data["admitted_on"]}
    patch.cite("registered", envelope.id)
    _place(batch, member, data["admitted_on"], data["cell_id"], "registered", envelope=envelope)


def member_transferred(batch: Batch, data: Row, envelope: Envelope) -> None:
    _place(batch, data["member_id"], data["effective_from"], data["cell_id"], "transferred",
           envelope=envelope)


def member_left(batch: Batch, data: Row, envelope: Envelope) -> None:
    _place(batch, data["member_id"], data["effective_from"], None, data["reason"],
           envelope=envelope)


def _place(batch: Batch, member: str, day: Any, cell: str | None, change: str, *,
           envelope: Envelope) -> None:
    row = {"member_id": member, "effective_from": day, "cell_id": cell, "change": change,
           "event_id": envelope.id}
    batch.put("member_cells", (member, day), row)
    batch.touched_members.add(member)


def member_exempted(batch: Batch, data: Row, envelope: Envelope) -> None:
    patch = batch.patch("exemptions", data["exemption_id"])
    patch.set |= {"member_id": data["member_id"], "from_date": data["from_"],
                  "to_date": data.get("to"), "reason": data["reason"],
                  "decision_ref": data["decision_ref"]}
    patch.cite("exempted", envelope.id)
    _exemption_changed(batch, data["member_id"])


def exemption_ended(batch: Batch, data: Row, envelope: Envelope) -> None:
    patch = batch.patch("exemptions", data["exemption_id"])
    patch.set |= {"member_id": data["member_id"], "ended_on": data["on"]}
    patch.cite("ended", envelope.id)
    _exemption_changed(batch, data["member_id"])


def _exemption_changed(batch: Batch, member: str) -> None:
    batch.touched_members.add(member)
    batch.exemption_changes.add(member)


def member_attached(batch: Batch, data: Row, envelope: Envelope) -> None:
    row = {"attachment_id": data["attachment_id"], "member_id": data["member_id"],
           "cell_id": data["cell_id"], "from_date": data["from_"], "to_date": data.get("to"),
           "event_id": envelope.id}
    batch.put("attachments", (data["attachment_id"],), row)
    batch.touched_members.add(data["member_id"])


# Confirmations of full membership and positions change no figure; the audit table keeps them.
HANDLERS: dict[str, Handler] = {
    "OrgUnitCreated": unit_created,
    "OrgUnitRenamed": unit_renamed,
    "OrgUnitMoved": unit_moved,
    "OrgUnitMerged": unit_merged,
    "OrgUnitDissolved": unit_dissolved,
    "MemberRegistered": member_registered,
    "MemberTransferred": member_transferred,
    "MemberLeft": member_left,
    "MemberExempted": member_exempted,
    "MemberExemptionEnded": exemption_ended,
    "MemberTemporarilyAttached": member_attached,
}
