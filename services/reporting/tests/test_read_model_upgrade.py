"""A read model stored in an older layout is dropped and replayed, never half-migrated."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

import pytest
import sqlalchemy as sa

from chibo_eventsourcing.sql.engine import create_engine
from chibo_eventsourcing.sql.ownership import OwnershipLostError
from chibo_eventsourcing.sql.tables import define_plumbing
from chibo_reporting.bootstrap import ReportingService, bootstrap
from chibo_reporting.read_models import define_read_model, upgrade
from chibo_reporting.read_models.upgrade import (
    LAYOUT_FINGERPRINT,
    LAYOUT_VERSION,
    NewerLayoutError,
    fingerprint,
)

from .conftest import make_settings
from .scenarios import CELL, bi_ban_roll, bi_ban_tree
from .support import World, catch_up


def old_member_years(*columns: str) -> Callable[[sa.MetaData], object]:
    return lambda metadata: sa.Table(
        "member_years", metadata,
        sa.Column("member_id", sa.String(64), primary_key=True),
        sa.Column("year", sa.Integer, primary_key=True, autoincrement=False),
        *(sa.Column(name, sa.Text) for name in columns))


def audit_keyed_by_event_id(metadata: sa.MetaData) -> object:
    audit = define_read_model(sa.MetaData()).audit_events
    return sa.Table("audit_events", metadata,
                    *(sa.Column(c.name, c.type, primary_key=c.name == "event_id")
                      for c in audit.columns))


OLD_LAYOUTS = {
    # member-years before they counted absences: a column missing
    "member-years without absences": old_member_years("excused_runs", "unexcused"),
    # when they kept every entry of the year: a column the code no longer has
    "member-years with entries": old_member_years("entries", "absences", "excused_runs",
                                                  "unexcused"),
    # before they kept their last absence in columns of their own
    "member-years without their last absence": old_member_years("absences", "excused_runs",
                                                                "unexcused"),
    # the audit trail keyed by event id, not by the event's place in its stream: the same
    # columns, another primary key
    "audit trail keyed by event id": audit_keyed_by_event_id,
}


def old_layout(url: str, define_old_table: Callable[[sa.MetaData], object]) -> None:
    """One table in an older layout; offsets of two consumer groups."""
    metadata = sa.MetaData()
    plumbing = define_plumbing(metadata)
    define_old_table(metadata)
    engine = create_engine(url)
    metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(sa.insert(plumbing.consumer_offsets), [
            {"group_id": group, "topic": "members.events", "partition": 0, "next_offset": 99}
            for group in ("reporting", "someone-else")])
        conn.execute(sa.insert(plumbing.consumer_streams), [
            {"group_id": "reporting", "stream_id": "members:bb-01", "version": 7}])
        conn.execute(sa.insert(plumbing.consumer_owners), [
            {"group_id": "reporting", "epoch": 4}])
    engine.dispose()


@pytest.mark.parametrize("layout", OLD_LAYOUTS)
def test_an_outdated_read_model_is_dropped_and_the_projector_replays_from_the_start(
        tmp_path, bus, layout):
    url = f"sqlite:///{tmp_path}/reporting.db"
    old_layout(url, OLD_LAYOUTS[layout])
    world = World(str(tmp_path), bus)
    bi_ban_tree(world)
    world.meeting("m-1", CELL, date(2024, 3, 3),
                  roll=bi_ban_roll(**{"bb-10": "absent_unexcused", "bb-11": "absent_excused"}))
    world.publish()

    service = bootstrap(make_settings(tmp_path, url), bus=bus)
    inspector = sa.inspect(service.engine)
    assert inspector.get_pk_constraint("audit_events")["constrained_columns"] == [
        "source", "stream_id", "stream_version"]
    columns = {c["name"] for c in inspector.get_columns("member_years")}
    assert columns == {"member_id", "year", "absences", "excused_runs", "unexcused",
                       "last_absence_on", "last_absence_meeting_id"}
    offsets = service.plumbing.consumer_offsets
    with service.engine.connect() as conn:
        groups = sorted(r.group_id for r in conn.execute(sa.select(offsets.c.group_id)))
        streams = conn.execute(sa.select(sa.func.count()).select_from(
            service.plumbing.consumer_streams)).scalar()
    assert (groups, streams) == (["someone-else"], 0)
    with service.engine.connect() as conn:  # claimed anew: a projector of epoch 4 is refused
        assert conn.execute(sa.select(service.plumbing.consumer_owners.c.epoch)).scalar() == 5
    # Every event is applied again from offset 0 (nothing skipped as already seen).
    assert catch_up(service) == len(world.members.store.read_all()) + len(
        world.meetings.store.read_all())
    with service.engine.connect() as conn:
        years = conn.execute(sa.select(service.model.member_years)).all()
    assert sorted((y.member_id, y.absences) for y in years) == [("bb-10", 1), ("bb-11", 1)]
    service.engine.dispose()

    again = bootstrap(make_settings(tmp_path, url), bus=bus)  # current layout: kept
    assert catch_up(again) == 0
    again.engine.dispose()


@dataclass
class CaughtUp:
    """A read model of this release, caught up with `world`'s events (`applied` of them)."""

    world: World
    service: ReportingService
    url: str
    applied: int


