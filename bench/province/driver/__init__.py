"""Writes a plan through the services' HTTP APIs in causal order.

1. the tree, then every member, then the unit and member changes in date order (members);
2. once meetings and oversight have the roll: assignments, then each cell's meetings in order
   (a task report needs the earlier resolution), the visits not seen on roll calls, the
   rulebooks, and last the exemptions recorded late (back-dated);
3. the caller then waits for reporting (`positions` holds the last position per source).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from bench.province.driver import bodies
from bench.province.driver.bodies import Write
from bench.province.driver.harness import Answer, InProcess, Remote, Transport
from bench.province.plan import Plan

# Writes that depend on what a service consumed from another are retried for a while when a
# remote deployment cannot tell us whether its consumers caught up.
RETRY_STATUSES = (403, 404, 409, 422, 504)


class WriteError(RuntimeError):
    def __init__(self, write: Write, answer: Answer) -> None:
        super().__init__(f"{write.method} {write.path} → {answer.status}: {answer.body}\n"
                         f"body: {write.body}")
        self.write = write
        self.answer = answer


@dataclass
class Driver:
    plan: Plan
    transport: Transport
    retry_seconds: float = 0.0
    wait_seconds: float = 600.0
    positions: dict[str, int] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    seconds: dict[str, float] = field(default_factory=dict)

    def send(self, write: Write) -> Answer:
        deadline = time.monotonic() + self.retry_seconds
        while True:
            answer = self.transport.request(write.method, write.path, body=write.body,
                                            headers={"Idempotency-Key": write.key})
            if answer.status < 300:
                break
            if answer.status not in RETRY_STATUSES or time.monotonic() > deadline:
                raise WriteError(write, answer)
            time.sleep(0.5)
        if answer.position is not None:
            source, position = answer.position
            self.positions[source] = max(self.positions.get(source, 0), position)
        self.counts[write.source] += 1
        return answer

    def send_all(self, writes: Iterable[Write]) -> None:
        for write in writes:
            self.send(write)

    def _phase(self, name: str, writes: Iterable[Write]) -> None:
        started = time.monotonic()
        self.send_all(writes)
        self.seconds[name] = self.seconds.get(name, 0.0) + time.monotonic() - started

    def wait(self, *producers: str, groups: tuple[str, ...] = ("meetings", "oversight")) -> None:
        """Until the services that validate against consumed data have caught up (reporting is
        awaited by the reports' `wait_for`)."""
        started = time.monotonic()
        if isinstance(self.transport, InProcess):
            self.transport.wait_until_caught_up(producers, self.wait_seconds, groups)
        self.seconds["waiting"] = self.seconds.get("waiting", 0.0) + time.monotonic() - started

    def write_members(self) -> None:
        plan = self.plan
        depth = {u.id: self._depth(u.id) for u in plan.units}
        self._phase("units", (bodies.create_unit(u) for u in sorted(
            plan.units, key=lambda u: (depth[u.id], u.code))))
        self._phase("members", (bodies.register(m) for m in plan.members))
        changes: list[tuple[object, int, Write]] = []
        for change in plan.unit_changes:
            if not change.implied:
                changes.append((change.on, 0, bodies.change_unit(change)))
        for member_change in plan.member_changes:
            if not member_change.implied and not member_change.late:
                changes.append((member_change.on, 1, bodies.change_member(member_change)))
        changes.sort(key=lambda c: (c[0], c[1]))
        self._phase("changes", (w for _, _, w in changes))

    def _depth(self, unit_id: str) -> int:
        unit, depth = self.plan.unit(unit_id), 0
        while unit.parent_id is not None:
            unit, depth = self.plan.unit(unit.parent_id), depth + 1
        return depth

    def write_activities(self) -> None:
        plan = self.plan
        assigned = [bodies.assign(a) for a in plan.assignments]
        ended = [bodies.end_assignment(a) for a in plan.assignments if a.ended_on is not None]
        if "oversight" in self._services():
            self._phase("assignments", [*assigned, *ended])
        # A rulebook's unit must be known to reporting: in process, wait for its projector
        # (the server's wait is bounded); elsewhere the write waits for the members written.
        self.wait("members", groups=("reporting",))
        members = self.positions.get("members")
        self._phase("rulebooks", (bodies.publish(r, f"members:{members}" if members else None)
                                  for r in plan.rulebooks))
        by_cell: dict[str, list[object]] = defaultdict(list)
        for meeting in plan.meetings:
            by_cell[meeting.cell_id].append(meeting)
        self._phase("meetings", (w for cell in sorted(by_cell) for m in by_cell[cell]
                                 for w in bodies.meeting_writes(m)))  # type: ignore[arg-type]

    def write_afterwards(self) -> None:
        if "oversight" in self._services():
            self.wait("meetings")
            self._phase("visits", (bodies.visit(v) for v in self.plan.visits
                                   if not v.via_roll_call))
            self._phase("reviews", (w for r in self.plan.reviews for w in bodies.review_writes(r)))
        self._phase("late", (bodies.change_member(c) for c in self.plan.member_changes if c.late))

    def write(self) -> None:
        self.write_members()
        self.wait("members")
        self.write_activities()
        self.write_afterwards()

    def _services(self) -> tuple[str, ...]:
        if isinstance(self.transport, InProcess):
            return tuple(self.transport.services)
        return ("members", "meetings", "oversight", "reporting")


__all__ = ["Driver", "InProcess", "Remote", "WriteError"]
