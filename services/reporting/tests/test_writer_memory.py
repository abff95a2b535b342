"""The writer's memory between batches (each member-year's last absence, which tells whether a
roll call may move its runs) holds only while the read model is as that writer left it."""

from __future__ import annotations

import json
from datetime import date

import pytest
import sqlalchemy as sa

from chibo_contracts.catalog import public_registry
from chibo_eventsourcing.sql.engine import create_engine
from chibo_eventsourcing.sql.log import SqlLog
from chibo_reporting.projections import ReportingProjection, writer

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
