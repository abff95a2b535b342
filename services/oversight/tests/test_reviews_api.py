"""Remind-and-review cases (CR-27): reminded → explained → fixed, listed per unit."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from chibo_oversight.app import create_app
from chibo_oversight.bootstrap import bootstrap

from .steps import open_review, posted_while_arriving, review_body
from .support import (
    CELL,
    COMMUNE,
    FAR_CELL,
    GRASSROOTS,
    GRASSROOTS_CELL,
    OTHER_COMMUNE,
    Client,
    catch_up,
    event_count,
    stored,
)

pytestmark = pytest.mark.usefixtures("world")


def test_a_cell_created_a_moment_ago_is_waited_for(client, service, members):
    """Still on its way on members.events when the case is opened: the write waits for it
    (bounded) instead of refusing it; only what never comes is refused."""
    members.unit("cell-new", "cell", COMMUNE)
    members.publish()  # not consumed yet
    opened = posted_while_arriving(
        service, lambda: client.post("/reviews", review_body(cell_id="cell-new")))
    assert opened.status_code == 201, opened.json
    never = client.post("/reviews", review_body(cell_id="cell-never"))
    assert never.status_code == 422 and "cell_id" in never.json["errors"]


def test_a_case_goes_from_reminded_to_explained_to_fixed(client, service):
    case = open_review(client, note="Chi bộ không sinh hoạt tháng 2")
    assert case["status"] == "reminded" and case["rule_ids"] == ["CR-01", "CR-12"]
    path = f"/reviews/{case['id']}"
    explained = client.post(f"{path}/explanation",
                            {"text": "Bí thư đi công tác", "received_on": "2025-04-20"})
    assert explained.status_code == 200 and explained.json["status"] == "explained"
    assert explained.json["explanation"] == "Bí thư đi công tác"
    closed = client.post(f"{path}/close", {"outcome": "fixed", "closed_on": "2025-05-15"})
    assert closed.status_code == 200 and closed.json["status"] == "fixed"
    assert closed.json["outcome"] == "fixed" and closed.headers["ETag"] == '"3"'
    assert client.get(path).json == closed.json
    names = [e.type.removeprefix("oversight.") for e in service.store.load(case["id"])]
    assert names == ["ReviewOpened", "ExplanationRecorded", "ReviewClosed"]
    [opened] = stored(service, "ReviewOpened")
    assert opened["period"] == "2025-Q1" and opened["cell_id"] == CELL


def test_a_closed_case_takes_no_more_steps(client, service):
    case = open_review(client)
    path = f"/reviews/{case['id']}"
    assert client.post(f"{path}/close", {"outcome": "withdrawn",
                                         "closed_on": "2025-04-11"}).status_code == 200
    before = event_count(service)
    late = client.post(f"{path}/explanation", {"text": "Muộn", "received_on": "2025-04-20"})
    twice = client.post(f"{path}/close", {"outcome": "fixed", "closed_on": "2025-04-20"})
    assert (late.status_code, twice.status_code) == (409, 409)
    assert event_count(service) == before


def test_steps_cannot_come_before_the_reminder(client, service):
    case = open_review(client)
    path = f"/reviews/{case['id']}"
    before = event_count(service)
    early = client.post(f"{path}/explanation", {"text": "x", "received_on": "2025-04-09"})
    assert early.status_code == 422 and "received_on" in early.json["errors"]
    closed = client.post(f"{path}/close", {"outcome": "fixed", "closed_on": "2025-04-01"})
    assert closed.status_code == 422 and "closed_on" in closed.json["errors"]
    premature = client.post("/reviews", review_body(period="2025-06", reminded_on="2025-05-31"))
    assert premature.status_code == 422 and "reminded_on" in premature.json["errors"]
    assert event_count(service) == before


def test_one_open_case_per_cell_and_period(client, service):
    first = open_review(client)
    again = client.post("/reviews", review_body())
    assert again.status_code == 409 and first["id"] in again.json["detail"]
    client.post(f"/reviews/{first['id']}/close", {"outcome": "not_fixed",
                                                  "closed_on": "2025-05-01"})
    assert open_review(client, reminded_on="2025-05-02")["status"] == "reminded"
    assert open_review(client, period="2025-04", reminded_on="2025-05-02")["period"] == "2025-04"


def test_cases_are_listed_for_every_cell_below_a_unit_by_status(client):
    near = open_review(client)
    grassroots_cell = open_review(client, cell_id=GRASSROOTS_CELL)
    far = open_review(client, cell_id=FAR_CELL, period="2025", rule_ids=["CR-03"])
    client.post(f"/reviews/{grassroots_cell['id']}/explanation",
                {"text": "Đã khắc phục", "received_on": "2025-04-12"})

    def ids(query: str) -> list[str]:
        answer = client.get(f"/reviews?{query}")
        assert answer.status_code == 200, answer.json
        return sorted(item["id"] for item in answer.json["items"])

    assert ids(f"unit_id={GRASSROOTS}") == [near["id"]]
    assert ids(f"unit_id={COMMUNE}") == sorted([near["id"], grassroots_cell["id"]])
    assert ids(f"unit_id={COMMUNE}&status=explained") == [grassroots_cell["id"]]
    assert ids(f"unit_id={COMMUNE}&status=reminded") == [near["id"]]
    assert ids(f"unit_id={CELL}") == [near["id"]]
    assert ids("period=2025") == [far["id"]]
    assert client.get("/reviews?status=lost").status_code == 422


def test_the_list_follows_the_tree_as_it_stands_today(client, service, members):
    case = open_review(client)
    members.move(GRASSROOTS, OTHER_COMMUNE, date(2025, 7, 1))
    members.publish()
    catch_up(service)
    assert client.get(f"/reviews?unit_id={COMMUNE}").json["items"] == []
    assert [i["id"] for i in client.get(f"/reviews?unit_id={OTHER_COMMUNE}").json["items"]] \
        == [case["id"]]


def test_a_case_needs_a_known_cell(client, service):
    before = event_count(service)
    unknown = client.post("/reviews", review_body(cell_id="atlantis"))
    assert unknown.status_code == 422 and "cell_id" in unknown.json["errors"]
    committee = client.post("/reviews", review_body(cell_id=GRASSROOTS))
    assert committee.status_code == 422
    repeated = client.post("/reviews", review_body(rule_ids=["CR-01", "CR-01"]))
    assert repeated.status_code == 422 and "rule_ids" in repeated.json["errors"]
    assert event_count(service) == before


# DOMAIN.md §7, as the domain guide writes it.
DOMAIN_RULES = [
    "CR-01", "CR-02", "CR-03", "CR-04", "CR-05", "CR-06", "CR-07", "CR-08", "CR-10", "CR-11",
    "CR-12", "CR-13", "CR-14", "CR-15", "CR-17", "CR-18", "CR-19", "CR-20", "CR-21", "CR-24",
    "CR-25", "CR-27", "CR-28",
]


def test_a_case_names_only_rules_of_the_domain_guide(client, service):
    before = event_count(service)
    for rule in ("CR-00", "CR-09", "CR-16", "CR-22", "CR-26", "CR-29", "CR-99"):
        answer = client.post("/reviews", review_body(rule_ids=["CR-01", rule]))
        assert answer.status_code == 422, answer.json
        assert answer.json["errors"] == {"rule_ids": [f"not rules of DOMAIN.md §7: {rule}"]}
    assert event_count(service) == before
    assert open_review(client, rule_ids=DOMAIN_RULES)["rule_ids"] == DOMAIN_RULES


@pytest.mark.parametrize(("field", "value"), [
    ("period", "1991\n"), ("period", "2025-Q1\n"), ("rule_ids", ["CR-01\n"]),
    ("period", "\uff12\uff10\uff12\uff15"),  # full-width digits
])
def test_a_value_with_a_final_newline_or_other_digits_is_refused(client, service, field, value):
    before = event_count(service)
    answer = client.post("/reviews", review_body(**{field: value}))
    assert answer.status_code == 422 and field in answer.json["errors"], answer.json
    assert event_count(service) == before


def test_a_period_filter_with_a_final_newline_is_refused(client):
    answer = client.get("/reviews", query_string={"period": "2025\n"})
    assert answer.status_code == 422


def test_a_closed_case_is_fixed_when_it_was_and_closed_otherwise(client):
    fixed = open_review(client)
    withdrawn = open_review(client, cell_id=GRASSROOTS_CELL)
    explained = open_review(client, cell_id=FAR_CELL)
    client.post(f"/reviews/{explained['id']}/explanation",
                {"text": "Đang khắc phục", "received_on": "2025-04-12"})
    for case, outcome in ((fixed, "fixed"), (withdrawn, "withdrawn")):
        closed = client.post(f"/reviews/{case['id']}/close",
                             {"outcome": outcome, "closed_on": "2025-05-15"})
        assert (closed.json["status"], closed.json["outcome"]) == (
            "fixed" if outcome == "fixed" else "closed", outcome)

    def listed(status: str) -> list[tuple[str, str, str | None]]:
        answer = client.get(f"/reviews?status={status}")
        assert answer.status_code == 200, answer.json
        return sorted((i["id"], i["status"], i["outcome"]) for i in answer.json["items"])

    assert listed("fixed") == [(fixed["id"], "fixed", "fixed")]
    assert listed("closed") == [(withdrawn["id"], "closed", "withdrawn")]
    assert listed("explained") == [(explained["id"], "explained", None)]
    assert listed("reminded") == []


def test_cases_closed_before_the_statuses_followed_the_domain_guide_read_as_fixed(
        client, service, settings, bus):
    case = open_review(client)
    client.post(f"/reviews/{case['id']}/close", {"outcome": "fixed", "closed_on": "2025-05-15"})
    reviews = service.tables.reviews
    with service.engine.begin() as conn:
        conn.execute(sa.update(reviews).values(status="closed"))
    restarted = Client(create_app(settings, service=bootstrap(settings, store=service.store,
                                                              bus=bus)))
    [item] = restarted.get("/reviews?status=fixed").json["items"]
    assert (item["id"], item["status"]) == (case["id"], "fixed")
    assert open_review(client, reminded_on="2025-05-16")["status"] == "reminded"
