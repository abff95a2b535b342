"""How a cell's meeting goes once it is planned: notice, papers, roll call, chair, minutes,
resolution with tasks, follow-up at the next meetings, self-assessment and confirmation."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from bench.province import names
from bench.province.config import Config
from bench.province.generator.members import Roles
from bench.province.generator.oversight import in_charge
from bench.province.generator.rubrics import REGULAR_CRITERIA, THEMATIC_CRITERIA, spread
from bench.province.generator.tree import Ids
from bench.province.plan import (
    VIETNAM,
    Assignment,
    Document,
    Entry,
    Meeting,
    Notice,
    Task,
    TaskReport,
    Unit,
)
from bench.province.world import Roll, World

if TYPE_CHECKING:
    from bench.province.generator.meetings import CellStyle


def at(day: date, hour: time) -> datetime:
    return datetime.combine(day, hour, VIETNAM)


class MeetingConduct:
    """The parts of CellMeetings that conduct one meeting (the dataclass holds the state)."""

    config: Config
    rng: random.Random
    ids: Ids
    world: World
    cell: Unit
    style: CellStyle
    roles: Roles
    assignments: dict[str, list[Assignment]]
    final_world: World
    meetings: list[Meeting]

    def _notice(self, meeting: Meeting) -> None:
        c, day = self.config, meeting.meeting_day
        if self.rng.random() < 0.01:
            return
        late = self.rng.random() < c.late_notice
        sent = at(day, time(6, 0)) if late else at(day - timedelta(days=self.rng.randint(1, 5)),
                                                    time(8, 0))
        overseers = in_charge(self.world, self.assignments, meeting.cell_id, day)
        if self.rng.random() < c.overseer_not_notified:
            overseers = []
        meeting.notices.append(Notice(sent, True, tuple(overseers)))

    def _conduct(self, meeting: Meeting, minutes: int) -> None:
        c, day = self.config, meeting.meeting_day
        self._notice(meeting)
        if self.rng.random() >= c.missing_documents:
            late = self.rng.random() < c.late_documents
            posted = at(day, time(6, 30)) if late else at(
                day - timedelta(days=self.rng.randint(1, 4)), time(16, 0))
            title = "Tài liệu chuyên đề" if meeting.topic else "Dự thảo nghị quyết tháng"
            meeting.documents.append(Document(self.ids.new("document"), "before", title, posted))
        meeting.started_at = at(day, self.style.hour)
        meeting.ended_at = meeting.started_at + timedelta(minutes=minutes)
        roll = self.world.roll(meeting.cell_id, day)
        if self.rng.random() >= c.missing_roll_call:
            self._roll_call(meeting, roll)
        self._chair(meeting, roll)
        self._after_documents(meeting)
        if meeting.entries is not None:
            self._resolution(meeting, roll)
        self._assessment(meeting)

    def _status(self, member: str, day: date, bad: bool) -> Entry:
        rng = self.rng
        if member in self.roles.chronic and rng.random() < 0.4:
            return Entry(member, "absent_unexcused")
        away = self.roles.long_absent.get(member)
        if away and away[0] <= day <= away[1]:
            return Entry(member, "absent_excused", "Đi làm ăn xa")
        if self.final_world.exempted(member, day):
            # Exempted by a decision not yet recorded: on the roll call, but ill.
            if rng.random() < 0.7:
                return Entry(member, "absent_excused", "Ốm")
            return Entry(member, "absent_unexcused")
        draw = rng.random()
        if bad and draw < 0.22:
            if draw < 0.15:
                return Entry(member, "absent_excused", rng.choice(names.ABSENCE_REASONS))
            return Entry(member, "absent_unexcused")
        if draw < 0.955:
            return Entry(member, "present")
        if draw < 0.995:
            return Entry(member, "absent_excused", rng.choice(names.ABSENCE_REASONS))
        return Entry(member, "absent_unexcused")

    def _roll_call(self, meeting: Meeting, roll: Roll) -> None:
        day = meeting.meeting_day
        bad = self.rng.random() < self.config.badly_attended
        entries = [self._status(m, day, bad) for m in self.world.by_code(roll.required)]
        entries += [Entry(m, "present") for m in self.world.by_code(roll.exempted)
                    if self.rng.random() < 0.12]
        meeting.entries = tuple(entries)
        if self.rng.random() < self.config.roll_call_corrected:
            corrected = list(entries)
            index = next((i for i, e in enumerate(entries) if e.status == "absent_unexcused"),
                         None)
            # Only a reason added: a correction must not shrink the voting base under the
            # votes the resolution already counted.
            if index is not None:
                corrected[index] = Entry(entries[index].member_id, "absent_excused",
                                         "Bổ sung lý do: đi viện")
                meeting.correction = tuple(corrected)
                meeting.correction_reason = "Bổ sung lý do vắng mặt"

    def _chair(self, meeting: Meeting, roll: Roll) -> None:
        present = [e.member_id for e in meeting.entries or () if e.status == "present"]
        people = (present or self.world.by_code(roll.required | roll.exempted)
                  or [self.roles.secretaries[self.cell.id]])
        secretary = self.roles.secretaries.get(self.cell.id)
        meeting.chair_id = secretary if secretary in present else people[0]
        deputy = self.roles.deputies.get(self.cell.id)
        others = [p for p in people if p != meeting.chair_id] or people
        meeting.minute_taker_id = deputy if deputy in present and deputy != meeting.chair_id \
            else others[0]

    def _after_documents(self, meeting: Meeting) -> None:
        c = self.config
        if self.rng.random() < c.missing_minutes:
            return
        assert meeting.ended_at is not None and meeting.held_on is not None
        if self.rng.random() < c.late_minutes:
            posted = at(meeting.held_on + timedelta(days=self.rng.randint(3, 8)), time(9, 0))
        else:
            lag = self.rng.randint(0, 2)
            posted = (meeting.ended_at + timedelta(minutes=20) if lag == 0 else
                      at(meeting.held_on + timedelta(days=lag), time(10, 0)))
        meeting.documents.append(Document(self.ids.new("document"), "after",
                                          "Biên bản và nghị quyết", posted))

    def _resolution(self, meeting: Meeting, roll: Roll) -> None:
        assert meeting.entries is not None and meeting.held_on is not None
        present = [e.member_id for e in meeting.entries if e.status == "present"]
        base = sum(1 for m in present if m in roll.voters)
        if base == 0 or self.rng.random() < 0.04:
            return
        if self.rng.random() < self.config.weak_majority:
            votes_for = base // 2
            meeting.votes = (votes_for, base - votes_for, 0)
        else:
            against = 1 if base > 4 and self.rng.random() < 0.1 else 0
            abstain = 1 if base > 4 and self.rng.random() < 0.15 else 0
            meeting.votes = (base - against - abstain, against, abstain)
        label = meeting.topic or f"tháng {meeting.held_on.month}/{meeting.held_on.year}"
        meeting.resolution_text = f"Nghị quyết chi bộ: {label}"
        owners = present or [e.member_id for e in meeting.entries]
        meeting.tasks = tuple(
            Task(self.ids.new("task"), self.rng.choice(names.TASKS), self.rng.choice(owners),
                 meeting.held_on + timedelta(days=self.rng.randint(14, 45)))
            for _ in range(self.rng.randint(1, 4 if meeting.topic else 3))
        )

    def _assessment(self, meeting: Meeting) -> None:
        c = self.config
        if self.rng.random() < c.unassessed:
            return
        assert meeting.held_on is not None
        total = self.rng.gauss(self.style.quality, 6)
        if self.rng.random() < 0.01:
            total = self.rng.uniform(35, 49)
        total = float(round(min(100.0, max(0.0, total))))
        criteria = THEMATIC_CRITERIA if meeting.kind == "thematic" else REGULAR_CRITERIA
        meeting.rubric = "default-thematic" if meeting.kind == "thematic" else "default-regular"
        meeting.scores = spread(total, criteria)
        meeting.assessed_on = meeting.held_on + timedelta(days=self.rng.randint(0, 4))
        draw = self.rng.random()
        if draw < c.unconfirmed:
            return
        late = draw < c.unconfirmed + c.late_confirmation
        wait = self.rng.randint(11, 30) if late else self.rng.randint(0, 10)
        meeting.confirmed_on = meeting.assessed_on + timedelta(days=wait)
        change = 0 if self.rng.random() < 0.8 else self.rng.randint(-6, 3)
        meeting.confirmed_total = float(min(100, max(0, total + change)))

    def _follow_up(self) -> None:
        """At each meeting held, the cell reports on the tasks still open from earlier ones."""
        open_tasks: list[tuple[Task, int]] = []
        for meeting in self.meetings:
            if not meeting.held:
                continue
            still_open = []
            for task, reports in open_tasks:
                status = self._progress(reports)
                meeting.task_reports.append(TaskReport(task.id, status))
                if status in ("in_progress", "overdue") and reports == 0:
                    still_open.append((task, reports + 1))
            open_tasks = still_open + [(t, 0) for t in meeting.tasks]

    def _progress(self, reports: int) -> str:
        draw = self.rng.random()
        if reports:
            return "done" if draw < 0.7 else "overdue"
        if draw < 0.7:
            return "done"
        if draw < 0.88:
            return "in_progress"
        return "overdue" if draw < 0.96 else "dropped"


