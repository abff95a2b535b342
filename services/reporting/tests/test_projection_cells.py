"""Projection end to end: real contract events through store → relay → embedded log →
the reporting projector, then the HTTP reports."""

from __future__ import annotations

import json
from datetime import date

import pytest
import sqlalchemy as sa

from .scenarios import CELL, COMMUNE, EXEMPTED, MEMBERS, bi_ban_roll, bi_ban_tree
from .support import Roll, catch_up


def report(client, path: str) -> dict:
    answer = client.get(path)
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def test_twelve_members_one_exempted_who_attends_and_counts_as_present_one_excused(
        world, service, client):
    bi_ban_tree(world)
    # bb-11 is absent with a reason; bb-12 (exempted) comes anyway.
    roll = bi_ban_roll(**{"bb-11": "absent_excused", EXEMPTED: "present"})
    events = world.meeting("m-2024-03", CELL, date(2024, 3, 3), roll=roll)
    world.publish()
    assert catch_up(service) > 0

    cell = report(client, f"/reports/cells/{CELL}?period=2024-03")
    rate = cell["rules"]["CR-11"]
    assert rate["result"] == "pass"
    # DOMAIN §5: the exempted member who comes counts as present, the base stays 11
    assert (rate["figures"]["required"], rate["figures"]["present"]) == (11, 11)
    assert rate["figures"]["absent_excused"] == 1
    assert rate["figures"]["exempted_present"] == 1  # of the 11 present
    assert rate["figures"]["rate"] == 1.0  # (10 + 1) ÷ 11
    assert rate["evidence"] == [events["roll"].id]
    assert cell["rules"]["CR-12"]["result"] == "pass"
    assert cell["rules"]["CR-13"]["result"] == "pass"
    assert cell["rules"]["CR-17"]["result"] == "pass"
    for rule in ("CR-01", "CR-02", "CR-06", "CR-07", "CR-08", "CR-10", "CR-18"):
        assert cell["rules"][rule]["result"] == "pass", (rule, cell["rules"][rule])
    [meeting] = cell["meetings"]
    assert meeting | {"evidence": None} == meeting | {
        "meeting_id": "m-2024-03", "kind": "regular", "held_on": "2024-03-03",
        "duration_minutes": 95, "required": 11, "present": 11, "absent_excused": 1,
        "absent_unexcused": 0, "attendance_rate": 1.0, "grade": "good",
        "evidence": None}
    assert events["held"].id in meeting["evidence"]
    assert cell["rulebook"] == {"id": "national-default", "version": 0, "unit_id": None,
                                "stream_id": None}
    assert cell["positions"]["members"] == world.members.store.last_position()
    assert cell["positions"]["meetings"] == world.meetings.store.last_position()


def test_an_exemption_recorded_after_the_roll_call_still_never_counts(world, service, client):
    bi_ban_tree(world)
    roll = bi_ban_roll(**{"bb-10": "absent_unexcused"})
    world.meeting("m-2024-04", CELL, date(2024, 4, 3), roll=roll)
    world.publish()
    catch_up(service)
    before = report(client, f"/reports/cells/{CELL}?period=2024-04")["rules"]
    assert before["CR-13"]["result"] == "fail"
    assert before["CR-11"]["figures"]["rate"] == pytest.approx(10 / 11, abs=1e-4)

    world.exempt("bb-10", date(2024, 3, 20))  # back-dated decision, published later
    world.publish()
    catch_up(service)
    after = report(client, f"/reports/cells/{CELL}?period=2024-04")["rules"]
    assert after["CR-13"]["result"] == "pass"
    assert (after["CR-11"]["figures"]["required"], after["CR-11"]["figures"]["present"]) == (10, 10)
    assert after["CR-17"]["result"] == "fail"
    assert after["CR-17"]["figures"]["exempted_left_out_of_base"] == 1
    member = report(client, "/reports/members/bb-10?period=2024")
    assert member["attendance"][0]["counted"] is False
    assert member["attendance"][0]["exempted"] is True
    assert member["flags"] == []


