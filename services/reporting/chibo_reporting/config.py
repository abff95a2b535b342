"""Settings read once from the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from chibo_eventsourcing.runtime import PlatformSettings, env_flag
from chibo_web.auth import TokenSettings, token_settings_from_env

SERVICE = "reporting"


@dataclass(frozen=True)
class Settings:
    platform: PlatformSettings
    database_url: str
    tokens: TokenSettings
    wait_seconds: float = 10.0  # REPORTING_WAIT_SECONDS: the bound on `wait_for`
    # REPORTING_BATCH_SIZE: events per projection batch. A catching-up projector folds more
    # events of one meeting or member into one row write with bigger batches: a 2,000-cell
    # replay took 129 s at 1,000, 116 s at 5,000, 110 s (and 1.8x the memory) at 20,000.
    batch_size: int = 5000
    # REPORTING_WRITER_PROCESS (true/false; default: true on PostgreSQL): the projector writes
    # each batch from a second process while it folds the next. Not for SQLite (one writer
    # per file, and the single-machine mode runs the projector as a thread).
    writer_process: bool | None = None
    # REPORTING_WARM_UP (true/false; default true): each process serving the API runs the top
    # units' roll-ups of the current year, quarter and month whenever the day or the tree,
    # rulebooks or assignments change, so that no visitor waits for every cell to be evaluated.
    warm_up: bool = True

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        platform = PlatformSettings.from_env(env)
        return cls(
            platform=platform,
            database_url=platform.database_url(SERVICE, env),
            tokens=token_settings_from_env(platform.data_dir, env),
            wait_seconds=float(env.get("REPORTING_WAIT_SECONDS", "10")),
            batch_size=int(env.get("REPORTING_BATCH_SIZE", str(cls.batch_size))),
            writer_process=env_flag(env, "REPORTING_WRITER_PROCESS"),
            warm_up=env_flag(env, "REPORTING_WARM_UP") is not False,
        )

