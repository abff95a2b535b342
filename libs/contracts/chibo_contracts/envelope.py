"""The event envelope: CloudEvents 1.0 attributes plus stream, tracing and hash-chain fields."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any, Protocol

from chibo_contracts.canonical import canonical_json, sha256_hex

SPECVERSION = "1.0"
GENESIS_HASH = "0" * 64
CONTENT_TYPE = "application/json"

# CloudEvents extension names must be lower-case alphanumerics, so the snake_case fields of the
# envelope travel under these header names in Kafka's binary content mode.
_HEADER_NAMES: dict[str, str] = {
    "id": "ce_id",
    "source": "ce_source",
    "type": "ce_type",
    "specversion": "ce_specversion",
    "time": "ce_time",
    "subject": "ce_subject",
    "stream_id": "ce_streamid",
    "stream_version": "ce_streamversion",
    "position": "ce_position",
    "schema_version": "ce_schemaversion",
    "actor": "ce_actor",
    "correlation_id": "ce_correlationid",
    "causation_id": "ce_causationid",
    "prev_hash": "ce_prevhash",
    "hash": "ce_hash",
}
_INT_FIELDS = frozenset({"stream_version", "position", "schema_version"})
_OPTIONAL_FIELDS = frozenset({"subject", "causation_id", "position"})
_NOT_HASHED = frozenset({"position", "hash"})

Headers = Sequence[tuple[str, bytes]]


class EnvelopeError(ValueError):
    """A message or mapping that is not a well-formed Chibo envelope."""


@dataclass(frozen=True)
class Envelope:
    """One stored or transported event; `data` is the contract's JSON form of the payload."""

    id: str
    source: str
    type: str
    time: str
    stream_id: str
    stream_version: int
    schema_version: int
    actor: str
    correlation_id: str
    data: Mapping[str, Any] = field(default_factory=dict)
    subject: str | None = None
    causation_id: str | None = None
    position: int | None = None
    prev_hash: str = GENESIS_HASH
    hash: str = ""
    specversion: str = SPECVERSION

    def computed_hash(self) -> str:
        """SHA-256 over the previous hash and the canonical JSON of every hashed field."""
        return chain_hash({name: getattr(self, name) for name in HASHED_ATTRIBUTES},
                          canonical_json(dict(self.data)))

    def sealed(self, prev_hash: str) -> Envelope:
        """This envelope chained after `prev_hash`, with its own hash filled in."""
        chained = replace(self, prev_hash=prev_hash, hash="")
        return replace(chained, hash=chained.computed_hash())

    def at_position(self, position: int) -> Envelope:
        return replace(self, position=position)

    def to_dict(self) -> dict[str, Any]:
        """Structured form: every attribute plus `data`, JSON-ready."""
        # Not dataclasses.asdict: its deep copy was a third of the cost of sealing an append.
        attributes = {name: getattr(self, name) for name in _ATTRIBUTES}
        return attributes | {"data": dict(self.data)}

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Envelope:
        try:
            return cls(**{k: raw[k] for k in raw if k in cls.__dataclass_fields__})
        except TypeError as exc:
            raise EnvelopeError(f"not an envelope: {exc}") from exc

    def to_message(self) -> tuple[str, bytes, list[tuple[str, bytes]]]:
        """Kafka binary content mode: (key, value, headers); the key is the stream id."""
        headers = [("content-type", CONTENT_TYPE.encode())]
        for name, header in _HEADER_NAMES.items():
            value = getattr(self, name)
            if value is not None:
                headers.append((header, str(value).encode("utf-8")))
        return self.stream_id, canonical_json(dict(self.data)), headers

    @classmethod
    def from_message(cls, value: bytes, headers: Headers) -> Envelope:
        """Inverse of `to_message`; raises EnvelopeError on anything malformed."""
        by_header = {name: raw for name, raw in headers}
        attributes: dict[str, Any] = {}
        for name, header in _HEADER_NAMES.items():
            if header in by_header:
                attributes[name] = _decode_attribute(name, by_header[header])
            elif name not in _OPTIONAL_FIELDS and name != "hash":
                raise EnvelopeError(f"missing header {header}")
        try:
            data = json.loads(value)
        except (ValueError, UnicodeDecodeError) as exc:
            raise EnvelopeError(f"value is not JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise EnvelopeError("value is not a JSON object")
        return cls(data=data, **attributes)


_ATTRIBUTES = tuple(f.name for f in fields(Envelope) if f.name != "data")
# The attributes an event's hash covers beside its data (`prev_hash` among them).
HASHED_ATTRIBUTES = tuple(name for name in _ATTRIBUTES if name not in _NOT_HASHED)
_DATA_SLOT = b'"data":0'


def chain_hash(attributes: Mapping[str, Any], data_json: bytes) -> str:
    """An event's hash from its `HASHED_ATTRIBUTES` and its data's canonical JSON: SHA-256
    over the previous hash and the canonical JSON of the attributes with `data` among them.

    The data goes in as bytes, so that a verifier can hash the text it stored without parsing
    and serializing it again. It is spliced where the canonical form puts the key `data`: the
    attributes are flat strings, numbers and nulls, so `"data":` occurs in their JSON only as
    that key.
    """
    body = canonical_json({**attributes, "data": 0})
    # Hex digits, so UTF-8 is ASCII here; a previous hash edited into anything else is then a
    # mismatch to report, not an error.
    return sha256_hex(str(attributes["prev_hash"]).encode("utf-8"),
                      body.replace(_DATA_SLOT, b'"data":' + data_json, 1))


def _decode_attribute(name: str, raw: bytes) -> str | int:
    try:
        text = raw.decode("utf-8")
        return int(text) if name in _INT_FIELDS else text
    except (UnicodeDecodeError, ValueError) as exc:
        raise EnvelopeError(f"bad header for {name}: {exc}") from exc


class Link(Protocol):
    """What the check of a hash chain reads of an event: an `Envelope`, or an event as a
    consumer stored it."""

    @property
    def stream_id(self) -> str: ...
    @property
    def stream_version(self) -> int: ...
    @property
    def prev_hash(self) -> str: ...
    @property
    def hash(self) -> str: ...
    def computed_hash(self) -> str: ...


def verify_chain(events: Sequence[Link]) -> list[str]:
    """Check one stream's events in version order; return the problems found (empty when intact)."""
    problems: list[str] = []
    previous = GENESIS_HASH
    for expected_version, event in enumerate(events, start=1):
        where = f"{event.stream_id}@{event.stream_version}"
        if event.stream_version != expected_version:
            problems.append(f"{where}: expected version {expected_version}")
        if event.prev_hash != previous:
            problems.append(f"{where}: prev_hash does not match the previous event")
        if event.hash != event.computed_hash():
            problems.append(f"{where}: hash does not match its content")
        previous = event.hash
    return problems