@pytest.mark.parametrize("batch_size", [1000, 1])
def test_an_exemption_on_record_leaves_its_member_out_of_a_later_roll_call(world, service, client,
                                                                          batch_size):
    """In one batch the roll call names more members than there are exemptions (the writer
    reads the whole exemptions table); one event at a time, fewer (it asks by name)."""
    bi_ban_tree(world)
    world.exempt("bb-10", date(2024, 3, 20))
    world.meeting("m-2024-04", CELL, date(2024, 4, 3),
                  roll=bi_ban_roll(**{"bb-10": "absent_unexcused"}))
    world.publish()
    catch_up(service, batch_size=batch_size)
    rules = report(client, f"/reports/cells/{CELL}?period=2024-04")["rules"]
    assert rules["CR-13"]["result"] == "pass"
    assert (rules["CR-11"]["figures"]["required"], rules["CR-11"]["figures"]["present"]) == (10, 10)
    assert rules["CR-17"]["figures"]["exempted_left_out_of_base"] == 1


def test_a_member_transferred_mid_quarter_is_followed_across_both_cells(world, service, client):
    bi_ban_tree(world)
    world.unit("pa-xa", "cell", COMMUNE, name="Chi bộ bản Pá Xa")
    mover = MEMBERS[0]
    for month in (1, 2):
        roll = bi_ban_roll(**{mover: "absent_unexcused"})
        world.meeting(f"bb-{month}", CELL, date(2024, month, 3), roll=roll)
    world.transfer(mover, "pa-xa", date(2024, 2, 15))
    px_3 = world.meeting("px-3", "pa-xa", date(2024, 3, 3),
                         roll=Roll(required=[mover, "px-2", "px-3"],
                                   statuses={mover: "absent_unexcused"}))
    world.meeting("bb-3", CELL, date(2024, 3, 3),
                  roll=Roll(required=MEMBERS[1:-1], statuses={}, exempted=[EXEMPTED]))
    world.publish()
    catch_up(service)

    member = report(client, f"/reports/members/{mover}?period=2024-Q1")
    assert [(a["cell_id"], a["held_on"], a["status"]) for a in member["attendance"]] == [
        (CELL, "2024-01-03", "absent_unexcused"), (CELL, "2024-02-03", "absent_unexcused"),
        ("pa-xa", "2024-03-03", "absent_unexcused")]
    assert member["flags"] == ["CR-15"]  # unexcused in three months of 2024
    assert member["cell_id"] == "pa-xa"
    # On Bi Ban's roll to the day before the transfer, on Pá Xá's from it (last days shown as
    # the write API takes them: an audit found `until` naming the day after).
    assert [(c["cell_id"], c["from"], c["until"]) for c in member["cells"]
            if c["role"] == "member"] == [(CELL, "2020-01-01", "2024-02-14"),
                                          ("pa-xa", "2024-02-15", None)]
    # The strike-off alert belongs to the cell the member is in now (their last absence).
    new_cell = report(client, "/reports/cells/pa-xa?period=2024-Q1")["rules"]["CR-15"]
    assert new_cell["result"] == "fail"
    assert new_cell["figures"]["alerts"] == [
        {"member_id": mover, "months": ["2024-01", "2024-02", "2024-03"]}]
    assert new_cell["evidence"] == [px_3["roll"].id]  # Bi Ban's roll calls are Bi Ban's
    old_cell = report(client, f"/reports/cells/{CELL}?period=2024-Q1")["rules"]
    assert old_cell["CR-15"]["result"] == "pass"
    assert old_cell["CR-13"]["figures"]["absent_unexcused"] == 2
    # In January and February alone the member was only at the early-warning level.
    february = report(client, f"/reports/members/{mover}?period=2024-02")
    assert (february["flags"], february["warnings"]) == ([], ["CR-15"])


def test_a_combined_session_is_a_regular_and_a_thematic_meeting_of_two_parts(world, service,
                                                                             client):
    bi_ban_tree(world)
    world.meeting("jan", CELL, date(2024, 1, 3), roll=bi_ban_roll())
    world.meeting("feb", CELL, date(2024, 2, 3), roll=bi_ban_roll())
    world.meeting("mar", CELL, date(2024, 3, 3), kind="combined", minutes=130,
                  roll=bi_ban_roll(), topic="Đoạn đường bê tông 75 m cuối cùng")
    world.meeting("apr", CELL, date(2024, 4, 3), kind="combined", minutes=110,
                  roll=bi_ban_roll(), topic="Nước sạch")
    world.publish()
    catch_up(service)
    q1 = report(client, f"/reports/cells/{CELL}?period=2024-Q1")["rules"]
    assert q1["CR-01"]["result"] == "pass"
    assert q1["CR-03"]["result"] == "pass"
    assert q1["CR-05"]["result"] == "pass"
    assert q1["CR-05"]["figures"]["checked"] == 1
    april = report(client, f"/reports/cells/{CELL}?period=2024-04")
    assert april["rules"]["CR-05"]["result"] == "fail"  # 110 < 120 minutes
    assert april["rules"]["CR-06"]["result"] == "pass"  # but ≥ the regular 90
    assert april["meetings"][0]["kind"] == "combined"
    assert april["meetings"][0]["parts"] == 2


