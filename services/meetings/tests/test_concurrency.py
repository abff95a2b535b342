"""Concurrent writers: the stream version decides, one wins, the other hears 412 (or 409)."""

from __future__ import annotations

import threading

from .api_steps import EVERYONE, entries, held_meeting
from .support import Client, stored_events

ROUNDS = 4


def race(app, meeting_id, bodies, headers):
    """PUT every body at the same instant from its own client; return the answers in order."""
    barrier = threading.Barrier(len(bodies))
    answers = [None] * len(bodies)

    def send(index):
        client = Client(app)
        barrier.wait()
        answers[index] = client.put(f"/meetings/{meeting_id}/roll-call", bodies[index],
                                    headers=headers)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(bodies))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers


def test_two_clients_with_the_same_if_match_one_wins_the_other_gets_412(app, client, roster,
                                                                        service):
    for _ in range(ROUNDS):
        meeting_id = held_meeting(client)
        bodies = [
            {"entries": entries(*EVERYONE)},
            {"entries": entries("A", "B", "C", P=("absent_excused", "ốm"))},
        ]
        answers = race(app, meeting_id, bodies, {"If-Match": '"2"'})
        assert sorted(a.status_code for a in answers) == [200, 412], [a.json for a in answers]
        winner = bodies[[a.status_code for a in answers].index(200)]
        meeting = client.get(f"/meetings/{meeting_id}")
        assert meeting.headers["ETag"] == '"3"'
        recorded = meeting.json["roll_call"]["entries"]
        assert sorted(e["status"] for e in recorded) == sorted(
            e["status"] for e in winner["entries"])
        assert [e["type"] for e in stored_events(service, meeting_id)][-1] == (
            "meetings.AttendanceRecorded")


def test_concurrent_writers_without_if_match_never_both_write_the_same_version(app, client,
                                                                               roster, service):
    meeting_id = held_meeting(client)
    bodies = [{"entries": entries("A", "B", "C", P=("absent_excused", f"lý do {i}"))}
              for i in range(4)]
    answers = race(app, meeting_id, bodies, {})
    statuses = [a.status_code for a in answers]
    assert set(statuses) <= {200, 409} and 200 in statuses
    roll_calls = [e for e in stored_events(service, meeting_id)
                  if e["type"].startswith("meetings.Attendance")]
    assert len(roll_calls) == statuses.count(200)
    versions = sorted(a.headers["ETag"] for a in answers if a.status_code == 200)
    assert len(set(versions)) == len(versions)
