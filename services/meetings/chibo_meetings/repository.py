"""Saves a meeting's new events and its row in the meeting list in one database transaction."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from chibo_eventsourcing.repository import Repository, Written
from chibo_eventsourcing.sql.store import SqlEventStore
from chibo_eventsourcing.sql.upsert import upsert
from chibo_eventsourcing.store import ConcurrencyError, Metadata
from chibo_meetings import publishing
from chibo_meetings.domain import Meeting
from chibo_meetings.read_models import Tables


class MeetingRepository(Repository[Meeting]):
    """The list and the task index never lag the events: they commit together."""

    def __init__(self, store: SqlEventStore, tables: Tables) -> None:
        super().__init__(store, Meeting, publishing)
        self.sql_store = store
        self.tables = tables

    def save(
        self, aggregate: Meeting, metadata: Metadata, *, expected_version: int | None = None
    ) -> Written:
        base = aggregate.saved_version
        if expected_version is not None and expected_version != base:
            raise ConcurrencyError(aggregate.id, expected_version, base)
        events = [self.codec.encode(e) for e in aggregate.collect()]
        if not events:
            return Written(aggregate.id, base, 0)
        with self.sql_store.engine.begin() as conn:
            stored = self.sql_store.append(aggregate.id, base, events, metadata, connection=conn)
            self._index(conn, aggregate)
        return Written(aggregate.id, aggregate.version, stored[-1].position or 0)

    def _index(self, conn: sa.Connection, meeting: Meeting) -> None:
        upsert(conn, self.tables.meetings, [summary(meeting)], ["meeting_id"])
        tasks = meeting.resolution.tasks if meeting.resolution else ()
        rows = [{"task_id": t.task_id, "meeting_id": meeting.id} for t in tasks]
        upsert(conn, self.tables.tasks, rows, ["task_id"])


def summary(meeting: Meeting) -> dict[str, Any]:
    """The meeting's row in the list."""
    graded = meeting.confirmation or meeting.assessment
    return {
        "meeting_id": meeting.id,
        "cell_id": meeting.cell_id,
        "kind": meeting.kind,
        "status": meeting.status,
        "scheduled_for": meeting.scheduled.scheduled_for.isoformat(),
        "scheduled_on": meeting.scheduled_on,
        "held_on": meeting.held.held_on if meeting.held else None,
        "meeting_on": meeting.meeting_on,
        "topic": meeting.scheduled.topic,
        "grade": graded.grade if graded else None,
        "grade_confirmed": meeting.confirmation is not None,
        "version": meeting.version,
    }
