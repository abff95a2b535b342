"""Random command sequences against the Meeting aggregate, with its invariants checked every step.

A small model predicts whether each command must be accepted or refused; the aggregate must
agree, a refused command must leave no event, and the events must rebuild the same meeting.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from chibo_meetings.domain import CellInfo, Meeting, MeetingsError
from chibo_meetings.domain.events import AttendanceEntry, MeetingCancelled, ResolutionTask
from chibo_meetings.domain.rubrics import REGULAR, THEMATIC

from .domain_builders import CELL, CELL_ID, DAY, NOW, START, make_roll

ROLL = make_roll()  # A, B, C full and P probationary required; E exempted (full)
VOTERS = {"A", "B", "C", "E"}
statuses = st.sampled_from(["present", "absent_excused", "absent_unexcused"])


@dataclass
class Model:
    status: str | None = None
    kind: str = "regular"
    voting_base: int | None = None
    votes: int | None = None
    assessed: bool = False
    confirmed: bool = False
    plan: tuple[str, str | None] | None = None
    records: dict[str, tuple[object, ...]] = field(default_factory=dict)  # notice, document ids

    @property
    def open(self) -> bool:
        return self.status in ("scheduled", "held")


class MeetingMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.meeting = Meeting("m-1")
        self.events: list[object] = []
        self.model = Model()

    def attempt(self, action, *, expected: bool) -> bool:
        version = self.meeting.version
        try:
            action()
            accepted = True
        except MeetingsError:
            accepted = False
            assert self.meeting.version == version and not self.meeting.pending
        self.events.extend(self.meeting.collect())
        assert accepted == expected, f"expected {'acceptance' if expected else 'refusal'}"
        return accepted

    @rule(kind=st.sampled_from(["regular", "thematic", "combined"]),
          topic=st.sampled_from([None, "", " ", "Đường bê tông"]), known=st.booleans())
    def schedule(self, kind, topic, known):
        cell = CELL if known else None
        retried = self.model.plan == (kind, topic)
        expected = retried or (self.model.status is None and known
                               and (kind != "thematic" or bool(topic and topic.strip())))
        if self.attempt(lambda: self.meeting.schedule(cell, CELL_ID, kind, START, topic=topic),
                        expected=expected) and not retried:
            self.model.status, self.model.kind = "scheduled", kind
            self.model.plan = (kind, topic)

    @rule(days=st.integers(-10, 40), vanished=st.booleans())
    def reschedule(self, days, vanished):
        cell = CellInfo(CELL_ID, "cell", DAY - timedelta(days=400), DAY) if vanished else CELL
        expected = self.model.status == "scheduled" and not (vanished and days >= 0)
        self.attempt(lambda: self.meeting.reschedule(cell, DAY + timedelta(days=days), "Bão"),
                     expected=expected)

    @rule()
    def cancel(self):
        if self.attempt(lambda: self.meeting.cancel("Lũ", NOW),
                        expected=self.model.status == "scheduled"):
            self.model.status = "cancelled"

    @rule(to_members=st.booleans(), overseers=st.lists(st.sampled_from(["O1", "O2"]), max_size=2))
    def notify(self, to_members, overseers):
        content = ("notice", to_members, tuple(overseers))
        self.record("n", content, self.model.open and (to_members or bool(overseers)),
                    lambda: self.meeting.send_notice("n", NOW, to_members, overseers))

    @rule(phase=st.sampled_from(["before", "after"]), minutes=st.integers(-300, 3000))
    def document(self, phase, minutes):
        posted = START + timedelta(minutes=minutes)
        expected = self.model.open if phase == "before" else (
            self.model.status == "held" and minutes >= 0)
        self.record("d", ("document", phase, posted), expected,
                    lambda: self.meeting.post_document("d", phase, "Biên bản", posted, None))

    def record(self, record_id, content, expected, action):
        """A client-chosen id: once recorded, the same content is a retry, other a conflict."""
        earlier = self.model.records.get(record_id)
        if earlier is not None:
            expected = earlier == content
        if self.attempt(action, expected=expected):
            self.model.records[record_id] = content

    @rule(minutes=st.integers(-60, 1600))
    def hold(self, minutes):
        end = START + timedelta(minutes=minutes)
        expected = self.model.status == "scheduled" and 0 < minutes <= 24 * 60
        if self.attempt(lambda: self.meeting.hold(CELL, START, end, place="x", chair_id="A",
                                                  minute_taker_id="B"),
                        expected=expected):
            self.model.status = "held"

    @rule(listed=st.fixed_dictionaries({m: statuses for m in "ABCP"}),
          exempted=st.one_of(st.none(), statuses), drop=st.booleans(), stranger=st.booleans(),
          reasons=st.booleans())
    def call_roll(self, listed, exempted, drop, stranger, reasons):
        entries = [AttendanceEntry(m, s, "ốm" if reasons else None) for m, s in listed.items()]
        if exempted is not None:
            entries.append(AttendanceEntry("E", exempted, "ốm" if reasons else None))
        if drop:
            entries.pop(0)
        if stranger:
            entries.append(AttendanceEntry("X", "present"))
        base = sum(1 for e in entries if e.status == "present" and e.member_id in VOTERS)
        excused_without_reason = not reasons and any(e.status == "absent_excused" for e in entries)
        expected = (self.model.status == "held" and not drop and not stranger
                    and not excused_without_reason
                    and (self.model.votes is None or self.model.votes <= base))
        if self.attempt(lambda: self.meeting.call_roll(lambda c, d: ROLL, entries, ()),
                        expected=expected):
            self.model.voting_base = base

    @rule(votes=st.tuples(st.integers(0, 5), st.integers(0, 2), st.integers(0, 2)),
          due_days=st.integers(-3, 30))
    def adopt(self, votes, due_days):
        task = ResolutionTask("t1", "Đường", "A", DAY + timedelta(days=due_days))
        expected = (self.model.status == "held" and self.model.voting_base is not None
                    and self.model.votes is None and sum(votes) <= self.model.voting_base
                    and due_days >= 0)
        yes, no, abstain = votes

        def adopt():
            self.meeting.adopt_resolution("Nghị quyết", yes, no, abstain, (task,))

        if self.attempt(adopt, expected=expected):
            self.model.votes = sum(votes)

    @rule(data=st.data(), total_off=st.sampled_from([0, 0, 0, 1, -0.5]), honest=st.booleans(),
          rubric=st.sampled_from([None, REGULAR.id, THEMATIC.id]))
    def self_assess(self, data, total_off, honest, rubric):
        chosen = {None: {"regular": REGULAR, "thematic": THEMATIC, "combined": REGULAR}.get(
            self.model.kind, REGULAR), REGULAR.id: REGULAR, THEMATIC.id: THEMATIC}[rubric]
        scores = {c.key: data.draw(st.integers(0, int(c.max_points) + 1), label=c.key)
                  for c in chosen.criteria}
        total = sum(scores.values()) + total_off
        grade = chosen.grade_for(total) if honest else data.draw(
            st.sampled_from(["good", "fair", "average", "weak"]), label="grade")
        fits = (all(scores[c.key] <= c.max_points for c in chosen.criteria) and total_off == 0
                and grade == chosen.grade_for(total) and self.model.kind in chosen.kinds)
        expected = self.model.status == "held" and not self.model.confirmed and fits
        if self.attempt(lambda: self.meeting.self_assess(rubric, scores, total, grade, DAY),
                        expected=expected):
            self.model.assessed = True

    @rule(total=st.integers(0, 105), honest=st.booleans(),
          grade=st.sampled_from(["good", "fair", "average", "weak"]))
    def confirm(self, total, honest, grade):
        grade = REGULAR.grade_for(total) if honest else grade
        expected = (self.model.open and self.model.assessed and not self.model.confirmed
                    and total <= 100 and grade == REGULAR.grade_for(total))
        if self.attempt(lambda: self.meeting.confirm_grade(total, grade, DAY), expected=expected):
            self.model.confirmed = True

    @invariant()
    def events_rebuild_the_same_meeting(self):
        assert self.meeting.version == len(self.events)
        assert vars(Meeting.rehydrate(self.meeting.id, self.events)) == vars(self.meeting)

    @invariant()
    def status_follows_the_model(self):
        if self.model.status is not None:
            assert self.meeting.status == self.model.status

    @invariant()
    def nothing_happens_after_a_cancellation(self):
        cancelled = [i for i, e in enumerate(self.events) if isinstance(e, MeetingCancelled)]
        if cancelled:
            assert cancelled == [len(self.events) - 1] and self.meeting.held is None

    @invariant()
    def a_thematic_meeting_has_a_topic(self):
        plan = self.meeting.plan
        if plan is not None and plan.kind == "thematic":
            assert plan.topic and plan.topic.strip()

    @invariant()
    def a_held_meeting_ends_after_it_starts(self):
        if self.meeting.held is not None:
            assert self.meeting.held.ended_at > self.meeting.held.started_at

    @invariant()
    def the_roll_call_follows_the_meeting_and_its_figures_add_up(self):
        roll = self.meeting.roll_call
        if roll is None:
            return
        assert self.meeting.held is not None and roll.held_on == self.meeting.held.held_on
        assert roll.required == len(roll.required_member_ids) == len(ROLL.required)
        in_base = roll.present - roll.exempted_present
        assert in_base + roll.absent_excused + roll.absent_unexcused == roll.required
        assert roll.exempted_present == len(roll.exempted_present_member_ids)
        assert roll.voting_base == len(roll.voting_member_ids)
        assert set(roll.voting_member_ids) <= VOTERS

    @invariant()
    def the_tally_never_exceeds_the_voting_base(self):
        if self.meeting.resolution is not None:
            assert self.meeting.roll_call is not None
            assert self.meeting.resolution.votes_cast <= self.meeting.roll_call.voting_base

    @invariant()
    def grades_match_their_totals(self):
        assessment, confirmation = self.meeting.assessment, self.meeting.confirmation
        if assessment is not None:
            rubric = {REGULAR.id: REGULAR, THEMATIC.id: THEMATIC}[assessment.rubric]
            assert abs(sum(assessment.scores.values()) - assessment.total) < 1e-9
            assert assessment.grade == rubric.grade_for(assessment.total)
        if confirmation is not None:
            assert assessment is not None
            assert confirmation.grade == REGULAR.grade_for(confirmation.total)


MeetingMachine.TestCase.settings = settings(
    max_examples=300, stateful_step_count=40, deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestMeetingStateMachine = MeetingMachine.TestCase
