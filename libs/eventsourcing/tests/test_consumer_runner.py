"""Consumer-runner suite on the embedded log (SQLite) and on real Kafka with PostgreSQL."""

from __future__ import annotations

import uuid

import pytest

from chibo_eventsourcing.kafka import KafkaBus
from chibo_eventsourcing.sql.engine import create_engine
from chibo_eventsourcing.sql.log import SqlLog

from .consumer_contract import ConsumerContract
from .pipeline import build_pipeline


class TestOnEmbeddedLog(ConsumerContract):
    child_writer = False

    @pytest.fixture
    def bus(self, tmp_path):
        return SqlLog(create_engine(f"sqlite:///{tmp_path}/log.db"))

    @pytest.fixture
    def make_pipeline(self, tmp_path, bus):
        pipelines = []

        def make(explode_on=None, writes="ok"):
            pipeline = build_pipeline(
                create_engine(f"sqlite:///{tmp_path}/store.db"),
                create_engine(f"sqlite:///{tmp_path}/consumer.db"),
                bus,
                topic="test.events",
                group="tally",
                explode_on=explode_on,
                writes=writes,
                child_writer=self.child_writer,
            )
            pipeline.consumer.open()
            pipelines.append(pipeline)
            return pipeline

        yield make
        for pipeline in pipelines:
            pipeline.consumer.close()


@pytest.mark.kafka
@pytest.mark.postgres
class TestOnKafkaAndPostgres(ConsumerContract):
    child_writer = False

    @pytest.fixture
    def bus(self, kafka_bootstrap_servers):
        return KafkaBus(kafka_bootstrap_servers)

    @pytest.fixture
    def make_pipeline(self, fresh_postgres_url, bus):
        pipelines = []

        def make(explode_on=None, writes="ok"):
            suffix = uuid.uuid4().hex[:8]
            engine = create_engine(fresh_postgres_url)
            pipeline = build_pipeline(
                engine,
                engine,
                bus,
                topic=f"test-{suffix}.events",
                group=f"tally-{suffix}",
                explode_on=explode_on,
                writes=writes,
                child_writer=self.child_writer,
            )
            pipeline.consumer.open()
            pipelines.append(pipeline)
            return pipeline

        yield make
        for pipeline in pipelines:
            pipeline.consumer.close()


class TestOnEmbeddedLogWritingInAChild(TestOnEmbeddedLog):
    """The same behaviour when a second process writes each batch while the next is folded."""

    child_writer = True


@pytest.mark.kafka
@pytest.mark.postgres
class TestOnKafkaAndPostgresWritingInAChild(TestOnKafkaAndPostgres):
    child_writer = True
