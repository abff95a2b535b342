"""Public event contracts shared by every Chibo service: envelope, hashing, schema registry."""

from chibo_contracts.envelope import GENESIS_HASH, Envelope
from chibo_contracts.registry import (
    ContractError,
    DecodedEvent,
    EventRegistry,
    UnknownEventError,
)

__all__ = [
    "GENESIS_HASH",
    "ContractError",
    "DecodedEvent",
    "Envelope",
    "EventRegistry",
    "UnknownEventError",
]
