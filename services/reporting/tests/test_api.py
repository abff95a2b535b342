"""HTTP conventions of the reporting API: rulebooks, validation, scope, waiting, audit."""

from __future__ import annotations

import json
import threading
from dataclasses import replace
from datetime import date

import pytest
import sqlalchemy as sa

from chibo_eventsourcing.relay import message_for
from chibo_reporting.access import PERMISSIONS
from chibo_reporting.app import PATH_PREFIXES
from chibo_web.permissions import uncovered, unknown

from .scenarios import CELL, COMMUNE, DISTRICT, PROVINCE, bi_ban_roll, bi_ban_tree
from .support import Client, catch_up, walk


@pytest.fixture
def province(world, service) -> str:
    """Sơn La, as members.events told reporting of it (a rulebook's unit must be known)."""
    world.unit(PROVINCE, "provincial_committee", None, name="Tỉnh ủy Sơn La")
    world.publish()
    catch_up(service)
    return PROVINCE


@pytest.mark.usefixtures("province")
def test_publishing_a_rulebook_answers_201_with_the_merged_parameters(client, service):
    answer = client.post("/rulebooks", {"unit_id": PROVINCE, "effective_from": "2024-01-01",
                                        "name": "Quỳnh Nhai",
                                        "parameters": {"overseer_quotas": {
                                            "executive_committee_member": 3,
                                            "standing_committee_member": 2}}})
    assert answer.status_code == 201
    body = answer.get_json()
    assert (body["unit_id"], body["version"], body["name"]) == (PROVINCE, 1, "Quỳnh Nhai")
    assert body["parameters"]["regular_min_minutes"] == 90
    assert answer.headers["Location"] == f"/rulebooks/{body['id']}"
    listed = client.get(f"/rulebooks?unit_id={PROVINCE}").get_json()["items"]
    assert [(r["id"], r["version"]) for r in listed] == [("national-default", 0),
                                                          (body["id"], 1)]
    # The series is traceable in the audit trail, from the answer and from every report.
    service.relay().run_once()
    catch_up(service)
    stream = client.get(f"/audit/streams/{body['stream_id']}").get_json()
    assert [(e["type"], e["data"]["rulebook_id"]) for e in stream["events"]] == [
        ("reporting.RulebookPublished", body["id"])]
    stated = client.get(f"/reports/units/{PROVINCE}?period=2024").get_json()["rulebook"]
    assert stated == {"id": body["id"], "version": 1, "unit_id": PROVINCE,
                      "stream_id": body["stream_id"]}
    position = answer.headers["Chibo-Position"]
    located = client.get(f"{answer.headers['Location']}?wait_for={position}")
    assert (located.status_code, located.get_json()) == (200, body)
    assert client.get("/rulebooks/national-default").get_json()["version"] == 0
    missing = client.get("/rulebooks/no-such-rulebook")
    assert missing.status_code == 404 and missing.content_type == "application/problem+json"


@pytest.mark.usefixtures("province")
def test_a_retried_publication_is_harmless_and_a_reused_id_is_refused(client):
    body = {"id": "rb-son-la-2024", "unit_id": PROVINCE, "effective_from": "2024-01-01",
            "parameters": {"prescribed_day": 3}}
    first = client.post("/rulebooks", body, headers={"Idempotency-Key": "k-1"})
    again = client.post("/rulebooks", body, headers={"Idempotency-Key": "k-1"})
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.get_json() == again.get_json()
    same_id = client.post("/rulebooks", body)
    assert same_id.status_code == 201
    assert same_id.get_json()["version"] == 1
    other = client.post("/rulebooks", body | {"parameters": {"prescribed_day": 5}})
    assert other.status_code == 409
    assert other.content_type == "application/problem+json"
    versions = client.get(f"/rulebooks?unit_id={PROVINCE}").get_json()["items"]
    assert len(versions) == 2


