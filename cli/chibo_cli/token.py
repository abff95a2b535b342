"""`chibo token`: print a signed bearer token for the single-machine mode or for operators."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from chibo_eventsourcing.runtime import PlatformSettings
from chibo_web.auth import ROLES, AuthenticationError, issue_token, token_settings_from_env


def add_parser(commands: Any) -> None:
    parser = commands.add_parser("token", help="print a signed token (HS256, single machine)")
    parser.add_argument("--sub", required=True, help="the caller's id (recorded as actor)")
    parser.add_argument("--role", action="append", required=True, choices=sorted(ROLES))
    parser.add_argument("--scope", action="append", required=True, help="a unit id, or '*'")
    parser.add_argument("--ttl", type=int, default=8 * 3600, help="seconds the token is valid")
    parser.set_defaults(handler=handle)


def handle(arguments: argparse.Namespace) -> int:
    platform = PlatformSettings.from_env()
    settings = token_settings_from_env(platform.data_dir)
    if settings.secret is None:
        print(
            "chibo token signs with a local secret; CHIBO_JWKS_URL is set, so tokens come "
            "from your identity provider",
            file=sys.stderr,
        )
        return 2
    try:
        token = issue_token(
            settings.secret,
            sub=arguments.sub,
            roles=arguments.role,
            scope=arguments.scope,
            ttl_seconds=arguments.ttl,
            issuer=settings.issuer,
            audience=settings.audience,
        )
    except AuthenticationError as exc:
        print(f"chibo token: {exc}", file=sys.stderr)
        return 2
    sys.stdout.write(token + os.linesep)
    return 0
