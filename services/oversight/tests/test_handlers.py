"""Handlers with the in-memory store and a fake directory: what they look up and return."""

from __future__ import annotations

from datetime import date

import pytest

from chibo_eventsourcing.store import ConcurrencyError, Metadata
from chibo_oversight import commands as c
from chibo_oversight.domain import (
    Appearance,
    Assignment,
    ConflictError,
    Holding,
    MeetingInfo,
    MemberInfo,
    NotFoundError,
    UnitInfo,
    Visit,
    visit_id_for,
)
from chibo_oversight.handlers import Context, handle

from .fakes import FakeDirectory, MemoryStreams

D = date(2020, 1, 1)
DAY = date(2025, 3, 3)


@pytest.fixture
def directory() -> FakeDirectory:
    return FakeDirectory(
        members={"o": MemberInfo("o", "Lò Văn O"), "n": MemberInfo("n", "Hà Thị N")},
        units={u: UnitInfo(u, u.upper(), kind, D) for u, kind in (
            ("commune", "commune_committee"), ("grassroots", "grassroots_committee"),
            ("cell", "cell"), ("cell-2", "cell"))},
        parents={"cell": "grassroots", "grassroots": "commune", "cell-2": "commune"},
        positions=[Holding("pos", "o", "commune", "executive_committee_member", D)],
        meetings={"m": MeetingInfo("m", "cell", DAY, DAY)},
    )


@pytest.fixture
def streams(directory) -> MemoryStreams:
    return MemoryStreams(directory)


def run(command, directory, streams, expected_version=None):
    changed = handle(command, Context(directory, streams, expected_version))
    streams.save_all(changed, Metadata(actor="test"))
    return changed


def assign(directory, streams, unit="cell", **fields):
    command = c.AssignOverseer("a-" + unit, "o", unit, "executive_committee_member",
                               date(2025, 1, 1), **fields)
    return run(command, directory, streams)


def test_putting_an_overseer_in_charge_derives_visits_from_earlier_appearances(
        directory, streams):
    directory.guests = [Appearance("m", "cell", DAY, "o", "overseer"),
                        Appearance("m-old", "cell", date(2024, 5, 1), "o", "overseer")]
    changed = assign(directory, streams)
    assert [type(a) for a in changed] == [Visit, Assignment]
    visit = changed[0]
    assert visit.id == visit_id_for("o", "m") and visit.made.assignment_id == "a-cell"
    assert streams.store.last_position() == 2


def test_the_roll_call_policy_derives_one_visit_per_overseer_and_meeting(directory, streams):
    assign(directory, streams)
    seen = (Appearance("m", "cell", DAY, "o", "overseer"),
            Appearance("m", "cell", DAY, "o", "khách"),
            Appearance("m", "cell", DAY, "n", "khách"))
    [visit] = run(c.FollowRollCall("m", "cell", seen), directory, streams)
    assert visit.made.derived and visit.made.overseer_id == "o"
    assert run(c.FollowRollCall("m", "cell", seen), directory, streams) == []


def test_a_roll_call_no_longer_listing_the_overseer_withdraws_the_visit_and_relisting_remakes_it(
        directory, streams):
    assign(directory, streams)
    listed = (Appearance("m", "cell", DAY, "o", "overseer"),)
    [made] = run(c.FollowRollCall("m", "cell", listed), directory, streams)
    [gone] = run(c.FollowRollCall("m", "cell", ()), directory, streams)
    assert gone.id == made.id and not gone.standing and gone.version == 2
    assert gone.withdrawn.meeting_id == "m" and "no longer lists" in gone.withdrawn.reason
    assert directory.visit_at("o", "m") is None
    assert run(c.FollowRollCall("m", "cell", ()), directory, streams) == []
    [again] = run(c.FollowRollCall("m", "cell", listed), directory, streams)
    assert again.id == made.id and again.standing and again.version == 3
    assert directory.visit_at("o", "m") == made.id


def test_a_visit_by_hand_is_withdrawn_by_hand_and_a_derived_one_only_by_its_roll_call(
        directory, streams):
    assign(directory, streams)
    [by_hand] = run(c.RecordVisit(None, "n", "cell", DAY, "m"), directory, streams)
    [gone] = run(c.WithdrawVisit(by_hand.id, "ghi nhầm chi bộ"), directory, streams)
    assert gone.withdrawn.reason == "ghi nhầm chi bộ" and directory.visit_at("n", "m") is None
    with pytest.raises(ConflictError, match="already withdrawn"):
        run(c.WithdrawVisit(by_hand.id, "lần nữa"), directory, streams)
    [again] = run(c.RecordVisit(None, "n", "cell", DAY, "m"), directory, streams)
    assert again.id == by_hand.id and again.standing and again.version == 3
    [derived] = run(c.FollowRollCall("m", "cell", (Appearance("m", "cell", DAY, "o"),)),
                    directory, streams)
    with pytest.raises(ConflictError, match="correct the roll call"):
        run(c.WithdrawVisit(derived.id, "nhầm"), directory, streams)
    [unlisted] = run(c.FollowRollCall("m", "cell", (Appearance("m", "cell", DAY, "n"),)),
                     directory, streams)
    assert unlisted.id == derived.id and not unlisted.standing
    assert directory.visit_at("n", "m") == by_hand.id  # a visit by hand is not the policy's


def test_a_visit_by_hand_defaults_to_the_meetings_visit_id(directory, streams):
    [visit] = run(c.RecordVisit(None, "n", "cell", DAY, "m"), directory, streams)
    assert visit.id == visit_id_for("n", "m") and not visit.made.counts_toward_quota
    [again] = run(c.RecordVisit(None, "n", "cell", DAY, "m"), directory, streams)
    assert again.id == visit.id and streams.store.last_position() == 1
    with pytest.raises(ConflictError):
        run(c.RecordVisit(None, "n", "cell", DAY, "m", comments="Khác"), directory, streams)


def test_a_retried_assignment_changes_nothing_and_other_data_conflicts(directory, streams):
    [created] = assign(directory, streams)
    [again] = assign(directory, streams)
    assert (again.id, again.version, streams.store.last_position()) == (created.id, 1, 1)
    with pytest.raises(ConflictError, match="other data"):
        assign(directory, streams, to=date(2025, 12, 31))


def test_commands_on_a_missing_or_moved_on_resource_fail(directory, streams):
    with pytest.raises(NotFoundError):
        run(c.EndAssignment("nope", DAY), directory, streams)
    assign(directory, streams)
    with pytest.raises(ConcurrencyError):
        run(c.EndAssignment("a-cell", DAY), directory, streams, expected_version=0)
    [ended] = run(c.EndAssignment("a-cell", DAY), directory, streams, expected_version=1)
    assert ended.ended_on == DAY


def test_an_id_in_use_by_another_kind_of_resource_is_refused(directory, streams):
    assign(directory, streams)
    with pytest.raises(ConflictError):
        run(c.OpenReview("a-cell", "cell", "2025", ("CR-01",), DAY), directory, streams)
    with pytest.raises(NotFoundError):
        run(c.RecordExplanation("a-cell", "text", DAY), directory, streams)
