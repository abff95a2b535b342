"""Kafka security settings (SASL/SCRAM over TLS) go from the environment to every Kafka client."""

from __future__ import annotations

from typing import Any

import pytest

from chibo_eventsourcing import kafka
from chibo_eventsourcing.kafka import KafkaBus
from chibo_eventsourcing.runtime import PlatformSettings, build_bus

SCRAM_OVER_TLS = {
    "CHIBO_DATA_DIR": "/tmp/chibo-unused",
    "CHIBO_BUS": "kafka",
    "KAFKA_BOOTSTRAP_SERVERS": "broker-1:9093,broker-2:9093",
    "KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
    "KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
    "KAFKA_SASL_USERNAME": "chibo-members",
    "KAFKA_SASL_PASSWORD": "s3cret",
    "KAFKA_SSL_CAFILE": "/etc/chibo/kafka-ca.pem",
    "KAFKA_SSL_CHECK_HOSTNAME": "false",
}
EXPECTED = {
    "security_protocol": "SASL_SSL",
    "sasl_mechanism": "SCRAM-SHA-512",
    "sasl_plain_username": "chibo-members",
    "sasl_plain_password": "s3cret",
    "ssl_cafile": "/etc/chibo/kafka-ca.pem",
    "ssl_check_hostname": False,
}


class Recorder:
    """Stands in for a kafka-python client class and keeps the options it was built with."""

    built: list[tuple[str, dict[str, Any]]]

    def __init__(self, **options: Any) -> None:
        Recorder.built.append((type(self).__name__, options))

    def subscribe(self, **_: Any) -> None: ...

    def list_topics(self) -> list[str]:
        return ["members.events"]

    def create_topics(self, topics: Any) -> None: ...

    def close(self) -> None: ...


class Producer(Recorder): ...


class Consumer(Recorder): ...


class Admin(Recorder): ...


@pytest.fixture
def clients(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any]]]:
    Recorder.built = []
    monkeypatch.setattr(kafka, "KafkaProducer", Producer)
    monkeypatch.setattr(kafka, "KafkaConsumer", Consumer)
    monkeypatch.setattr(kafka, "KafkaAdminClient", Admin)
    return Recorder.built


def test_security_settings_are_read_from_the_environment():
    settings = PlatformSettings.from_env(SCRAM_OVER_TLS)
    assert dict(settings.kafka_client_config) == EXPECTED
    assert PlatformSettings.from_env({"CHIBO_DATA_DIR": "/tmp"}).kafka_client_config == {}


def test_a_kafka_flag_that_is_neither_true_nor_false_is_refused_by_name():
    # Read as false, a typo would turn hostname checking off without a word.
    with pytest.raises(ValueError, match="KAFKA_SSL_CHECK_HOSTNAME"):
        PlatformSettings.from_env(SCRAM_OVER_TLS | {"KAFKA_SSL_CHECK_HOSTNAME": "flase"})
    unset = PlatformSettings.from_env(SCRAM_OVER_TLS | {"KAFKA_SSL_CHECK_HOSTNAME": " "})
    assert "ssl_check_hostname" not in unset.kafka_client_config  # kafka-python's default


def test_every_kafka_client_is_built_with_the_security_settings(clients):
    bus = build_bus(PlatformSettings.from_env(SCRAM_OVER_TLS))
    assert isinstance(bus, KafkaBus)
    bus.ensure_topics(["members.events", "meetings.events"], 3)
    bus.publisher()
    bus.subscribe("meetings", ["members.events"], lambda partitions: {})
    assert [name for name, _ in clients] == ["Admin", "Producer", "Consumer"]
    for name, options in clients:
        assert options.items() >= EXPECTED.items(), name
        assert options["bootstrap_servers"] == ["broker-1:9093", "broker-2:9093"], name


def test_the_session_timeout_is_given_to_consumers_only(clients):
    env = SCRAM_OVER_TLS | {"KAFKA_SESSION_TIMEOUT_MS": "10000"}
    bus = build_bus(PlatformSettings.from_env(env))
    bus.ensure_topics(["members.events"], 3)
    bus.publisher()
    bus.subscribe("meetings", ["members.events"], lambda partitions: {})
    options = dict(clients)
    assert (options["Consumer"]["session_timeout_ms"],
            options["Consumer"]["heartbeat_interval_ms"]) == (10000, 3000)
    assert "session_timeout_ms" not in options["Producer"]
    assert "session_timeout_ms" not in options["Admin"]
    assert PlatformSettings.from_env(SCRAM_OVER_TLS).kafka_session_timeout_ms is None


@pytest.mark.parametrize("value", ["ten seconds", "-1", "5999"])
def test_a_session_timeout_kafka_would_refuse_is_refused_by_name(value):
    with pytest.raises(ValueError, match=r"KAFKA_SESSION_TIMEOUT_MS .* at least 6000"):
        PlatformSettings.from_env(SCRAM_OVER_TLS | {"KAFKA_SESSION_TIMEOUT_MS": value})
