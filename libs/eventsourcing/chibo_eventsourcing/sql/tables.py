"""The plumbing tables every service database holds: events, cursors, idempotency, offsets
and which process owns each consumer group."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

Position = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


@dataclass(frozen=True)
class PlumbingTables:
    events: sa.Table
    cursors: sa.Table
    idempotency: sa.Table
    consumer_offsets: sa.Table
    consumer_streams: sa.Table
    consumer_owners: sa.Table


def define_plumbing(metadata: sa.MetaData) -> PlumbingTables:
    """Add the plumbing tables to a service's metadata (idempotent per metadata)."""
    if "events" in metadata.tables:
        t = metadata.tables
        return PlumbingTables(
            t["events"],
            t["cursors"],
            t["idempotency_keys"],
            t["consumer_offsets"],
            t["consumer_streams"],
            t["consumer_owners"],
        )
    events = sa.Table(
        "events",
        metadata,
        sa.Column("position", Position, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(36), nullable=False, unique=True),
        sa.Column("stream_id", sa.String(200), nullable=False),
        sa.Column("stream_version", sa.Integer, nullable=False),
        sa.Column("type", sa.String(200), nullable=False),
        sa.Column("schema_version", sa.Integer, nullable=False),
        sa.Column("time", sa.String(40), nullable=False),
        sa.Column("subject", sa.String(200)),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("correlation_id", sa.String(100), nullable=False),
        sa.Column("causation_id", sa.String(100)),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.UniqueConstraint("stream_id", "stream_version", name="uq_events_stream_version"),
        sqlite_autoincrement=True,
    )
    cursors = sa.Table(
        "cursors",
        metadata,
        sa.Column("name", sa.String(200), primary_key=True),
        sa.Column("position", Position, nullable=False),
    )
    idempotency = sa.Table(
        "idempotency_keys",
        metadata,
        sa.Column("actor", sa.String(200), primary_key=True),
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("stream_id", sa.String(200), nullable=False),
        sa.Column("stream_version", sa.Integer, nullable=False),
        sa.Column("position", Position, nullable=False),
    )
    consumer_offsets = sa.Table(
        "consumer_offsets",
        metadata,
        sa.Column("group_id", sa.String(200), primary_key=True),
        sa.Column("topic", sa.String(200), primary_key=True),
        sa.Column("partition", sa.Integer, primary_key=True),
        sa.Column("next_offset", Position, nullable=False),
    )
    consumer_streams = sa.Table(
        "consumer_streams",
        metadata,
        sa.Column("group_id", sa.String(200), primary_key=True),
        sa.Column("stream_id", sa.String(200), primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
    )
    consumer_owners = sa.Table(  # see chibo_eventsourcing.sql.ownership
        "consumer_owners",
        metadata,
        sa.Column("group_id", sa.String(200), primary_key=True),
        sa.Column("epoch", Position, nullable=False),
    )
    return PlumbingTables(
        events, cursors, idempotency, consumer_offsets, consumer_streams, consumer_owners
    )
