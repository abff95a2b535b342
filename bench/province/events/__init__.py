"""A plan as the public events the services would publish for it (for loading at scale).

The benchmark appends these straight into each service's event store (SqlEventStore of source
members, meetings, oversight, reporting) instead of going through HTTP: the same contract
events, encoded by `public_registry().encode`, with what the services add themselves (the
moves and transfers of a merger, the roll-call figures, the visits derived from roll calls).
"""

from __future__ import annotations

from bench.province.events.base import Event
from bench.province.events.meetings import meeting_events
from bench.province.events.members import member_events
from bench.province.events.oversight import oversight_events, review_events
from bench.province.events.rulebooks import rulebook_events

__all__ = ["Event", "meeting_events", "member_events", "oversight_events", "review_events",
           "rulebook_events"]