def test_a_rulebook_id_is_one_units_even_before_reporting_has_read_its_publication(
        client, world, service):
    """The id's owner is what reporting's store holds, not its read model: the projector has
    not read the first publication back when the second comes."""
    world.unit(PROVINCE, "provincial_committee", None)
    world.unit(DISTRICT, "district_committee", PROVINCE)
    world.publish()
    catch_up(service)
    body = {"id": "rb-2024", "effective_from": "2024-01-01", "parameters": {"prescribed_day": 3}}
    assert client.post("/rulebooks", body | {"unit_id": PROVINCE}).status_code == 201
    taken = client.post("/rulebooks", body | {"unit_id": DISTRICT})
    assert taken.status_code == 409 and taken.content_type == "application/problem+json"
    assert PROVINCE in taken.get_json()["detail"]
    assert taken.get_json()["errors"] == {"id": ["already used for another unit"]}
    default = client.post("/rulebooks", body | {"unit_id": DISTRICT, "id": "national-default"})
    assert default.status_code == 409
    assert default.get_json()["errors"] == {"id": ["the national default's id"]}
    assert service.store.last_position() == 1  # the province's publication only
    assert client.post("/rulebooks", body | {"unit_id": PROVINCE}).status_code == 201  # again


@pytest.mark.usefixtures("province")
def test_a_units_rulebooks_carry_the_version_if_match_guards(client):
    listed = client.get(f"/rulebooks?unit_id={PROVINCE}")
    assert listed.headers["ETag"] == '"0"'
    body = {"unit_id": PROVINCE, "effective_from": "2024-01-01",
            "parameters": {"prescribed_day": 24}}
    assert client.post("/rulebooks", body, headers={"If-Match": '"0"'}).status_code == 201
    assert client.get(f"/rulebooks?unit_id={PROVINCE}").headers["ETag"] == '"1"'
    stale = client.post("/rulebooks", body | {"effective_from": "2025-01-01"},
                        headers={"If-Match": '"0"'})
    assert stale.status_code == 412


@pytest.mark.usefixtures("province")
def test_invalid_parameters_are_a_422_naming_each_and_nothing_is_published(client, service):
    answer = client.post("/rulebooks", {"unit_id": PROVINCE, "effective_from": "2024-01-01",
                                        "parameters": {"prescribed_day": 40, "quorum": 2}})
    assert answer.status_code == 422
    problem = answer.get_json()
    assert set(problem["errors"]["parameters"]) == {"prescribed_day", "quorum"}
    missing = client.post("/rulebooks", {"unit_id": PROVINCE, "parameters": {}})
    assert missing.status_code == 422
    assert "effective_from" in missing.get_json()["errors"]
    ancient = client.post("/rulebooks", {"unit_id": PROVINCE, "effective_from": "1930-02-02",
                                         "parameters": {}})
    assert "effective_from" in ancient.get_json()["errors"]  # before the national default
    assert service.store.last_position() == 0


def test_a_rulebook_for_a_unit_reporting_does_not_know_is_a_422_and_can_wait_for_it(
        client, world, service):
    body = {"unit_id": PROVINCE, "effective_from": "2024-01-01", "parameters": {}}
    unknown = client.post("/rulebooks", body)
    assert unknown.status_code == 422 and unknown.content_type == "application/problem+json"
    assert "not yet" in unknown.get_json()["errors"]["unit_id"][0]
    assert service.store.last_position() == 0  # nothing published
    created = world.unit(PROVINCE, "provincial_committee", None)
    world.publish()
    projector = service.projector()
    projector.poll_timeout = 0.05
    stop = threading.Event()
    worker = threading.Thread(target=projector.run, args=(stop,))
    worker.start()
    try:  # the write that created the unit, as its Chibo-Position names it
        answer = client.post(f"/rulebooks?wait_for=members:{created.position}", body)
    finally:
        stop.set()
        worker.join(10)
    assert answer.status_code == 201, answer.get_json()
    assert client.post("/rulebooks?wait_for=members:x", body).status_code == 422


