"""The HTTP steps API tests repeat: schedule, hold, call the roll, adopt a resolution."""

from __future__ import annotations

from typing import Any

from .support import CELL, Client

MEETING_DAY = "2025-03-03"
STARTED = "2025-03-03T19:00:00+07:00"
ENDED = "2025-03-03T21:00:00+07:00"
EVERYONE = ("A", "B", "C", "P")
SCORES = {"preparation": 14, "attendance": 15, "procedure": 13, "content": 22,
          "discussion": 13, "resolution": 14}  # 91


def schedule(client: Client, **fields: Any) -> dict[str, Any]:
    body = {"cell_id": CELL, "kind": "regular", "scheduled_for": STARTED} | fields
    answer = client.post("/meetings", body)
    assert answer.status_code == 201, answer.json
    return dict(answer.json)


def hold(client: Client, meeting_id: str, started: str = STARTED, ended: str = ENDED, *,
         chair: str = "A", minute_taker: str = "B") -> Any:
    answer = client.post(f"/meetings/{meeting_id}/held", {
        "started_at": started, "ended_at": ended, "place": "Nhà văn hóa thôn Bản",
        "chair_id": chair, "minute_taker_id": minute_taker,
    })
    assert answer.status_code == 200, answer.json
    return answer


def entries(*present: str, **others: tuple[str, str | None]) -> list[dict[str, Any]]:
    """`present` members, plus `others` as member=(status, reason)."""
    listed: list[dict[str, Any]] = [{"member_id": m, "status": "present"} for m in present]
    listed += [{"member_id": m, "status": s, "reason": r} for m, (s, r) in others.items()]
    return listed


def call_roll(client: Client, meeting_id: str, listed: list[dict[str, Any]] | None = None,
              guests: list[dict[str, Any]] | None = None, **kwargs: Any) -> Any:
    body = {"entries": entries(*EVERYONE) if listed is None else listed, "guests": guests or []}
    return client.put(f"/meetings/{meeting_id}/roll-call", body, **kwargs)


def held_meeting(client: Client, **fields: Any) -> str:
    meeting_id = str(schedule(client, **fields)["id"])
    hold(client, meeting_id)
    return meeting_id


def with_roll_call(client: Client) -> str:
    meeting_id = held_meeting(client)
    answer = call_roll(client, meeting_id)
    assert answer.status_code == 200, answer.json
    return meeting_id
