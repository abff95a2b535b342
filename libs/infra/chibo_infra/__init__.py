"""Real Kafka and PostgreSQL servers for Chibo's tests, started on demand."""

from chibo_infra.errors import InfrastructureUnavailable

__all__ = ["InfrastructureUnavailable"]
