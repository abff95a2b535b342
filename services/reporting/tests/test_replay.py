"""Replay: rebuilding the read models from offset 0 gives the live model, checksum for checksum."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import sqlalchemy as sa

from chibo_reporting.replay import checksums, rebuild

from .scenarios import CELL, COMMUNE, EXEMPTED, MEMBERS, bi_ban_roll, bi_ban_tree
from .support import Roll, catch_up


def busy_history(world, client) -> None:
    """Events of every source, interleaved across streams and partitions, with corrections."""
    bi_ban_tree(world)
    world.unit("pa-xa", "cell", COMMUNE)
    for month in range(1, 7):
        world.meeting(f"bb-{month}", CELL, date(2024, month, 3), kind="combined" if month == 3
                      else "regular", roll=bi_ban_roll(**{MEMBERS[month]: "absent_excused",
                                                          EXEMPTED: "present"}))
    world.correct_roll("bb-2", CELL, date(2024, 2, 3), bi_ban_roll())
    world.exempt(MEMBERS[4], date(2024, 4, 1), date(2024, 5, 31))
    world.transfer(MEMBERS[0], "pa-xa", date(2024, 4, 15))
    world.meeting("px-5", "pa-xa", date(2024, 5, 3),
                  roll=Roll(required=[MEMBERS[0]], statuses={MEMBERS[0]: "absent_unexcused"}))
    client.post("/rulebooks", {"unit_id": COMMUNE, "effective_from": "2024-04-01",
                               "parameters": {"attendance_threshold": 0.95}})


def test_a_rebuild_from_offset_zero_equals_the_live_model(world, service, client, tmp_path):
    busy_history(world, client)
    world.publish()
    service.relay().run_once()
    catch_up(service, batch_size=7)  # the live model in small, odd batches; the rebuild in one

    beside = rebuild(service, prefix="replay_")
    assert beside.events == service.store.last_position() + sum(
        f.store.last_position() for f in (world.members, world.meetings))
    assert beside.equal, beside.differing
    assert beside.live["meetings"] == beside.rebuilt["meetings"]
    fresh = rebuild(service, database_url=f"sqlite:///{world._folder}/rebuilt.db")
    assert fresh.equal, fresh.differing
    with service.engine.connect() as conn:
        assert "replay_meetings" not in sa.inspect(conn).get_table_names()
        plumbing = service.plumbing
        groups = {table.name: set(conn.execute(sa.select(table.c.group_id)).scalars())
                  for table in (plumbing.consumer_offsets, plumbing.consumer_streams,
                                plumbing.consumer_owners)}
    # the replays' groups are forgotten: offsets, stream versions, claims, lock files
    assert groups == {name: {"reporting"} for name in groups}
    locks = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.lock"))
    assert locks == ["reporting.db.reporting.lock"]


def test_a_live_model_written_from_a_second_process_equals_the_rebuild(world, service, client,
                                                                        caplog):
    busy_history(world, client)
    world.publish()
    service.relay().run_once()
    service.settings = replace(service.settings, writer_process=True)
    assert service.projector().child_writer is not None
    catch_up(service, batch_size=7)  # each batch folded while the one before is written

    with service.engine.connect() as conn:  # bb-1…6 and px-5, written by the child
        assert conn.scalar(sa.select(sa.func.count()).select_from(service.model.meetings)) == 7
    # The rebuilds write from a second process too, into prefixed tables or another database,
    # whole batches (none refused and redone one event at a time by the runner).
    caplog.clear()
    beside = rebuild(service, prefix="replay_")
    assert beside.writer_process and beside.equal, beside.differing
    fresh = rebuild(service, database_url=f"sqlite:///{world._folder}/rebuilt.db")
    assert fresh.writer_process and fresh.equal, fresh.differing
    assert fresh.rebuilt == beside.rebuilt
    assert "refused" not in caplog.text


def test_a_rebuild_notices_a_live_model_that_drifted(world, service, client):
    busy_history(world, client)
    world.publish()
    catch_up(service)
    meetings = service.model.meetings
    with service.engine.begin() as conn:
        conn.execute(sa.update(meetings).where(meetings.c.meeting_id == "bb-4")
                     .values(present=meetings.c.present + 1))
    result = rebuild(service, prefix="replay_")
    assert not result.equal
    assert result.differing == ["meetings"]
    assert checksums(service.engine, service.model)["meetings"] == result.live["meetings"]
