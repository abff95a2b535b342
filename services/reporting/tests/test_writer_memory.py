"""The writer's memory between batches (each member-year's last absence, which tells whether a
roll call may move its runs) holds only while the read model is as that writer left it."""

from __future__ import annotations

import json
import random
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from chibo_contracts.catalog import public_registry
from chibo_eventsourcing.sql.engine import create_engine
from chibo_eventsourcing.sql.log import SqlLog
from chibo_reporting.projections import ReportingProjection, derived, writer

from .scenarios import CELL, MEMBERS, bi_ban_roll, bi_ban_tree
from .support import World, catch_up

MEMBER = MEMBERS[2]


@pytest.fixture(autouse=True)
def _every_year_remembered(monkeypatch):
    monkeypatch.setattr(writer, "LOAD_YEAR_FROM", 1)  # a test's few members are enough


def roll_call(world: World, meeting: str, day: date, status: str = "present") -> None:
    world.meeting(meeting, CELL, day, roll=bi_ban_roll(**{MEMBER: status}))
    world.publish()


def runs(service) -> list[list[str]]:
    """The meetings of the member's runs of excused absences in 2024, as stored."""
    years = service.model.member_years
    with service.engine.connect() as conn:
        stored = conn.execute(sa.select(years.c.excused_runs).where(
            years.c.member_id == MEMBER, years.c.year == 2024)).scalar_one()
    return [[absence[2] for absence in run] for run in json.loads(stored)]


def test_a_writer_forgets_what_it_remembers_once_another_writer_has_written(world, service):
    """As when the runner stores a refused batch event by event with a writer of its own."""
    bi_ban_tree(world)
    first, second = ReportingProjection(service.model), ReportingProjection(service.model)
    roll_call(world, "bb-jan", date(2024, 1, 10), "absent_excused")
    catch_up(service, projection=first)
    assert first.memory.last_absences[2024][MEMBER] == ("2024-01-10", "bb-jan")
    roll_call(world, "bb-mar", date(2024, 3, 10), "absent_excused")
    roll_call(world, "bb-apr", date(2024, 4, 10), "absent_excused")
    catch_up(service, projection=second)
    assert runs(service) == [["bb-jan", "bb-mar", "bb-apr"]]

    # February's presence, late, splits the run: the first writer must know of April's absence.
    roll_call(world, "bb-feb", date(2024, 2, 10))
    catch_up(service, projection=first)
    assert runs(service) == [["bb-jan"], ["bb-mar", "bb-apr"]]


class RolledBackError(Exception):
    pass


def _fail(*_args: object) -> None:
    raise RolledBackError


@pytest.mark.parametrize("failing", ["after the write", "in the write"])
def test_a_writer_forgets_what_it_remembered_in_a_batch_rolled_back(
        world, service, tmp_path, monkeypatch, failing):
    bi_ban_tree(world)
    projection = ReportingProjection(service.model)
    roll_call(world, "jan-10", date(2024, 1, 10), "absent_excused")
    roll_call(world, "jan-20", date(2024, 1, 20), "absent_excused")
    catch_up(service, projection=projection)
    assert runs(service) == [["jan-10", "jan-20"]]

    # A correction of January 20 (present after all) is written, then rolled back (a commit
    # that failed, say) or fails before its stamp: the read model keeps both absences.
    (tmp_path / "elsewhere").mkdir()
    elsewhere = World(str(tmp_path / "elsewhere"),
                      SqlLog(create_engine(f"sqlite:///{tmp_path}/elsewhere.db")))
    roll_call(elsewhere, "jan-20", date(2024, 1, 20), "absent_excused")  # the same stream
    correction = elsewhere.correct_roll("jan-20", CELL, date(2024, 1, 20), bi_ban_roll())
    batch = projection.start()
    projection.apply(batch, public_registry().decode(correction))
    with monkeypatch.context() as patched, pytest.raises(RolledBackError), \
            service.engine.begin() as conn:
        if failing == "in the write":
            patched.setattr(writer._Writer, "_stamp", _fail)
        projection.write(batch, conn)
        raise RolledBackError
    assert projection.memory.last_absences[2024][MEMBER] == ("2024-01-10", "jan-10")
    assert runs(service) == [["jan-10", "jan-20"]]

    # A presence on January 15 splits the run: the writer must know of January 20 again.
    roll_call(world, "jan-15", date(2024, 1, 15))
    catch_up(service, projection=projection)
    assert runs(service) == [["jan-10"], ["jan-20"]]


def test_a_year_in_shuffled_order_remembered_batch_after_batch_equals_the_year_folded_whole(
        world, service):
    """Thirty roll calls of four members, arriving in no order, some corrected, a few to a
    batch, all written by one writer remembering between batches: each member-year as stored
    equals the fold of its attendance as stored, and the whole year's."""
    bi_ban_tree(world)
    rng = random.Random(20241)
    projection = ReportingProjection(service.model)
    members = MEMBERS[:4]
    statuses = ["present", "present", "absent_excused", "absent_excused", "absent_unexcused"]
    days = [date(2024, 1, 1) + timedelta(days=d) for d in sorted(rng.sample(range(360), 30))]
    held: list[tuple[str, date]] = []
    for day in rng.sample(days, len(days)):
        meeting = f"y-{day.isoformat()}"
        world.meeting(meeting, CELL, day,
                      roll=bi_ban_roll(**{m: rng.choice(statuses) for m in members}))
        held.append((meeting, day))
        if rng.random() < 0.25:
            corrected, on = rng.choice(held)
            world.correct_roll(corrected, CELL, on,
                               bi_ban_roll(**{m: rng.choice(statuses) for m in members}),
                               correction=1 + sum(1 for m, _ in held if m == corrected))
            held.append((corrected, on))
        world.publish()
        if rng.random() < 0.4:
            catch_up(service, projection=projection)
    catch_up(service, projection=projection)

    model = service.model
    with service.engine.connect() as conn:
        entries = [dict(r._mapping) for r in conn.execute(sa.select(model.attendance))]
        stored = {r.member_id: (json.loads(r.excused_runs), json.loads(r.unexcused))
                  for r in conn.execute(sa.select(model.member_years))}
    folded = {}
    for member in members:
        runs, unexcused = derived.member_year([e for e in entries if e["member_id"] == member])
        if runs or unexcused:
            folded[member] = (runs, unexcused)
    assert len({e["meeting_id"] for e in entries}) == 30
    assert stored == folded
    assert any(len(run) > 1 for runs, _ in folded.values() for run in runs)