def test_meetings_on_the_prescribed_day_or_moved_with_a_reason(world, service, client):
    bi_ban_tree(world)
    world.meeting("on-day", CELL, date(2025, 9, 3))
    world.meeting("moved", CELL, date(2025, 10, 7), scheduled=date(2025, 10, 3),
                  reason="Mưa lũ, đường bị sạt lở")
    world.meeting("off-day", CELL, date(2025, 11, 12))
    world.publish()
    catch_up(service)
    q4 = report(client, f"/reports/cells/{CELL}?period=2025-Q4")["rules"]["CR-02"]
    assert q4["result"] == "fail"
    assert (q4["figures"]["checked"], q4["figures"]["with_recorded_reason"]) == (2, 1)
    october = report(client, f"/reports/cells/{CELL}?period=2025-10")["rules"]["CR-02"]
    assert october["result"] == "pass"
    assert october["figures"]["meetings"][0]["recorded_reason"] == "Mưa lũ, đường bị sạt lở"


def test_a_resolution_with_tasks_and_their_progress_are_projected_and_followed_through(
    world, service, client
):
    """Tasks are kept in their own rows (no evidence column): the projector must not stall."""
    bi_ban_tree(world)
    world.meeting("m-2024-03", CELL, date(2024, 3, 3), roll=bi_ban_roll())
    base = {"meeting_id": "m-2024-03", "cell_id": CELL}
    tasks = [{"task_id": f"t-{n}", "description": "Làm đường", "owner_id": MEMBERS[0],
              "due_on": date(2024, 4, 30)} for n in (1, 2)]
    world.meetings.emit("m-2024-03", "ResolutionAdopted", **base, kind="regular",
                        held_on=date(2024, 3, 3), text="Nghị quyết", votes_for=10,
                        votes_against=0, votes_abstain=0, voting_base=10, tasks=tasks)
    world.meeting("m-2024-04", CELL, date(2024, 4, 3), roll=bi_ban_roll())
    for task, status in (("t-1", "done"), ("t-2", "in_progress")):
        world.meetings.emit("m-2024-04", "TaskProgressReported", meeting_id="m-2024-04",
                            cell_id=CELL, held_on=date(2024, 4, 3), task_id=task,
                            resolution_meeting_id="m-2024-03", due_on=date(2024, 4, 30),
                            status=status, note=None)
    world.publish()
    assert catch_up(service) > 0

    cell = report(client, f"/reports/cells/{CELL}?period=2024-04")
    follow_through = cell["rules"]["CR-20"]
    (resolution,) = follow_through["figures"]["resolutions"]
    assert (resolution["meeting_id"], resolution["tasks"], resolution["done"]) == (
        "m-2024-03", 2, 1)
    assert follow_through["result"] == "pass"  # 50 %: the lowest band
    assert cell["positions"]["meetings"] == world.meetings.store.last_position()