def test_a_bad_period_or_mode_is_a_422_naming_the_parameter(client):
    answer = client.get(f"/reports/cells/{CELL}?period=2024-13")
    assert answer.status_code == 422
    assert answer.content_type == "application/problem+json"
    assert "period" in answer.get_json()["errors"]
    assert "period" in client.get(f"/reports/units/{PROVINCE}").get_json()["errors"]
    assert "rules" in client.get(f"/reports/cells/{CELL}?period=2024&rules=later").get_json()[
        "errors"]
    for wait_for in ("x", "members:%D9%A5", "members:5%0A", "members:0"):  # Arabic-Indic 5;
        # a final newline; a position before the first
        answer = client.get(f"/reports/cells/{CELL}?period=2024&wait_for={wait_for}")
        assert "wait_for" in answer.get_json()["errors"]
    # A parameter of one value given twice is ambiguous, not a report for either.
    twice = client.get(f"/reports/units/{PROVINCE}?period=2025&period=2024&rules=current"
                       "&tree_as_of=2024-01-01&tree_as_of=2025-01-01")
    assert twice.status_code == 422 and twice.content_type == "application/problem+json"
    assert sorted(twice.get_json()["errors"]) == ["period", "tree_as_of"]
    assert "more than once" in twice.get_json()["errors"]["period"][0]


def test_reports_need_a_token_and_stay_inside_its_scope(app, world, service):
    bi_ban_tree(world)
    world.unit("other-province", "provincial_committee", None)
    world.publish()
    catch_up(service)
    anonymous = app.test_client().get(f"/reports/cells/{CELL}?period=2024")
    assert anonymous.status_code == 401
    commune_staff = Client(app, roles=("committee_staff",), scope=(COMMUNE,))
    assert commune_staff.get(f"/reports/cells/{CELL}?period=2024").status_code == 200
    assert commune_staff.get("/reports/units/other-province?period=2024").status_code == 403
    assert commune_staff.get("/audit/verify?source=members").status_code == 403
    refused = commune_staff.post("/rulebooks", {"unit_id": "other-province",
                                                "effective_from": "2024-01-01",
                                                "parameters": {}})
    assert refused.status_code == 403
    admin = Client(app)
    published = {unit: admin.post("/rulebooks", {"unit_id": unit, "effective_from": "2024-01-01",
                                                 "parameters": {}}).get_json()["id"]
                 for unit in (PROVINCE, "other-province")}
    service.relay().run_once()
    catch_up(service)
    # The province's rulebook applies to the commune; the other province's is out of reach,
    # and an unknown one answers alike.
    assert commune_staff.get(f"/rulebooks/{published[PROVINCE]}").status_code == 200
    for rulebook_id in (published["other-province"], "no-such-rulebook"):
        assert commune_staff.get(f"/rulebooks/{rulebook_id}").status_code == 403


def test_the_openapi_document_lists_every_report(app):
    paths = app.test_client().get("/openapi.json").get_json()["paths"]
    assert {"/rulebooks", "/reports/cells/{cell_id}", "/reports/units/{unit_id}",
            "/reports/overseers", "/reports/members/{member_id}", "/reports/reminders",
            "/audit/streams/{stream_id}", "/audit/verify"} <= set(paths)


def test_an_unknown_cell_is_a_404(client):
    answer = client.get("/reports/cells/nowhere?period=2024")
    assert answer.status_code == 404
    assert answer.content_type == "application/problem+json"


def test_wait_for_holds_the_answer_until_the_projection_has_the_write(client, service, world):
    bi_ban_tree(world)
    world.meeting("m-1", CELL, date(2024, 3, 3), roll=bi_ban_roll())
    world.publish()
    position = world.meetings.store.last_position()
    projector = service.projector()
    projector.poll_timeout = 0.05
    stop = threading.Event()
    worker = threading.Thread(target=projector.run, args=(stop,))
    worker.start()
    try:
        answer = client.get(f"/reports/cells/{CELL}?period=2024-03"
                            f"&wait_for=meetings:{position}&wait_for=members:1")
    finally:
        stop.set()
        worker.join(10)
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["positions"]["meetings"] >= position
    assert answer.get_json()["meetings"][0]["meeting_id"] == "m-1"


def test_wait_for_a_position_never_applied_times_out_with_a_problem(client):
    answer = client.get(f"/reports/units/{PROVINCE}?period=2024&wait_for=meetings:99")
    assert answer.status_code == 504
    assert answer.content_type == "application/problem+json"
    assert "meetings:99" in answer.get_json()["detail"]


