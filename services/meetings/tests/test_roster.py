"""The service's own copy of the tree and the roll, built from real members.events by the
consumer runner (embedded log), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

from .support import CELL, COMMUNE, OTHER_CELL, PROVINCE, MembersFeed, catch_up, count_rows

MARCH = date(2025, 3, 3)


def roll(service, on=MARCH, cell=CELL):
    return service.roster.roll(cell, on)


def test_the_roll_lists_the_members_of_the_cell_on_the_day(roster, service):
    march = roll(service)
    assert march.required == {"A", "B", "C", "P"}
    assert march.voters == {"A", "B", "C"}
    assert march.names["A"] == "Nguyễn Văn A"
    assert roll(service, on=date(2024, 1, 1)).required == {"A", "B", "C"}  # P admitted in June
    assert roll(service, cell=OTHER_CELL).required == {"Z"}


def test_exempted_members_leave_the_required_base_for_the_exemption(roster, service):
    exemption = roster.exempt("A", date(2025, 1, 1), date(2025, 12, 31))
    roster.publish()
    catch_up(service)
    assert roll(service).exempted == {"A"} and "A" not in roll(service).required
    assert "A" in roll(service, on=date(2026, 1, 1)).required
    roster.end_exemption("A", exemption, date(2025, 3, 31))
    roster.publish()
    catch_up(service)
    assert "A" in roll(service, on=date(2025, 4, 1)).required
    assert "A" in roll(service).exempted


def test_transfers_and_departures_change_the_roll_from_their_day(roster, service):
    roster.transfer("B", OTHER_CELL, date(2025, 2, 1))
    roster.leave("C", date(2025, 3, 1))
    roster.publish()
    catch_up(service)
    assert roll(service).required == {"A", "P"}
    assert roll(service, on=date(2025, 1, 31)).required == {"A", "B", "C", "P"}
    assert roll(service, cell=OTHER_CELL).required == {"B", "Z"}


def test_temporarily_attached_members_are_required_by_the_host_cell(roster, service):
    roster.attach("Z", CELL, date(2025, 3, 1), date(2025, 3, 31))
    roster.publish()
    catch_up(service)
    host, home = roll(service), roll(service, cell=OTHER_CELL)
    assert "Z" in host.required and host.attached == {"Z"} and "Z" not in host.voters
    assert home.required == set() and home.elsewhere == {"Z": CELL}
    assert "Z" in roll(service, cell=OTHER_CELL, on=date(2025, 4, 1)).required


def test_members_vote_from_the_day_they_become_full(roster, service):
    roster.confirm_full("P", date(2025, 6, 1))
    roster.publish()
    catch_up(service)
    assert "P" not in roll(service).voters
    assert "P" in roll(service, on=date(2025, 6, 1)).voters


def test_a_merged_cell_hands_its_members_and_its_place_to_the_cell_it_joined(roster, service):
    roster.merge(OTHER_CELL, CELL, date(2025, 7, 1))
    roster.publish()
    catch_up(service)
    assert "Z" in roll(service, on=date(2025, 7, 1)).required
    assert "Z" not in roll(service).required
    merged = service.roster.cell(OTHER_CELL)
    assert (merged.ended_on, merged.merged_into) == (date(2025, 7, 1), CELL)
    assert service.roster.lineage(OTHER_CELL, date(2025, 8, 1)) == {
        OTHER_CELL, CELL, COMMUNE, PROVINCE}


def test_the_lineage_follows_a_move_from_its_day(roster, service):
    roster.unit("commune-2", "commune_committee", PROVINCE)
    roster.move(CELL, "commune-2", date(2025, 7, 1))
    roster.publish()
    catch_up(service)
    assert service.roster.lineage(CELL, MARCH) == {CELL, COMMUNE, PROVINCE}
    assert service.roster.lineage(CELL, date(2025, 7, 1)) == {CELL, "commune-2", PROVINCE}


def test_events_published_twice_are_applied_once(roster, service):
    placements = count_rows(service.engine, service.tables.placements)
    roster.store.save_cursor(roster.relay.cursor, 0)  # as after a relay crash
    assert roster.publish() > 0
    assert catch_up(service) == 0
    assert count_rows(service.engine, service.tables.placements) == placements
    assert roll(service).required == {"A", "B", "C", "P"}


def test_members_may_arrive_before_their_cell(feed: MembersFeed, service):
    feed.member("A", cell_id="late-cell")
    feed.publish()
    catch_up(service)
    feed.unit("late-cell")
    feed.publish()
    catch_up(service)
    assert service.roster.cell("late-cell") is not None
    assert roll(service, cell="late-cell").required == {"A"}