def test_a_roll_call_arriving_late_splits_and_joins_runs_of_excused_absences(
        world, service, client):
    """Each roll call in its own batch: the runs of CR-14 are recomputed when a presence or an
    absence lands before a member's last absence, and kept when a presence comes after it."""
    bi_ban_tree(world)
    member, other = MEMBERS[2], MEMBERS[3]

    def roll_call(month: int, status: str, other_status: str = "present",
                  correct: bool = False) -> None:
        roll = bi_ban_roll(**{member: status, other: other_status})
        if correct:
            world.correct_roll(f"bb-{month}", CELL, date(2024, month, 3), roll)
        else:
            world.meeting(f"bb-{month}", CELL, date(2024, month, 3), roll=roll)
        world.publish()
        catch_up(service)

    def cr14() -> tuple[str, list]:
        rule = report(client, f"/reports/cells/{CELL}?period=2024")["rules"]["CR-14"]
        return rule["result"], [(m["member_id"], m["meetings"]) for m in rule["figures"]["members"]]

    def absences() -> dict[str, int]:
        years = service.model.member_years
        with service.engine.connect() as conn:
            return dict(conn.execute(sa.select(years.c.member_id, years.c.absences)).all())

    roll_call(1, "absent_excused", other_status="absent_unexcused")
    for month in (3, 4, 5):
        roll_call(month, "absent_excused")
    assert cr14() == ("fail", [(member, ["bb-1", "bb-3", "bb-4", "bb-5"])])  # 4 > 3 in a row

    roll_call(2, "present")  # February's roll call, late: the run is split
    assert cr14() == ("pass", [])
    roll_call(2, "absent_excused", correct=True)  # …and joined again: five in a row
    five = ("fail", [(member, ["bb-1", "bb-2", "bb-3", "bb-4", "bb-5"])])
    assert cr14() == five
    roll_call(6, "present")  # after the last absence: the run stays as it was
    assert cr14() == five
    # A member-year has a row only while it has a counted absence.
    assert absences() == {member: 5, other: 1}
    roll_call(1, "present", correct=True)
    assert absences() == {member: 4}
    assert cr14() == ("fail", [(member, ["bb-2", "bb-3", "bb-4", "bb-5"])])


def test_runs_are_folded_on_from_where_each_roll_call_changes_them(world, service, client):
    """Roll calls in the year's order, two a month, each in its own batch: a member-year's runs
    are folded on from its last absence or the roll call's own row (not the whole year), and
    no absence earlier in the same month is counted twice."""
    bi_ban_tree(world)
    member = MEMBERS[2]
    rolls = []
    for number, (day, status) in enumerate([
            (date(2024, 3, 3), "absent_unexcused"), (date(2024, 3, 20), "absent_excused"),
            (date(2024, 4, 3), "absent_excused"), (date(2024, 4, 20), "present"),
            (date(2024, 5, 3), "absent_excused"), (date(2024, 5, 20), "absent_excused"),
            (date(2024, 5, 27), "absent_excused"), (date(2024, 6, 3), "absent_excused")]):
        rolls.append(world.meeting(f"bb-{number}", CELL, day,
                                   kind="thematic" if day.day > 3 else "regular",
                                   roll=bi_ban_roll(**{member: status}))["roll"].id)
        world.publish()
        catch_up(service)

    rule = report(client, f"/reports/cells/{CELL}?period=2024")["rules"]["CR-14"]
    assert rule["result"] == "fail"  # four excused absences in a row, May 3 to June 3
    assert [(m["member_id"], m["meetings"]) for m in rule["figures"]["members"]] == [
        (member, ["bb-4", "bb-5", "bb-6", "bb-7"])]
    assert rule["evidence"] == rolls[4:]
    years = service.model.member_years
    with service.engine.connect() as conn:
        stored = conn.execute(sa.select(years).where(years.c.member_id == member)).one()
    assert stored.absences == 7
    assert [[a[2] for a in run] for run in json.loads(stored.excused_runs)] == [
        ["bb-1", "bb-2"], ["bb-4", "bb-5", "bb-6", "bb-7"]]
    assert [a[2] for a in json.loads(stored.unexcused)] == ["bb-0"]


def test_meetings_of_one_day_keep_their_order_in_the_runs(world, service, client):
    """Two meetings on one day, then a third of that day arriving late between them (by id):
    its presence splits the run, though its day is the last absence's."""
    bi_ban_tree(world)
    member = MEMBERS[2]
    day = date(2024, 3, 3)
    for meeting, status in (("bb-s1", "absent_excused"), ("bb-s3", "absent_excused"),
                            ("bb-s2", "present")):
        world.meeting(meeting, CELL, day, kind="thematic",
                      roll=bi_ban_roll(**{member: status}))
        world.publish()
        catch_up(service)
    years = service.model.member_years
    with service.engine.connect() as conn:
        stored = conn.execute(sa.select(years).where(years.c.member_id == member)).one()
    assert [[a[2] for a in run] for run in json.loads(stored.excused_runs)] == [
        ["bb-s1"], ["bb-s3"]]
    assert (stored.last_absence_on, stored.last_absence_meeting_id) == (day, "bb-s3")
