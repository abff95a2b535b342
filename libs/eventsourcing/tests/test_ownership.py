"""Who runs a consumer group: the group lock and the epoch, on SQLite and on real PostgreSQL."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from chibo_eventsourcing.sql.engine import create_engine
from chibo_eventsourcing.sql.ownership import GroupLock, OwnershipLostError, claim, hold
from chibo_eventsourcing.sql.tables import PlumbingTables, define_plumbing


class OwnershipContract:
    """Subclasses provide an `engine` fixture and `lose_lock(engine, lock)`."""

    @pytest.fixture
    def tables(self, engine) -> PlumbingTables:
        metadata = sa.MetaData()
        tables = define_plumbing(metadata)
        metadata.create_all(engine)
        return tables

    def claim(self, engine, tables, group="tally") -> int:
        with engine.begin() as conn:
            return claim(conn, tables.consumer_owners, group)

    def test_each_claim_of_a_group_is_a_new_epoch(self, engine, tables):
        assert [self.claim(engine, tables) for _ in range(3)] == [1, 2, 3]
        assert self.claim(engine, tables, "other") == 1

    def test_a_batch_under_an_older_epoch_is_refused_and_writes_nothing(self, engine, tables):
        first = self.claim(engine, tables)
        offsets = tables.consumer_offsets
        row = {"group_id": "tally", "topic": "t", "partition": 0, "next_offset": 5}
        with engine.begin() as conn:
            hold(conn, tables.consumer_owners, "tally", first)
            conn.execute(sa.insert(offsets), [row])
        second = self.claim(engine, tables)
        refused = pytest.raises(OwnershipLostError, match=f"epoch {second}\\) since .* {first}")
        with refused, engine.begin() as conn:
            hold(conn, tables.consumer_owners, "tally", first)
            conn.execute(sa.update(offsets).values(next_offset=9))
        with engine.connect() as conn:
            assert conn.execute(sa.select(offsets.c.next_offset)).scalar() == 5

    def test_a_claim_waits_for_the_batch_being_written_under_the_epoch_before(
        self, engine, tables
    ):
        first = self.claim(engine, tables)
        claimed: list[int] = []
        writing = engine.connect()
        transaction = writing.begin()
        hold(writing, tables.consumer_owners, "tally", first)
        thread = threading.Thread(target=lambda: claimed.append(self.claim(engine, tables)))
        thread.start()
        thread.join(1.0)
        assert claimed == []  # the claim waits while the batch's transaction is open
        transaction.commit()
        writing.close()
        thread.join(30.0)
        assert claimed == [first + 1]

    def test_the_lock_is_held_by_one_until_released_or_lost(self, engine):
        first, second = GroupLock(engine, "tally"), GroupLock(engine, "tally", 0.05)
        assert first.acquire()
        stop = threading.Event()
        stop.set()
        assert not second.acquire(stop)  # held by the first: told to stop, it gives up
        other = GroupLock(engine, "another group")
        assert other.acquire(stop)
        other.release()
        first.release()
        assert second.acquire(stop)
        self.lose_lock(engine, second)
        assert first.acquire(stop)
        second.release()  # a lock already lost is released without error
        assert not GroupLock(engine, "tally").acquire(stop)  # and the first still holds its own
        first.release()

    def lose_lock(self, engine, lock: GroupLock) -> None:
        raise NotImplementedError


class TestOnSqlite(OwnershipContract):
    @pytest.fixture
    def engine(self, tmp_path):
        return create_engine(f"sqlite:///{tmp_path}/consumer.db")

    def lose_lock(self, engine, lock):
        lock.release()  # a file lock is lost only with its process, which releases it

    def test_the_lock_is_a_file_beside_the_database(self, engine, tmp_path):
        assert GroupLock(engine, "reporting/replay 1").acquire()
        assert (tmp_path / "consumer.db.reporting_replay_1.lock").exists()


@pytest.mark.postgres
class TestOnPostgres(OwnershipContract):
    @pytest.fixture
    def engine(self, fresh_postgres_url):
        return create_engine(fresh_postgres_url)

    def lose_lock(self, engine, lock):
        """End the holder's session from outside, as a dropped connection would."""
        with engine.begin() as conn:
            ended = conn.execute(sa.text(
                "SELECT pg_terminate_backend(pid) FROM pg_locks"
                " WHERE locktype = 'advisory' AND database = ("
                "   SELECT oid FROM pg_database WHERE datname = current_database())"
            )).scalars().all()
        assert ended == [True]