@pytest.fixture
def caught_up(tmp_path, bus) -> Iterator[CaughtUp]:
    url = f"sqlite:///{tmp_path}/reporting.db"
    world = World(str(tmp_path), bus)
    bi_ban_tree(world)
    world.publish()
    service = bootstrap(make_settings(tmp_path, url), bus=bus)
    applied = catch_up(service)
    assert applied > 0
    yield CaughtUp(world, service, url, applied)
    service.engine.dispose()


def test_an_index_the_code_no_longer_defines_is_dropped_and_nothing_is_replayed(
        caught_up, tmp_path, bus):
    world, service, url = caught_up.world, caught_up.service, caught_up.url
    audit = service.model.audit_events.name
    with service.engine.begin() as conn:  # the stream index of an earlier release
        conn.execute(sa.text(f"CREATE INDEX ix_audit_stream ON {audit} "
                             "(stream_id, source, stream_version)"))
    service.engine.dispose()

    again = bootstrap(make_settings(tmp_path, url), bus=bus)
    indexes = {i["name"] for i in sa.inspect(again.engine).get_indexes(audit)}
    assert indexes == {i.name for i in again.model.audit_events.indexes}
    assert "ix_audit_stream" not in indexes
    assert catch_up(again) == 0  # the offsets were kept
    stream = world.members.store.read_all()[0].stream_id
    history = again.reports.stream(stream)
    assert len(history["events"]) == len(world.members.store.load(stream))
    again.engine.dispose()


def test_a_projector_still_running_when_its_read_model_is_reset_stores_nothing_more(
        caught_up, tmp_path, bus):
    world, service, url = caught_up.world, caught_up.service, caught_up.url
    running = service.projector()
    running.poll_timeout = 0.05
    running.open()
    try:
        assert not running.run_once().polled  # caught up
        with service.engine.begin() as conn:  # as a release with another layout finds it
            conn.execute(sa.text("ALTER TABLE member_years ADD COLUMN entries TEXT"))
        newer = bootstrap(make_settings(tmp_path, url), bus=bus)
        world.meeting("m-1", CELL, date(2024, 3, 3),
                      roll=bi_ban_roll(**{"bb-10": "absent_unexcused"}))
        world.publish()
        with pytest.raises(OwnershipLostError):
            for _ in range(20):
                running.run_once()
    finally:
        running.close()
    with newer.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(
            newer.model.member_years)).scalar() == 0
        assert conn.execute(sa.select(newer.plumbing.consumer_offsets)).all() == []
    assert catch_up(newer) == len(world.members.store.read_all()) + len(
        world.meetings.store.read_all())
    with newer.engine.connect() as conn:
        years = conn.execute(sa.select(newer.model.member_years)).all()
    assert [(y.member_id, y.absences) for y in years] == [("bb-10", 1)]
    newer.engine.dispose()


def test_the_layout_version_is_raised_with_every_change_of_the_tables():
    now = fingerprint(define_read_model(sa.MetaData()))
    assert now == LAYOUT_FINGERPRINT, (
        "the read model's tables changed: raise LAYOUT_VERSION in read_models/upgrade.py and "
        f"set LAYOUT_FINGERPRINT = {now!r}")


def record_layout(service, version: int | None) -> None:
    with service.engine.begin() as conn:
        if version is None:
            conn.execute(sa.text("DELETE FROM read_model_layout"))
        else:
            conn.execute(sa.text("UPDATE read_model_layout SET version = :v"), {"v": version})


def test_a_read_model_of_a_newer_release_is_left_alone_and_this_one_refuses_to_start(
        caught_up, tmp_path, bus):
    service, url = caught_up.service, caught_up.url
    record_layout(service, LAYOUT_VERSION + 1)
    with pytest.raises(NewerLayoutError, match=f"newer release \\(layout {LAYOUT_VERSION + 1}"):
        bootstrap(make_settings(tmp_path, url), bus=bus)
    record_layout(service, LAYOUT_VERSION)
    again = bootstrap(make_settings(tmp_path, url), bus=bus)
    assert catch_up(again) == 0  # nothing was dropped, the offsets were kept
    again.engine.dispose()


def test_a_release_with_a_higher_layout_version_replays_though_the_columns_match(
        caught_up, tmp_path, bus, monkeypatch):
    url, applied = caught_up.url, caught_up.applied
    monkeypatch.setattr(upgrade, "LAYOUT_VERSION", LAYOUT_VERSION + 1)  # the next release
    again = bootstrap(make_settings(tmp_path, url), bus=bus)
    assert catch_up(again) == applied
    with again.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT version FROM read_model_layout")).all() == [
            (LAYOUT_VERSION + 1,)]
    again.engine.dispose()


def test_a_read_model_with_no_layout_recorded_is_of_layout_1_and_replayed(
        caught_up, tmp_path, bus):
    service, url, applied = caught_up.service, caught_up.url, caught_up.applied
    record_layout(service, None)  # as the releases before the layout version left it
    again = bootstrap(make_settings(tmp_path, url), bus=bus)
    assert catch_up(again) == applied  # layout 2 counts exempted members who came as present
    with again.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT version FROM read_model_layout")).all() == [
            (LAYOUT_VERSION,)]
    again.engine.dispose()
