"""The Review aggregate: a remind-and-review case of CR-27, reminded → explained → fixed.

A committee reminds a cell of the rules it breached in a period, records the cell's explanation
and closes the case with an outcome: `fixed` (the last step DOMAIN.md names) or, when the case
ended otherwise (`not_fixed`, `withdrawn`), `closed`. One open case per cell and period.
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

STATUSES = ("reminded", "explained", "fixed", "closed")
OUTCOMES = ("fixed", "not_fixed", "withdrawn")
# The rules DOMAIN.md §7 defines; its numbering has gaps.
RULE_IDS = (
    "CR-01", "CR-02", "CR-03", "CR-04", "CR-05", "CR-06", "CR-07", "CR-08", "CR-10", "CR-11",
    "CR-12", "CR-13", "CR-14", "CR-15", "CR-17", "CR-18", "CR-19", "CR-20", "CR-21", "CR-24",
    "CR-25", "CR-27", "CR-28",
)
_PERIOD = re.compile(r"([0-9]{4})(?:-Q([1-4])|-(0[1-9]|1[0-2]))?")


def period_start(period: str) -> date:
    """The first day of `YYYY`, `YYYY-Qn` or `YYYY-MM`; ValueError for anything else."""
    found = _PERIOD.fullmatch(period)
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
            return "fixed" if self.closed.outcome == "fixed" else "closed"
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
        a case of the same cell and period that is not closed yet, if any. Opening the very
        same case again (a retried create) changes nothing."""
        if self.opened is not None:
            self._require_opened_as(cell_id, period, tuple(rule_ids), reminded_on, note)
            return
        if cell is None:
            raise InvalidError.on("cell_id", f"unknown unit {cell_id}")
        if cell.kind != "cell":
            raise InvalidError.on("cell_id", f"{cell.code} is a {cell.kind}, not a cell")
        _check_rules(rule_ids)
        if reminded_on < _start(period):
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

    def _require_opened_as(self, *asked: Any) -> None:
        o = self.opened
        assert o is not None
        if (o.cell_id, o.period, o.rule_ids, o.reminded_on, o.note) != asked:
            raise ConflictError(f"review {self.id} already exists with other data")

    def _require_open(self, step: str) -> ReviewOpened:
        assert self.opened is not None
        if self.closed is not None:
            raise ConflictError(
                f"review {self.id} was closed on {self.closed.closed_on}; it cannot be {step}"
            )
        return self.opened


def _start(period: str) -> date:
    try:
        return period_start(period)
    except ValueError as error:
        raise InvalidError.on("period", str(error)) from None


def _check_rules(rule_ids: Sequence[str]) -> None:
    if not rule_ids:
        raise InvalidError.on("rule_ids", "name at least one rule breached")
    repeated = sorted({r for r in rule_ids if list(rule_ids).count(r) > 1})
    if repeated:
        raise InvalidError.on("rule_ids", f"listed more than once: {', '.join(repeated)}")
    unknown = [r for r in rule_ids if r not in RULE_IDS]
    if unknown:
        raise InvalidError.on("rule_ids", f"not rules of DOMAIN.md §7: {', '.join(unknown)}")
