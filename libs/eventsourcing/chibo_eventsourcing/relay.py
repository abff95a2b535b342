"""The outbox relay: tails the events table by position and publishes to the service's topic."""

from __future__ import annotations

import logging
import threading

from chibo_contracts import Envelope
from chibo_eventsourcing.bus import BusError, OutgoingMessage, Publisher
from chibo_eventsourcing.store import EventStore

log = logging.getLogger(__name__)

RETRY_WAIT_SECONDS = 2.0


def message_for(envelope: Envelope) -> OutgoingMessage:
    """Binary content mode: attributes in `ce_*` headers, data as the value, key = stream id."""
    key, value, headers = envelope.to_message()
    return OutgoingMessage(key=key, value=value, headers=tuple(headers))


class Relay:
    """At-least-once: the position is saved only after the broker acknowledged the batch."""

    def __init__(
        self,
        store: EventStore,
        publisher: Publisher,
        topic: str,
        *,
        name: str = "relay",
        batch_size: int = 1000,
    ) -> None:
        self.store = store
        self.publisher = publisher
        self.topic = topic
        self.cursor = f"{name}:{topic}"
        self.batch_size = batch_size

    def run_once(self) -> int:
        """Publish the next batch; return how many events it held."""
        events = self.store.read_all(self.store.load_cursor(self.cursor), self.batch_size)
        if not events:
            return 0
        self.publisher.publish(self.topic, [message_for(e) for e in events])
        self.store.save_cursor(self.cursor, events[-1].position or 0)
        return len(events)

    def run(self, stop: threading.Event, idle_wait: float = 0.2) -> None:
        """Relay until `stop` is set, resting `idle_wait` seconds when there is nothing new."""
        while not stop.is_set():
            try:
                published = self.run_once()
            except BusError:
                # Nothing was saved, so nothing is lost: wait and publish the same batch again.
                log.exception("relay for %s could not publish; retrying", self.topic)
                stop.wait(RETRY_WAIT_SECONDS)
                continue
            if published == 0:
                stop.wait(idle_wait)
        log.info("relay for %s stopped at %s", self.topic, self.store.load_cursor(self.cursor))
