"""The rules of a resolution: a tally within the voting base, tasks due after the meeting."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date

from chibo_meetings.domain.errors import InvalidMeetingError
from chibo_meetings.domain.events import ResolutionTask


def check_tally(votes: Sequence[int], voting_base: int) -> None:
    """Votes for, against and abstaining cannot be negative nor exceed the voting base."""
    if min(votes) < 0:
        raise InvalidMeetingError.on("votes_for", "votes cannot be negative")
    if sum(votes) > voting_base:
        raise InvalidMeetingError.on("votes_for", (
            f"{sum(votes)} votes exceed the voting base: {voting_base} voting members were "
            "present (probationary members do not vote)"
        ))


def check_tasks(tasks: Sequence[ResolutionTask], held_on: date) -> None:
    """Task ids are distinct and every task is due on or after the meeting day."""
    messages = []
    repeated = sorted(t for t, n in Counter(t.task_id for t in tasks).items() if n > 1)
    if repeated:
        messages.append(f"task ids used twice: {', '.join(repeated)}")
    early = [t.task_id for t in tasks if t.due_on < held_on]
    if early:
        messages.append(f"due before the meeting ({held_on}): {', '.join(early)}")
    if messages:
        detail = "; ".join(messages)
        raise InvalidMeetingError(f"the resolution's tasks: {detail}", {"tasks": messages})
