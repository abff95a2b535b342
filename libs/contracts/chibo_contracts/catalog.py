"""The catalogue of every public Chibo event: one registry that producers and consumers share."""

from __future__ import annotations

from types import ModuleType

from chibo_contracts.registry import EventRegistry

# Each contract module declares SOURCE (its service), EVENTS {name: schema} and optionally
# UPCASTERS {(name, from_version): function}; schema versions come from the schema's
# `schema_version` class attribute (default 1).
_MODULES: list[str] = ["members", "meetings", "oversight", "reporting"]


def contract_modules() -> list[ModuleType]:
    import importlib

    return [importlib.import_module(f"chibo_contracts.{name}") for name in _MODULES]


def public_registry() -> EventRegistry:
    """A registry holding every public event type as `<service>.<Name>`."""
    registry = EventRegistry()
    for module in contract_modules():
        for name, schema in module.EVENTS.items():
            event_type = f"{module.SOURCE}.{name}"
            registry.register(event_type, getattr(schema, "schema_version", 1), schema)
        for (name, from_version), upcaster in getattr(module, "UPCASTERS", {}).items():
            registry.add_upcaster(f"{module.SOURCE}.{name}", from_version, upcaster)
    return registry


def topic_for(source: str) -> str:
    """The Kafka topic of a service's public events."""
    return f"{source}.events"
