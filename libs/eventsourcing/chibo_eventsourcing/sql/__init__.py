"""SQLAlchemy adapters for SQLite and PostgreSQL: event store, embedded log, consumer offsets."""
