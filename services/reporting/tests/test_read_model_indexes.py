"""Attendance is indexed by cell for its counted absences only; the query that reads it by
cell must find the members absent from a report's cells, and through that partial index."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa

from chibo_eventsourcing.sql.engine import create_engine
from chibo_reporting.queries.loading import Loader
from chibo_reporting.read_models import define_read_model


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path) -> Any:
    url = (f"sqlite:///{tmp_path}/reporting.db" if request.param == "sqlite"
           else request.getfixturevalue("fresh_postgres_url"))
    engine = create_engine(url)
    yield engine
    engine.dispose()


def entry(meeting: str, member: str, cell: str, day: date, status: str, *,
          counted: bool = True) -> dict[str, Any]:
    return {"meeting_id": meeting, "member_id": member, "cell_id": cell, "held_on": day,
            "status": status, "reason": None, "in_base": counted, "attached": False,
            "rc_exempted": not counted, "exemption_event_id": None, "counted": counted,
            "event_id": f"e-{meeting}-{member}"}


def test_the_members_absent_from_a_reports_cells_are_read_through_the_partial_index(engine):
    metadata = sa.MetaData()
    model = define_read_model(metadata)
    metadata.create_all(engine)
    march, june, next_year = date(2025, 3, 3), date(2025, 6, 2), date(2026, 1, 5)
    rows = [
        entry("m1", "an", "c1", march, "present"),
        entry("m1", "binh", "c1", march, "absent_excused"),
        entry("m1", "chi", "c1", march, "absent_unexcused"),
        entry("m1", "dung", "c1", march, "absent_excused", counted=False),  # exempted
        entry("m2", "em", "c2", june, "absent_unexcused"),
        entry("m3", "giang", "c1", next_year, "absent_excused"),  # another year
        entry("m4", "hoa", "c3", june, "absent_excused"),  # another cell
    ]
    # Enough entries of other cells that PostgreSQL's planner weighs the indexes at all.
    rows += [entry(f"x{n // 30}", f"p{n}", f"o{n // 30}", march, "present")
             for n in range(3000)]
    statements: list[tuple[str, Any]] = []
    with engine.begin() as conn:
        conn.execute(model.attendance.insert(), rows)
        conn.execute(sa.text("ANALYZE"))

        def seen(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
            statements.append((statement, parameters))

        sa.event.listen(conn, "before_cursor_execute", seen)
        absent = Loader(conn, model).absent_members(["c1", "c2"], date(2025, 1, 1),
                                                    date(2025, 12, 31))
        sa.event.remove(conn, "before_cursor_execute", seen)
        assert absent == {"binh", "chi", "em"}

        (statement, parameters), = statements
        plan = " ".join(str(row[-1]) for row in conn.exec_driver_sql(
            f"EXPLAIN {'QUERY PLAN ' if engine.dialect.name == 'sqlite' else ''}{statement}",
            parameters))
        assert "ix_attendance_absences" in plan, plan