def test_the_audit_trail_gives_a_streams_history_and_verifies_every_chain(client, world,
                                                                          service):
    bi_ban_tree(world)
    events = world.meeting("m-1", CELL, date(2024, 3, 3), roll=bi_ban_roll())
    world.publish()
    catch_up(service)
    history = client.get("/audit/streams/m-1").get_json()
    assert [e["type"] for e in history["events"]] == [
        "meetings.MeetingScheduled", "meetings.MeetingNoticeSent", "meetings.MeetingDocumentPosted",
        "meetings.MeetingHeld", "meetings.AttendanceRecorded", "meetings.MeetingDocumentPosted",
        "meetings.MeetingSelfAssessed"]
    assert [e["version"] for e in history["events"]] == list(range(1, 8))
    assert history["events"][3]["id"] == events["held"].id
    assert history["events"][3]["actor"] == "meetings-test"
    assert history["events"][3]["time"] == events["held"].time
    assert history["verified"] is True
    verified = client.get("/audit/verify?source=members").get_json()
    assert verified == {"source": "members", "streams": 16, "events": 17, "ok": True,
                        "problems": [], "next": None}

    audit = service.model.audit_events
    with service.engine.begin() as conn:
        conn.execute(sa.update(audit).where(audit.c.event_id == events["roll"].id)
                     .values(data='{"meeting_id":"m-1","present":11}'))
        # Storage that no longer holds JSON is a broken link too, not a failed request.
        conn.execute(sa.update(audit).where(audit.c.event_id == events["held"].id)
                     .values(data='{"meeting_id":"m-1",'))
    tampered = client.get("/audit/verify?source=meetings").get_json()
    assert tampered["ok"] is False
    assert tampered["problems"] == ["m-1@4: hash does not match its content",
                                    "m-1@5: hash does not match its content"]
    broken = client.get("/audit/streams/m-1").get_json()
    assert broken["verified"] is False and broken["problems"] == tampered["problems"]
    assert broken["events"][3]["data"] is None
    assert broken["events"][4]["data"] == {"meeting_id": "m-1", "present": 11}
    assert client.get("/audit/streams/nothing-here").status_code == 404
    unknown = client.get("/audit/verify?source=bogus")  # not "ok": nothing of it was verified
    assert unknown.status_code == 422 and "source" in unknown.get_json()["errors"]


def test_a_scoped_auditor_verifies_the_streams_its_part_of_the_tree_reaches(app, world, service):
    """Bi Ban's commune and a second commune of Quỳnh Nhai (cell Bản Khác, three members);
    bb-01 moves to Bản Khác on 1 July 2024, so both communes' auditors verify their stream."""
    bi_ban_tree(world)
    world.unit("xa-khac", "commune_committee", DISTRICT)
    world.unit("ban-khac", "cell", "xa-khac")
    for n in (1, 2, 3):
        world.member(f"bk-{n}", "ban-khac")
    world.transfer("bb-01", "ban-khac", date(2024, 7, 1))
    world.publish()
    catch_up(service)

    def verified(*scope: str) -> tuple[int, int]:
        answer = Client(app, roles=("auditor",), scope=scope).get(
            "/audit/verify?source=members").get_json()
        assert answer["ok"] is True, answer
        return answer["streams"], answer["events"]

    # Units: 2 of each commune's; members: Bi Ban's 12 (bb-01 and bb-12 with two events), or
    # Bản Khác's 3 and bb-01.
    assert verified(COMMUNE) == (14, 16)
    assert verified("xa-khac") == (6, 7)
    assert verified("XA-KHAC") == (6, 7)  # a scope may name a unit by its code
    assert verified("*") == (6 + 15, 6 + 17)
    # Page by page, the walk covers the same streams, each once, within the scope: bb-01 to
    # bb-05 (bb-01 moved: two events), bb-06 to bb-10, then bb-11, bb-12 (exempted: two),
    # the cell and the commune.
    commune = Client(app, roles=("auditor",), scope=(COMMUNE,))
    assert [(p["streams"], p["events"]) for p in walk(commune, "members", 5)] == [
        (5, 6), (5, 5), (4, 5)]


