"""The infrastructure helpers start real servers and resolve configuration as documented."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.admin import NewTopic

import chibo_infra.kafka as infra_kafka
import chibo_infra.postgres as infra_postgres
from chibo_infra import InfrastructureUnavailable
from chibo_infra.kafka import KafkaBroker, kafka_bootstrap
from chibo_infra.postgres import PostgresCluster, libpq_url


@pytest.fixture(scope="module")
def broker() -> Iterator[KafkaBroker]:
    with KafkaBroker() as running:
        yield running


@pytest.fixture(scope="module")
def cluster() -> Iterator[PostgresCluster]:
    with PostgresCluster() as running:
        yield running


def test_a_local_broker_creates_a_topic_with_three_partitions(
    broker: KafkaBroker, unique_name: str
) -> None:
    admin = KafkaAdminClient(bootstrap_servers=broker.bootstrap_servers)
    try:
        admin.create_topics([NewTopic(unique_name, num_partitions=3, replication_factor=1)])
        (description,) = admin.describe_topics([unique_name])
    finally:
        admin.close()

    assert len(description["partitions"]) == 3


def test_a_message_produced_to_the_local_broker_is_consumed_back(
    broker: KafkaBroker, unique_name: str
) -> None:
    admin = KafkaAdminClient(bootstrap_servers=broker.bootstrap_servers)
    admin.create_topics([NewTopic(unique_name, num_partitions=3, replication_factor=1)])
    admin.close()
    producer = KafkaProducer(bootstrap_servers=broker.bootstrap_servers)
    producer.send(unique_name, key=b"k", value=b"hello").get(timeout=30)
    producer.close()

    consumer = KafkaConsumer(
        unique_name,
        bootstrap_servers=broker.bootstrap_servers,
        group_id=f"group-{unique_name}",
        auto_offset_reset="earliest",
        consumer_timeout_ms=30_000,
    )
    try:
        received = next(iter(consumer))
    finally:
        consumer.close()

    assert (received.key, received.value) == (b"k", b"hello")


def test_the_broker_address_is_on_loopback(broker: KafkaBroker) -> None:
    host, _, port = broker.bootstrap_servers.partition(":")

    assert host == "127.0.0.1" and port.isdigit()


def test_kafka_bootstrap_uses_the_configured_servers_without_starting_a_broker(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "kafka.example:9092")
    monkeypatch.setattr(infra_kafka, "KafkaBroker", None)

    with kafka_bootstrap() as servers:
        assert servers == "kafka.example:9092"


def test_kafka_bootstrap_says_what_to_install_when_nothing_is_available(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("KAFKA_BOOTSTRAP_SERVERS", raising=False)
    monkeypatch.setattr(infra_kafka, "java_available", lambda: False)
    monkeypatch.setattr(infra_kafka, "docker_engine_answers", lambda: False)

    with pytest.raises(InfrastructureUnavailable, match="Java 17"), kafka_bootstrap():
        pass


def test_a_local_postgres_cluster_answers_select_one(cluster: PostgresCluster) -> None:
    with psycopg.connect(libpq_url(cluster.url)) as conn:
        (value,) = conn.execute("select 1").fetchone() or (None,)

    assert value == 1


def test_the_cluster_url_is_in_sqlalchemy_psycopg_form(cluster: PostgresCluster) -> None:
    assert cluster.url.startswith("postgresql+psycopg://chibo@127.0.0.1:")
    assert cluster.url.endswith("/chibo")


def test_create_database_gives_a_usable_database(
    cluster: PostgresCluster, unique_name: str
) -> None:
    url = cluster.create_database(f"db_{unique_name}")

    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        conn.execute("create table events (id int primary key)")
        conn.execute("insert into events values (1)")
        (database, count) = conn.execute(
            "select current_database(), count(*) from events"
        ).fetchone() or (None, None)

    assert (database, count) == (f"db_{unique_name}", 1)


def test_postgres_url_normalises_database_url_without_starting_anything(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@h/db")
    monkeypatch.setattr(infra_postgres, "PostgresCluster", None)

    with infra_postgres.postgres_url() as url:
        assert url == "postgresql+psycopg://u@h/db"


def test_postgres_url_says_what_to_install_when_nothing_is_available(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setattr(infra_postgres, "find_pg_bindir", lambda: None)
    monkeypatch.setattr(infra_postgres, "docker_engine_answers", lambda: False)

    with (
        pytest.raises(InfrastructureUnavailable, match="apt-get install postgresql"),
        infra_postgres.postgres_url(),
    ):
        pass


def test_a_fresh_postgres_url_is_an_empty_database_of_its_own(
    fresh_postgres_url: str, postgres_url: str
) -> None:
    with psycopg.connect(libpq_url(fresh_postgres_url)) as conn:
        (database, tables) = conn.execute(
            "select current_database(), count(*) from pg_tables where schemaname = 'public'"
        ).fetchone() or (None, None)

    assert database != postgres_url.rsplit("/", 1)[1]
    assert tables == 0


def test_a_unique_name_is_ten_hex_digits(unique_name: str) -> None:
    assert len(unique_name) == 10
    assert int(unique_name, 16) >= 0
