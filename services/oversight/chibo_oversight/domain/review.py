"""The Review aggregate: a remind-and-review case of CR-27, reminded → explained → closed.

A committee reminds a cell of the rules it breached in a period, records the cell's explanation
and closes the case with an outcome. One open case per cell and period.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Any

from chibo_eventsourcing.aggregate import Aggregate
from chibo_oversight.domain.errors import ConflictError, InvalidError
from chibo_oversight.domain.events import ExplanationRecorded, ReviewClosed, ReviewOpened
from chibo_oversight.domain.facts import UnitInfo

STATUSES = ("reminded", "explained", "closed")
OUTCOMES = ("fixed", "not_fixed", "withdrawn")
_PERIOD = re.compile(r"^(\d{4})(?:-Q([1-4])|-(0[1-9]|1[0-2]))?$")


def period_start(period: str) -> date:
    """The first day of `YYYY`, `YYYY-Qn` or `YYYY-MM`; ValueError for anything else."""
    found = _PERIOD.match(period)
    if found is None:
        raise ValueError(f"not a period (YYYY, YYYY-Qn or YYYY-MM): {period!r}")
    year, quarter, month = found.groups()
    if quarter:
        return date(int(year), 3 * int(quarter) - 2, 1)
    return date(int(year), int(month or 1), 1)


class Review(Aggregate):
    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.opened: ReviewOpened | None = None
        self.explanation: ExplanationRecorded | None = None
        self.closed: ReviewClosed | None = None

    @property
    def status(self) -> str:
        if self.closed is not None:
            return "closed"
        return "explained" if self.explanation is not None else "reminded"

    @property
    def cell_id(self) -> str:
        assert self.opened is not None
        return self.opened.cell_id

    def open(
        self,
        cell: UnitInfo | None,
        cell_id: str,
        period: str,
        rule_ids: Sequence[str],
        reminded_on: date,
        *,
        note: str | None = None,
        open_case: str | None = None,
    ) -> None:
        """Remind `cell_id` of the `rule_ids` it breached in `period`; `open_case` is the id of
        a case of the same cell and period that is not closed yet, if any."""
        if self.opened is not None:
            raise ConflictError(f"review {self.id} already exists")
        if cell is None:
            raise InvalidError.on("cell_id", f"unknown unit {cell_id}")
        if cell.kind != "cell":
            raise InvalidError.on("cell_id", f"{cell.code} is a {cell.kind}, not a cell")
        _check_rules(rule_ids)
        if reminded_on < period_start(period):
            raise InvalidError.on("reminded_on", f"the period {period} has not started by then")
        if open_case is not None:
            raise ConflictError(f"case {open_case} of {cell_id} for {period} is still open")
        self.trigger(ReviewOpened(self.id, cell_id, period, tuple(rule_ids), reminded_on, note))

    def explain(self, text: str, received_on: date) -> None:
        """Record the cell's explanation (a later one supersedes an earlier one)."""
        opened = self._require_open("explained")
        if received_on < opened.reminded_on:
            raise InvalidError.on("received_on", f"the cell was reminded on {opened.reminded_on}")
        self.trigger(ExplanationRecorded(self.id, opened.cell_id, text, received_on))

    def close(self, outcome: str, closed_on: date, note: str | None = None) -> None:
        opened = self._require_open("closed")
        if outcome not in OUTCOMES:
            raise InvalidError.on("outcome", f"must be one of {', '.join(OUTCOMES)}")
        since = self.explanation.received_on if self.explanation else opened.reminded_on
        if closed_on < since:
            raise InvalidError.on("closed_on", f"the case's last step was on {since}")
        self.trigger(ReviewClosed(self.id, opened.cell_id, outcome, closed_on, note))

    def when(self, event: Any) -> None:
        match event:
            case ReviewOpened():
                self.opened = event
            case ExplanationRecorded():
                self.explanation = event
            case ReviewClosed():
                self.closed = event

    def _require_open(self, step: str) -> ReviewOpened:
        assert self.opened is not None
        if self.closed is not None:
            raise ConflictError(
                f"review {self.id} was closed on {self.closed.closed_on}; it cannot be {step}"
            )
        return self.opened


def _check_rules(rule_ids: Sequence[str]) -> None:
    if not rule_ids:
        raise InvalidError.on("rule_ids", "name at least one rule breached")
    repeated = sorted({r for r in rule_ids if list(rule_ids).count(r) > 1})
    if repeated:
        raise InvalidError.on("rule_ids", f"listed more than once: {', '.join(repeated)}")
