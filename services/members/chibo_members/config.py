"""Settings of the members service, read once from the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from chibo_eventsourcing.runtime import PlatformSettings
from chibo_members.publishing import SOURCE
from chibo_web.auth import TokenSettings, token_settings_from_env


@dataclass(frozen=True)
class Settings:
    platform: PlatformSettings
    database_url: str
    tokens: TokenSettings
    import_dir: Path
    import_max_bytes: int = 100 * 1024 * 1024
    import_batch_rows: int = 1000

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """`MEMBERS_DATABASE_URL`, `MEMBERS_IMPORT_MAX_BYTES`, `MEMBERS_IMPORT_BATCH_ROWS`, plus
        the platform's shared variables (CHIBO_DATA_DIR, CHIBO_BUS, KAFKA_*, CHIBO_JWT_*)."""
        env = os.environ if env is None else env
        platform = PlatformSettings.from_env(env)
        return cls(
            platform=platform,
            database_url=platform.database_url(SOURCE, env),
            tokens=token_settings_from_env(platform.data_dir, env),
            import_dir=platform.data_dir / "imports",
            import_max_bytes=int(env.get("MEMBERS_IMPORT_MAX_BYTES", str(100 * 1024 * 1024))),
            import_batch_rows=int(env.get("MEMBERS_IMPORT_BATCH_ROWS", "1000")),
        )
