"""The bus port suite: the embedded log and Kafka must behave alike."""

from __future__ import annotations

import time
import uuid

from chibo_eventsourcing.bus import Bus, OutgoingMessage, Record


def poll_until(subscription, count: int, deadline_s: float = 30.0) -> list[Record]:
    """Poll with a deadline until `count` records arrived (never a fixed sleep)."""
    records: list[Record] = []
    deadline = time.monotonic() + deadline_s
    while len(records) < count and time.monotonic() < deadline:
        records.extend(subscription.poll(500, 0.5))
    return records


class BusContract:
    """Subclasses provide a `bus` fixture."""

    def test_published_records_arrive_with_key_value_and_headers(self, bus: Bus):
        topic = f"t-{uuid.uuid4().hex[:8]}"
        bus.ensure_topics([topic], partitions=3)
        publisher = bus.publisher()
        headers = (("ce_type", b"test.A"), ("raw", b"\xff\x00bytes"))
        publisher.publish(
            topic,
            [
                OutgoingMessage(key=f"k{i}", value=f"v{i}".encode(), headers=headers)
                for i in range(20)
            ],
        )
        publisher.close()
        subscription = bus.subscribe(f"g-{topic}", [topic], lambda tps: {})
        records = poll_until(subscription, 20)
        subscription.close()
        assert sorted(r.value for r in records) == sorted(f"v{i}".encode() for i in range(20))
        assert all(r.headers == headers for r in records)
        assert {r.key for r in records} == {f"k{i}" for i in range(20)}

    def test_records_with_one_key_keep_their_order_on_one_partition(self, bus: Bus):
        topic = f"t-{uuid.uuid4().hex[:8]}"
        bus.ensure_topics([topic], partitions=3)
        publisher = bus.publisher()
        for batch in range(3):
            publisher.publish(
                topic, [OutgoingMessage("same", f"{batch}-{i}".encode()) for i in range(10)]
            )
        publisher.close()
        subscription = bus.subscribe(f"g-{topic}", [topic], lambda tps: {})
        records = poll_until(subscription, 30)
        subscription.close()
        assert len({r.partition for r in records}) == 1
        assert [r.value for r in records] == [
            f"{b}-{i}".encode() for b in range(3) for i in range(10)
        ]
        offsets = [r.offset for r in records]
        assert offsets == sorted(offsets)

    def test_a_subscription_starts_each_partition_at_the_offset_it_is_given(self, bus: Bus):
        topic = f"t-{uuid.uuid4().hex[:8]}"
        bus.ensure_topics([topic], partitions=1)
        publisher = bus.publisher()
        publisher.publish(topic, [OutgoingMessage("k", str(i).encode()) for i in range(10)])
        publisher.close()
        subscription = bus.subscribe(f"g-{topic}", [topic], lambda tps: {tp: 7 for tp in tps})
        records = poll_until(subscription, 3)
        subscription.close()
        assert [r.value for r in records] == [b"7", b"8", b"9"]

    def test_ensuring_an_existing_topic_again_changes_nothing(self, bus: Bus):
        topic = f"t-{uuid.uuid4().hex[:8]}"
        bus.ensure_topics([topic], partitions=2)
        bus.ensure_topics([topic], partitions=2)
        publisher = bus.publisher()
        publisher.publish(topic, [OutgoingMessage("k", b"x")])
        publisher.close()
        subscription = bus.subscribe(f"g-{topic}", [topic], lambda tps: {})
        assert [r.value for r in poll_until(subscription, 1)] == [b"x"]
        subscription.close()
