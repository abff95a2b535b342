"""Multi-row upserts, inserts of new rows and selects by many keys, the same on SQLite and on a
real PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from chibo_eventsourcing.sql.engine import create_engine, is_postgres
from chibo_eventsourcing.sql.keys import CHUNK, one_of
from chibo_eventsourcing.sql.upsert import COPY_FROM, insert_new, upsert

metadata = sa.MetaData()
ROWS = sa.Table(
    "rows", metadata,
    sa.Column("id", sa.String(20), primary_key=True),
    sa.Column("day", sa.Date), sa.Column("count", sa.BigInteger), sa.Column("flag", sa.Boolean),
    sa.Column("text", sa.Text),
)
DOCS = sa.Table(
    "docs", metadata,
    sa.Column("id", sa.String(20), primary_key=True),
    sa.Column("body", sa.JSON), sa.Column("ratio", sa.Float), sa.Column("seen_at", sa.DateTime),
)


def read(engine: sa.Engine) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.select(ROWS).order_by(ROWS.c.id))]


class UpsertContract:
    """Subclasses provide `engine`, a fresh database."""

    def test_new_rows_go_in_with_their_types_including_nulls_and_quotes(self, engine):
        metadata.create_all(engine)
        rows = [{"id": f"r-{n}", "day": date(2025, 7, n), "count": 2**40 + n, "flag": n % 2 == 0,
                 "text": None if n == 3 else f'Chi bộ "Bi Ban"\t{n}\\n'} for n in range(1, 5)]
        with engine.begin() as conn:
            insert_new(conn, ROWS, rows)
        assert read(engine) == [tuple(r.values()) for r in rows]

    def test_a_new_row_that_exists_fails_the_transaction_and_leaves_nothing(self, engine):
        metadata.create_all(engine)
        with engine.begin() as conn:
            insert_new(conn, ROWS, [{"id": "a", "day": None, "count": 1, "flag": True,
                                     "text": "x"}])
        with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
            insert_new(conn, ROWS, [{"id": "b", "day": None, "count": 2, "flag": True,
                                     "text": "y"},
                                    {"id": "a", "day": None, "count": 3, "flag": True,
                                     "text": "z"}])
        assert read(engine) == [("a", None, 1, True, "x")]

    def test_upsert_replaces_the_other_columns_of_existing_keys(self, engine):
        metadata.create_all(engine)
        with engine.begin() as conn:
            upsert(conn, ROWS, [{"id": "a", "day": None, "count": 1, "flag": True, "text": "x"}],
                   ["id"])
            upsert(conn, ROWS, [{"id": "a", "day": None, "count": 5, "flag": False, "text": "y"},
                                {"id": "b", "day": None, "count": 6, "flag": True, "text": "z"}],
                   ["id"])
        assert read(engine) == [("a", None, 5, False, "y"), ("b", None, 6, True, "z")]

    def test_upsert_of_thousands_of_rows_keeps_every_type_null_and_quote(self, engine):
        metadata.create_all(engine)
        rows = [{"id": f"r-{n:05d}", "day": date(2025, 1 + n % 12, 1 + n % 28) if n % 7 else None,
                 "count": 2**40 + n if n % 5 else None, "flag": None if n % 11 == 0 else n % 2 == 0,
                 "text": None if n % 3 == 0 else f"Chi bộ 'Bản {n}' \"x\" %s %(y)s \\ {n}"}
                for n in range(3 * 500 + 7)]
        with engine.begin() as conn:
            upsert(conn, ROWS, rows[:1000], ["id"])
            upsert(conn, ROWS, [r | {"count": -1} for r in rows[:10]] + rows[1000:], ["id"])
        expected = [r | {"count": -1} if n < 10 else r for n, r in enumerate(rows)]
        assert read(engine) == [tuple(r.values()) for r in expected]

    def test_rows_with_json_floats_and_times_upsert_too(self, engine):
        metadata.create_all(engine)
        with engine.begin() as conn:
            upsert(conn, DOCS, [{"id": "a", "body": {"issues": ["x"], "n": 1}, "ratio": 0.5,
                                 "seen_at": datetime(2025, 7, 1, 8, 30)}], ["id"])
            upsert(conn, DOCS, [{"id": "a", "body": ["y"], "ratio": None, "seen_at": None},
                                {"id": "b", "body": None, "ratio": 2.25,
                                 "seen_at": datetime(2025, 7, 2)}], ["id"])
        with engine.connect() as conn:
            found = [tuple(r) for r in conn.execute(sa.select(DOCS).order_by(DOCS.c.id))]
        assert found == [("a", ["y"], None, None), ("b", None, 2.25, datetime(2025, 7, 2))]

    def test_json_rows_by_the_hundred_upsert_too(self, engine):
        metadata.create_all(engine)
        rows = [{"id": f"d-{n:04d}", "body": {"n": n, "names": ["Lò Văn Tâm"]}, "ratio": n / 8,
                 "seen_at": datetime(2025, 7, 1, n % 24)} for n in range(COPY_FROM + 50)]
        with engine.begin() as conn:
            upsert(conn, DOCS, rows[:COPY_FROM], ["id"])
            upsert(conn, DOCS, [r | {"body": None} for r in rows], ["id"])
        with engine.connect() as conn:
            found = [tuple(r) for r in conn.execute(sa.select(DOCS).order_by(DOCS.c.id))]
        assert found == [(r["id"], None, r["ratio"], r["seen_at"]) for r in rows]

    @pytest.mark.parametrize("size", [3, COPY_FROM + 3])
    def test_a_key_given_twice_keeps_its_last_row(self, engine, size):
        metadata.create_all(engine)
        rows = [{"id": f"r-{n:04d}", "day": None, "count": n, "flag": True, "text": "first"}
                for n in range(size)]
        with engine.begin() as conn:
            upsert(conn, ROWS, [*rows, rows[1] | {"text": "second"}, rows[0] | {"count": -1}],
                   ["id"])
        expected = [rows[0] | {"count": -1}, rows[1] | {"text": "second"}, *rows[2:]]
        assert read(engine) == [tuple(r.values()) for r in expected]

    @pytest.mark.parametrize("size", [3, COPY_FROM + 3])
    def test_an_upsert_of_some_columns_leaves_the_others(self, engine, size):
        metadata.create_all(engine)
        rows = [{"id": f"r-{n:04d}", "day": date(2025, 1, 1 + n % 28), "count": n, "flag": True,
                 "text": f"Chi bộ {n}"} for n in range(size)]
        with engine.begin() as conn:
            insert_new(conn, ROWS, rows)
            upsert(conn, ROWS, [{"id": r["id"], "flag": False} for r in rows], ["id"])
        assert read(engine) == [tuple((r | {"flag": False}).values()) for r in rows]

    @pytest.mark.parametrize("size", [3, COPY_FROM + 3])
    def test_an_upsert_that_breaks_a_constraint_fails_the_transaction_and_leaves_nothing(
            self, engine, size):
        metadata.create_all(engine)
        rows = [{"id": f"r-{n:04d}", "day": None, "count": n, "flag": True, "text": None}
                for n in range(size)]
        with pytest.raises(sa.exc.IntegrityError, match="INSERT INTO"), engine.begin() as conn:
            upsert(conn, ROWS, [*rows, rows[0] | {"id": None}], ["id"])
        assert read(engine) == []

    def test_rows_by_more_keys_than_a_chunk_in_one_statement_where_arrays_exist(self, engine):
        metadata.create_all(engine)
        with engine.begin() as conn:
            insert_new(conn, ROWS, [{"id": f"r-{n:04d}", "day": None, "count": n, "flag": True,
                                     "text": None} for n in range(3 * CHUNK)])
        wanted = [f"r-{n:04d}" for n in range(1, 3 * CHUNK, 2)] + ["r-0001", "missing"]
        statements = []
        sa.event.listen(engine, "before_cursor_execute",
                        lambda *a: a[2].startswith("SELECT") and statements.append(a[2]))
        with engine.connect() as conn:
            found = [r.count for condition in one_of(conn, ROWS.c.id, wanted)
                     for r in conn.execute(sa.select(ROWS.c.count).where(condition))]
            assert list(one_of(conn, ROWS.c.id, [])) == []
        assert sorted(found) == list(range(1, 3 * CHUNK, 2))
        assert len(statements) == (1 if is_postgres(engine) else 2)


class TestSqlite(UpsertContract):
    @pytest.fixture
    def engine(self, tmp_path):
        engine = create_engine(f"sqlite:///{tmp_path}/rows.db")
        yield engine
        engine.dispose()


@pytest.mark.postgres
class TestPostgres(UpsertContract):
    @pytest.fixture
    def engine(self, fresh_postgres_url):
        engine = create_engine(fresh_postgres_url)
        yield engine
        engine.dispose()

    def test_plain_rows_by_the_hundred_are_copied_and_json_rows_are_bound(self, engine):
        """From COPY_FROM rows on, plain columns go through a staging table filled by COPY (no
        INSERT of SQLAlchemy's); JSON, which SQLAlchemy serializes, and times go through its
        INSERT."""
        metadata.create_all(engine)
        inserts: list[str] = []
        sa.event.listen(engine, "before_cursor_execute",
                        lambda *a: a[2].startswith("INSERT") and inserts.append(a[2]))
        with engine.begin() as conn:
            upsert(conn, ROWS, [{"id": f"r-{n:04d}", "day": None, "count": n, "flag": True,
                                 "text": None} for n in range(COPY_FROM)], ["id"])
            assert inserts == []
            upsert(conn, ROWS, [{"id": "small", "day": None, "count": 0, "flag": True,
                                 "text": None}], ["id"])
            assert len(inserts) == 1
            upsert(conn, DOCS, [{"id": f"d-{n:04d}", "body": [n], "ratio": None,
                                 "seen_at": None} for n in range(COPY_FROM)], ["id"])
            assert len(inserts) == 2
            # Times too: COPY would drop an aware time's offset where INSERT converts it.
            upsert(conn, DOCS, [{"id": f"d-{n:04d}", "ratio": 1.5,
                                 "seen_at": datetime(2025, 7, 1, tzinfo=UTC)}
                                for n in range(COPY_FROM)], ["id"])
            assert len(inserts) == 3
        assert len(read(engine)) == COPY_FROM + 1

    def test_a_select_by_keys_is_planned_for_its_keys_even_after_the_table_grew(self, engine):
        """psycopg prepares a statement run five times, and PostgreSQL then keeps one plan for
        any parameter: a select by an array of keys, first run on an empty table, kept a scan
        that compared every row with each key in turn (seconds a batch in the reporting replay
        once the table had grown). The keys are written into the statement instead, so no
        plan is ever made without them."""
        metadata.create_all(engine)
        key_sets = [[f"r-{n:05d}" for n in range(run, 4000, 3)] for run in range(12)]

        def select(conn: sa.Connection, wanted: list[str]) -> list[int]:
            return sorted(r.count for condition in one_of(conn, ROWS.c.id, wanted)
                          for r in conn.execute(sa.select(ROWS.c.count).where(condition)))

        with engine.connect() as conn:
            for wanted in key_sets:
                assert select(conn, wanted) == []
            insert_new(conn, ROWS, [{"id": f"r-{n:05d}", "day": None, "count": n, "flag": True,
                                     "text": None} for n in range(2000)])
            for run, wanted in enumerate(key_sets):
                assert select(conn, wanted) == list(range(run, 2000, 3))
            planned_without_keys = conn.execute(sa.text(
                "SELECT count(*) FROM pg_prepared_statements"
                " WHERE statement LIKE '%ANY%' AND cardinality(parameter_types) > 0")).scalar()
        assert planned_without_keys == 0
