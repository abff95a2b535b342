"""Registry of public event schemas keyed by (type, schema_version), upcasting old versions."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, validate

from chibo_contracts import fastload
from chibo_contracts.envelope import Envelope

Upcaster = Callable[[Mapping[str, Any]], dict[str, Any]]


class ContractError(ValueError):
    """Data that does not satisfy its event's contract schema."""

    def __init__(self, event_type: str, errors: Any) -> None:
        super().__init__(f"{event_type}: {errors}")
        self.event_type = event_type
        self.errors = errors


class UnknownEventError(LookupError):
    """An event type, or a version of it, that the registry does not know."""


class FullMatch(validate.Regexp):
    """A pattern the whole value must match: `Regexp` alone lets a final newline by, since
    its `$` matches before one. OpenAPI documents show the pattern as it is written."""

    def __call__(self, value: Any) -> Any:  # str, or bytes, as for `Regexp`
        if self.regex.fullmatch(value) is None:
            raise ValidationError(self._format_error(value))
        return value


class ContractSchema(Schema):
    """Base of every public event schema: tolerant readers ignore fields added later."""

    class Meta:
        unknown = EXCLUDE


@dataclass(frozen=True)
class DecodedEvent:
    """An envelope whose data was upcast to the latest version and loaded by its schema."""

    envelope: Envelope
    data: dict[str, Any]
    # The envelope's data as the bytes it arrived in, when it came from a log (kept whole in
    # an audit trail without serializing it again).
    received: bytes | None = None

    @property
    def type(self) -> str:
        return self.envelope.type


class EventRegistry:
    """Maps `(type, schema_version)` to a schema; upcasts old payloads on read."""

    def __init__(self) -> None:
        self._schemas: dict[tuple[str, int], Schema] = {}
        self._loaders: dict[tuple[str, int], fastload.Convert | None] = {}
        self._latest: dict[str, int] = {}
        self._upcasters: dict[tuple[str, int], Upcaster] = {}

    def register(self, event_type: str, version: int, schema: type[Schema]) -> None:
        instance = self._schemas[(event_type, version)] = schema()
        self._loaders[(event_type, version)] = fastload.compile_loader(instance)
        self._latest[event_type] = max(version, self._latest.get(event_type, 0))

    def add_upcaster(self, event_type: str, from_version: int, upcaster: Upcaster) -> None:
        """`upcaster` turns version `from_version` data into version `from_version + 1` data."""
        self._upcasters[(event_type, from_version)] = upcaster

    def knows(self, event_type: str) -> bool:
        return event_type in self._latest

    def types(self) -> list[str]:
        return sorted(self._latest)

    def latest_version(self, event_type: str) -> int:
        try:
            return self._latest[event_type]
        except KeyError:
            raise UnknownEventError(f"unknown event type {event_type!r}") from None

    def encode(self, event_type: str, data: Mapping[str, Any]) -> dict[str, Any]:
        """Typed payload → validated JSON form at the latest version (what producers store)."""
        latest = self.latest_version(event_type)
        schema = self._schema(event_type, latest)
        unexpected = set(data) - set(schema.fields)
        if unexpected:
            raise ContractError(event_type, {name: ["Unknown field."] for name in unexpected})
        dumped: dict[str, Any] = schema.dump(data)
        self._load(event_type, latest, dumped)
        return dumped

    def decode(self, envelope: Envelope, received: bytes | None = None) -> DecodedEvent:
        """Upcast the envelope's data to the latest version and load it with the schema;
        `received` is the data's bytes as read from the log, if it was."""
        latest = self.latest_version(envelope.type)
        data = dict(envelope.data)
        version = envelope.schema_version
        if not 1 <= version <= latest:
            raise UnknownEventError(f"unknown version {version} of {envelope.type}")
        while version < latest:
            upcaster = self._upcasters.get((envelope.type, version))
            if upcaster is None:
                raise UnknownEventError(f"no upcaster from version {version} of {envelope.type}")
            data = upcaster(data)
            version += 1
        loaded = self._load(envelope.type, latest, data)
        return DecodedEvent(envelope=envelope, data=loaded, received=received)

    def _schema(self, event_type: str, version: int) -> Schema:
        try:
            return self._schemas[(event_type, version)]
        except KeyError:
            raise UnknownEventError(f"unknown version {version} of {event_type}") from None

    def _load(self, event_type: str, version: int, data: Mapping[str, Any]) -> dict[str, Any]:
        schema = self._schema(event_type, version)
        try:
            return fastload.load(schema, self._loaders[(event_type, version)], data)
        except ValidationError as exc:
            raise ContractError(event_type, exc.messages) from exc
