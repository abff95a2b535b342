"""The generator: deterministic, realistic, consistent with the services' rules."""

from __future__ import annotations

import unicodedata
from collections import Counter
from datetime import date, timedelta

import pytest

from bench.province.config import Config
from bench.province.generator import generate
from bench.province.truth import expected
from bench.province.world import World

SMALL = Config(cells=12, members=360, seed=7)


@pytest.fixture(scope="module")
def district():
    return generate(Config(seed=3))


def test_the_same_seed_gives_the_same_plan_and_another_seed_another():
    assert repr(generate(SMALL).meetings) == repr(generate(SMALL).meetings)
    other = generate(Config(cells=12, members=360, seed=8))
    assert repr(other.members) != repr(generate(SMALL).members)


def test_a_salt_changes_the_ids_and_nothing_that_happens():
    salted = generate(Config(cells=12, members=360, seed=7, id_salt="again"))
    plain = generate(SMALL)

    def story(plan):
        codes = {u.id: u.code for u in plan.units} | {m.id: m.code for m in plan.members}
        return [(codes[m.cell_id], m.kind, m.started_at, m.duration_minutes,
                 [(codes[e.member_id], e.status) for e in m.entries or ()],
                 m.votes, [r.status for r in m.task_reports], m.self_total, m.confirmed_on,
                 [codes[g] for g, _ in m.guests]) for m in plan.meetings]

    assert plain.members[0].id != salted.members[0].id
    assert story(plain) == story(salted)
    assert len(plain.reviews) == len(salted.reviews)


def test_sizes_follow_the_config(district):
    assert len(district.cells()) == 50
    assert 1400 <= len([m for m in district.members if m.admitted_on < date(2024, 1, 1)]) <= 1700


def test_names_are_vietnamese_with_diacritics_in_nfc(district):
    names = [m.full_name for m in district.members]
    assert all(unicodedata.normalize("NFC", n) == n for n in names)
    family = Counter(n.split()[0] for n in names)
    assert family.most_common(1)[0][0] == "Nguyễn"
    assert any("ễ" in n or "ư" in n or "Đ" in n for n in names)


def test_districts_end_on_1_july_2025_and_communes_then_sit_under_the_province(district):
    world = World(district)
    restructured = date(2025, 7, 1)
    districts = [u for u in district.units if u.kind == "district_committee"]
    assert all(u.ended_on == restructured for u in districts)
    for cell in district.cells():
        if cell.ended_on is not None:
            continue
        before = world.ancestry(cell.id, restructured - timedelta(days=1))
        after = world.ancestry(cell.id, restructured)
        assert district.unit(before[-2]).kind == "district_committee"
        assert district.unit(after[-2]).kind == "commune_committee"
        assert after[-1] == district.province_id
    merged = [u for u in district.units if u.kind == "commune_committee" and u.merged_into]
    assert merged, "some communes merge into a neighbour"


def test_every_roll_call_names_exactly_the_members_required_that_day(district):
    known = World(district, include_late=False)
    for meeting in district.meetings:
        if meeting.entries is None:
            continue
        day = meeting.meeting_day
        roll = known.roll(meeting.cell_id, day)
        listed = {e.member_id for e in meeting.entries}
        assert roll.required <= listed <= roll.required | roll.exempted
        assert not {g for g, _ in meeting.guests} & listed
        excused = [e for e in meeting.entries if e.status == "absent_excused"]
        assert all(e.reason for e in excused)


def test_resolutions_never_count_more_votes_than_full_members_present(district):
    known = World(district, include_late=False)
    for meeting in district.meetings:
        if meeting.resolution_text is None or meeting.entries is None:
            continue
        voters = known.roll(meeting.cell_id, meeting.meeting_day).voters
        base = sum(1 for e in meeting.entries if e.status == "present" and e.member_id in voters)
        assert sum(meeting.votes) <= base
        assert all(t.due_on >= meeting.meeting_day for t in meeting.tasks)


def test_a_cell_never_holds_two_meetings_on_one_day(district):
    days = Counter((m.cell_id, m.held_on) for m in district.meetings if m.held)
    assert max(days.values()) == 1


def test_every_rule_both_passes_and_fails_somewhere_in_a_district(district):
    truth = expected(district, date(2026, 11, 24))
    seen: dict[str, set[str]] = {}
    for period in truth.periods:
        for cell in truth.cells_of(period.label):
            for rule, result in truth.cell(cell, period.label).items():
                seen.setdefault(rule, set()).add(result.result)
    missing = {rule: sorted({"pass", "fail"} - results) for rule, results in seen.items()
               if not {"pass", "fail"} <= results}
    assert not missing


def test_member_histories_are_in_an_order_the_members_service_accepts(district):
    registered = {m.id: m.admitted_on for m in district.members}
    last_cell_change: dict[str, date] = dict(registered)
    left: set[str] = set()
    for change in sorted(district.member_changes, key=lambda c: c.on):
        assert change.member_id not in left, change
        assert change.on >= registered[change.member_id], change
        if change.action in ("transfer", "leave"):
            assert change.on > last_cell_change[change.member_id], change
            last_cell_change[change.member_id] = change.on
        if change.action == "leave":
            left.add(change.member_id)


def test_visits_happen_at_held_meetings_of_cells_in_the_overseers_charge(district):
    held = {m.id: m for m in district.meetings if m.held}
    for visit in district.visits:
        meeting = held[visit.meeting_id]
        assert (meeting.cell_id, meeting.held_on) == (visit.cell_id, visit.visited_on)
        assert ((visit.overseer_id, "overseer") in meeting.guests) == visit.via_roll_call
