"""Consumer-runner behaviour that must hold on every bus: exactly-once effects, dead letters."""

from __future__ import annotations

import json
import threading
import time
import uuid

import pytest
import sqlalchemy as sa

from chibo_contracts import Envelope
from chibo_eventsourcing.bus import BusError, OutgoingMessage
from chibo_eventsourcing.child_writer import WriterFailedError
from chibo_eventsourcing.consumer import dlq_topic
from chibo_eventsourcing.relay import message_for
from chibo_eventsourcing.sql.ownership import OwnershipLostError, claim

from .bus_contract import poll_until
from .pipeline import Pipeline
from .tally import EVENT_TYPE


def envelope(stream: str, version: int, **changes) -> Envelope:
    base = Envelope(
        id=str(uuid.uuid4()),
        source="test",
        type=EVENT_TYPE,
        time="2026-01-01T00:00:00+00:00",
        stream_id=stream,
        stream_version=version,
        schema_version=1,
        actor="t",
        correlation_id="c",
        data={"amount": 1},
    )
    return Envelope(**(base.to_dict() | changes))


class ConsumerContract:
    """Subclasses provide a `make_pipeline(explode_on=None)` fixture and a `bus` fixture, and
    say whether their runner writes from a child process."""

    child_writer: bool

    def test_round_trip_applies_every_event_exactly_once(self, make_pipeline):
        pipeline: Pipeline = make_pipeline()
        pipeline.write(streams=40, events_per_stream=25, amount=2)
        assert pipeline.relay_all() == 1000
        reports = pipeline.consume_until(1000)
        assert pipeline.totals() == {f"stream-{s}": (50, 25) for s in range(40)}
        sent = sum(len(message_for(e).value) for e in pipeline.store.read_all(0, 2000))
        assert sum(r.polled_bytes for r in reports) == sent > 0

    def test_events_published_twice_by_the_relay_are_applied_once(self, make_pipeline):
        pipeline: Pipeline = make_pipeline()
        pipeline.write(streams=5, events_per_stream=10)
        pipeline.relay_all()
        pipeline.store.save_cursor(pipeline.relay.cursor, 0)  # as after a crash before saving
        assert pipeline.relay_all() == 50
        pipeline.write(streams=5, events_per_stream=1)
        pipeline.relay_all()
        pipeline.consume_until(55)
        for _ in range(3):
            pipeline.consumer.run_once()  # drain the duplicates
        assert pipeline.totals() == {f"stream-{s}": (11, 11) for s in range(5)}

    def test_every_kind_of_poison_goes_to_the_dlq_and_later_events_are_applied(
        self, make_pipeline, bus
    ):
        pipeline: Pipeline = make_pipeline(explode_on=13)
        good = message_for(envelope("poisoned", 1))
        poison = {
            "undecodable": OutgoingMessage("poisoned", b"not json{", good.headers),
            "unknown_type": message_for(envelope("poisoned", 2, type="test.Unheard")),
            "invalid": message_for(envelope("poisoned", 3, data={"amount": "many"})),
            "handler_error": message_for(envelope("poisoned", 4, data={"amount": 13})),
        }
        after = message_for(envelope("poisoned", 5, data={"amount": 5}))
        publisher = bus.publisher()
        publisher.publish(pipeline.topic, [good, *poison.values(), after])
        publisher.close()
        pipeline.consume_until(2)
        assert pipeline.totals() == {"poisoned": (6, 2)}

        dead = bus.subscribe("dlq-reader", [dlq_topic(pipeline.consumer.group)], lambda tps: {})
        letters = poll_until(dead, 4)
        dead.close()
        by_reason = {dict(r.headers)["dlq_reason"].decode(): r for r in letters}
        assert set(by_reason) == set(poison)
        for reason, message in poison.items():
            letter = by_reason[reason]
            headers = dict(letter.headers)
            assert letter.value == message.value
            assert headers["dlq_topic"].decode() == pipeline.topic
            assert int(headers["dlq_offset"]) >= 0 and headers["dlq_error"]
        assert "cannot count 13" in dict(by_reason["handler_error"].headers)["dlq_error"].decode()

    def test_a_new_runner_resumes_from_the_stored_offsets(self, make_pipeline):
        pipeline: Pipeline = make_pipeline()
        pipeline.write(streams=3, events_per_stream=4)
        pipeline.relay_all()
        pipeline.consume_until(12)
        pipeline.consumer.close()
        pipeline.write(streams=3, events_per_stream=1)
        pipeline.relay_all()
        pipeline.consumer.open()
        pipeline.consume_until(15)
        assert pipeline.totals() == {f"stream-{s}": (5, 5) for s in range(3)}
        assert json.dumps(pipeline.totals())  # plain values, nothing lazy

    @pytest.mark.parametrize("batch_size", [1000, 1])
    def test_an_event_whose_write_breaks_a_constraint_is_isolated_and_dead_lettered(
        self, make_pipeline, bus, batch_size
    ):
        pipeline: Pipeline = make_pipeline(writes="refused")
        pipeline.consumer.batch_size = batch_size  # 1: the batch after is folded meanwhile
        publisher = bus.publisher()
        publisher.publish(
            pipeline.topic,
            [
                message_for(envelope("before", 1, data={"amount": 2})),
                message_for(envelope("refused", 1, data={"amount": 3})),
                message_for(envelope("after", 1, data={"amount": 4})),
                message_for(envelope("after", 2, data={"amount": 5})),
            ],
        )
        publisher.close()
        pipeline.consume_until(3)
        while pipeline.consumer.run_once().polled:
            pass  # the refused event may come last (in its own partition)
        assert pipeline.totals() == {"before": (2, 1), "after": (9, 2)}
        dead = bus.subscribe("dlq-reader", [dlq_topic(pipeline.consumer.group)], lambda tps: {})
        letters = poll_until(dead, 1)
        dead.close()
        assert [dict(r.headers)["dlq_error"].decode()[:12] for r in letters] == ["write failed"]
        pipeline.consumer.run_once()
        assert pipeline.totals() == {"before": (2, 1), "after": (9, 2)}

    def test_a_write_failing_for_another_reason_stops_the_runner_and_stores_nothing(
        self, make_pipeline, bus
    ):
        pipeline: Pipeline = make_pipeline(writes="lost")
        publisher = bus.publisher()
        publisher.publish(pipeline.topic, [message_for(envelope("before", 1))])
        pipeline.consume_until(1)
        publisher.publish(pipeline.topic, [message_for(envelope("refused", 1))])
        publisher.close()
        lost = (sa.exc.OperationalError, WriterFailedError)
        with pytest.raises(lost, match="closed the connection"):
            for _ in range(20):
                pipeline.consumer.run_once()
        assert pipeline.totals() == {"before": (1, 1)}
        stored = pipeline.consumer.stored_offsets([(pipeline.topic, p) for p in range(3)])
        assert sum(stored.values()) == 1  # the offset past "before", not past "refused"

    def test_duplicates_arriving_while_the_batch_before_is_written_are_dropped(
        self, make_pipeline
    ):
        pipeline: Pipeline = make_pipeline()
        pipeline.consumer.batch_size = 7
        for _ in range(3):  # each time, copies follow right after the events they copy
            cursor = pipeline.store.load_cursor(pipeline.relay.cursor)
            pipeline.write(streams=5, events_per_stream=2)
            pipeline.relay_all()
            pipeline.store.save_cursor(pipeline.relay.cursor, cursor)
            pipeline.relay_all()
        reports = pipeline.consume_until(30)
        while (report := pipeline.consumer.run_once()).polled:
            reports.append(report)
        assert pipeline.totals() == {f"stream-{s}": (6, 6) for s in range(5)}
        assert sum(r.duplicates for r in reports) == 30

    def test_drain_returns_once_the_batch_polled_is_stored(self, make_pipeline):
        pipeline: Pipeline = make_pipeline()
        pipeline.write(streams=3, events_per_stream=4)
        pipeline.relay_all()
        polled, deadline = 0, time.monotonic() + 30
        while not polled and time.monotonic() < deadline:
            polled = pipeline.consumer.run_once().polled
        assert polled and pipeline.consumer.in_flight is self.child_writer
        pipeline.consumer.drain()
        assert not pipeline.consumer.in_flight
        assert pipeline.applied() == polled

    def test_a_second_runner_of_the_group_stands_by_until_the_first_stops(self, make_pipeline):
        pipeline: Pipeline = make_pipeline()
        pipeline.write(streams=4, events_per_stream=5)
        pipeline.relay_all()
        standby, stop, opened = pipeline.another_consumer(), threading.Event(), threading.Event()
        thread = threading.Thread(target=lambda: standby.open(stop) and opened.set())
        thread.start()
        try:
            pipeline.consume_until(20)
            assert not opened.wait(1.0)  # the first runner has the group
            pipeline.consumer.close()
            assert opened.wait(30.0)
        except BaseException:
            standby.close()
            raise
        finally:
            stop.set()
            thread.join()
        pipeline.consumer = standby  # closed by the fixture
        pipeline.write(streams=4, events_per_stream=1)
        pipeline.relay_all()
        pipeline.consume_until(24)
        while pipeline.consumer.run_once().polled:
            pass
        assert pipeline.totals() == {f"stream-{s}": (6, 6) for s in range(4)}

    def test_a_standby_told_to_stop_opens_nothing(self, make_pipeline):
        pipeline: Pipeline = make_pipeline()
        standby, stop = pipeline.another_consumer(), threading.Event()
        thread = threading.Thread(target=standby.run, args=(stop,))
        thread.start()
        stop.set()
        thread.join(30.0)
        assert not thread.is_alive()
        pipeline.write(streams=2, events_per_stream=3)
        pipeline.relay_all()
        pipeline.consume_until(6)  # the first runner still has the group and every partition
        assert pipeline.totals() == {f"stream-{s}": (3, 3) for s in range(2)}

    def test_a_runner_whose_group_was_claimed_again_stores_nothing_more(self, make_pipeline):
        pipeline: Pipeline = make_pipeline()
        pipeline.write(streams=3, events_per_stream=4)
        pipeline.relay_all()
        pipeline.consume_until(12)
        consumer = pipeline.consumer
        partitions = [(pipeline.topic, p) for p in range(3)]
        stored = consumer.stored_offsets(partitions)
        # As a process would that took the group over while this one, unawares, lost its lock.
        with pipeline.consumer_engine.begin() as conn:
            claim(conn, consumer.tables.consumer_owners, consumer.group)
        pipeline.write(streams=3, events_per_stream=1)
        pipeline.relay_all()
        with pytest.raises(OwnershipLostError, match="claimed again"):
            for _ in range(20):
                consumer.run_once()
        assert pipeline.totals() == {f"stream-{s}": (4, 4) for s in range(3)}
        assert consumer.stored_offsets(partitions) == stored

    def test_a_runner_that_fails_to_open_releases_the_group(self, make_pipeline, bus):
        pipeline: Pipeline = make_pipeline()
        pipeline.consumer.close()
        failing = pipeline.another_consumer()
        failing.bus = UnreachableForSubscribers(bus)
        with pytest.raises(BusError, match="unreachable"):
            failing.open()
        now = threading.Event()
        now.set()  # take the group only if it is free at once
        assert pipeline.consumer.open(now)
        pipeline.write(streams=2, events_per_stream=2)
        pipeline.relay_all()
        pipeline.consume_until(4)
        assert pipeline.totals() == {f"stream-{s}": (2, 2) for s in range(2)}


class UnreachableForSubscribers:
    """A bus that creates topics and publishes, but cannot be subscribed to."""

    def __init__(self, inner) -> None:
        self.inner = inner

    def ensure_topics(self, topics, partitions) -> None:
        self.inner.ensure_topics(topics, partitions)

    def publisher(self):
        return self.inner.publisher()

    def subscribe(self, group, topics, start_offsets):
        raise BusError("the broker is unreachable")
