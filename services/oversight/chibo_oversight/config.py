"""The oversight service's settings, read once from the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from chibo_eventsourcing.runtime import PlatformSettings
from chibo_web.auth import TokenSettings, token_settings_from_env

SERVICE = "oversight"


@dataclass(frozen=True)
class Settings:
    """Platform settings, `OVERSIGHT_DATABASE_URL` (else a SQLite file) and token settings."""

    platform: PlatformSettings
    database_url: str
    tokens: TokenSettings

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        platform = PlatformSettings.from_env(env)
        return cls(
            platform=platform,
            database_url=platform.database_url(SERVICE, env),
            tokens=token_settings_from_env(platform.data_dir, env),
        )