def test_a_verification_walks_a_large_trail_page_by_page(client, world, service):
    """Bi Ban's tree and roll (16 streams of members, 17 events) in pages of 5 streams, in the
    order of their ids: bb-01 to bb-05, bb-06 to bb-10, bb-11, bb-12 (exempted: two events)
    and three units, then son-la. Each stream is verified once; a tampered one shows in its
    page."""
    bi_ban_tree(world)
    world.publish()
    catch_up(service)
    pages = walk(client, "members", 5)
    assert [(p["streams"], p["events"], p["ok"]) for p in pages] == [
        (5, 5, True), (5, 5, True), (5, 6, True), (1, 1, True)]
    assert [p["next"] for p in pages] == ["bb-05", "bb-10", "quynh-nhai", None]
    whole = client.get("/audit/verify?source=members").get_json()
    assert (sum(p["streams"] for p in pages), sum(p["events"] for p in pages)) == (
        whole["streams"], whole["events"])
    last = client.get("/audit/verify?source=members&limit=16").get_json()
    assert (last["streams"], last["next"]) == (16, None)  # exactly the rest: the walk is done

    audit = service.model.audit_events
    with service.engine.begin() as conn:
        conn.execute(sa.update(audit).where(audit.c.stream_id == "bi-ban")
                     .values(data='{"tampered":true}'))
    checked = walk(client, "members", 5)
    assert [p["ok"] for p in checked] == [True, True, False, True]
    assert checked[2]["problems"] == ["bi-ban@1: hash does not match its content"]
    for bad in ("limit=0", "limit=100001", "limit=five", "after=&limit=5"):
        answer = client.get(f"/audit/verify?source=members&{bad}")
        assert answer.status_code == 422, bad
        assert answer.get_json()["errors"].keys() & {"limit", "after"}, bad


def test_the_audit_trail_keeps_an_events_data_as_it_arrived_and_verifies_it(client, world,
                                                                           service, bus):
    """A producer may send valid JSON in any layout (spaces, escapes, keys in any order); the
    audit row keeps those very bytes and the chain check parses them again."""
    world.unit(PROVINCE, "provincial_committee", None, name="Tỉnh ủy Sơn La")
    envelope = world.members.store.read_all()[0]
    canonical = message_for(envelope)
    value = json.dumps(dict(reversed(envelope.data.items())), indent=2).encode("utf-8")
    assert value != canonical.value and json.loads(value) == json.loads(canonical.value)
    bus.publisher().publish("members.events", [replace(canonical, value=value)])
    assert catch_up(service) == 1

    audit = service.model.audit_events
    with service.engine.connect() as conn:
        stored = conn.execute(sa.select(audit.c.data)).scalar_one()
    assert stored == value.decode("utf-8")
    assert "\\u1ee7" in stored  # "ủ", escaped as it was sent
    assert client.get("/audit/verify?source=members").get_json()["ok"] is True
    history = client.get(f"/audit/streams/{envelope.stream_id}").get_json()
    assert history["events"][0]["data"] == dict(envelope.data)


def test_every_route_is_in_the_permission_matrix_and_the_service_runs_two_workers(app, service):
    assert uncovered(app, app.extensions["chibo.permissions"]) == []
    assert unknown(app, PERMISSIONS) == []
    assert PATH_PREFIXES == ("/rulebooks", "/reports", "/audit")
    assert [w.name for w in app.extensions["chibo"].workers()] == ["reporting-relay",
                                                                   "reporting-projector"]


def test_a_secretary_may_read_reports_but_not_publish_rulebooks(app, world, service):
    bi_ban_tree(world)
    world.publish()
    catch_up(service)
    secretary = Client(app, roles=("secretary",), scope=(CELL,))
    assert secretary.get(f"/reports/cells/{CELL}?period=2024").status_code == 200
    assert secretary.get(f"/reports/units/{COMMUNE}?period=2024").status_code == 403
    refused = secretary.post("/rulebooks", {"unit_id": CELL, "effective_from": "2024-01-01",
                                            "parameters": {}})
    assert refused.status_code == 403
    assert service.store.last_position() == 0
