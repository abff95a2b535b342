"""Bearer tokens: who the caller is, which roles it holds, which parts of the tree it may touch."""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt

ROLES = frozenset({"secretary", "committee_staff", "overseer", "auditor", "admin", "service"})
WHOLE_TREE = "*"
_WHOLE_TREE_ROLES = frozenset({"admin", "auditor", "service"})


class AuthenticationError(Exception):
    """No token, or a token that is not valid."""


@dataclass(frozen=True)
class Caller:
    sub: str
    roles: frozenset[str]
    scope: tuple[str, ...]

    @property
    def whole_tree(self) -> bool:
        return WHOLE_TREE in self.scope

    def has_any(self, roles: Sequence[str]) -> bool:
        return bool(self.roles.intersection(roles))


@dataclass(frozen=True)
class TokenSettings:
    """HS256 with a secret (single machine) or RS256/ES256 keys from a JWKS URL (production)."""

    secret: str | None = None
    jwks_url: str | None = None
    issuer: str = "chibo"
    audience: str = "chibo"


class TokenVerifier:
    def __init__(self, settings: TokenSettings) -> None:
        if not (settings.secret or settings.jwks_url):
            raise ValueError("token verification needs a secret or a JWKS URL")
        self.settings = settings
        self._jwks = jwt.PyJWKClient(settings.jwks_url) if settings.jwks_url else None

    def verify(self, authorization: str | None) -> Caller:
        if not authorization or not authorization.startswith("Bearer "):
            raise AuthenticationError("a bearer token is required")
        token = authorization.removeprefix("Bearer ").strip()
        try:
            claims = jwt.decode(
                token,
                key=self._key(token),
                algorithms=["RS256", "ES256"] if self._jwks else ["HS256"],
                issuer=self.settings.issuer,
                audience=self.settings.audience,
                options={"require": ["exp", "iat", "sub"]},
            )
        except jwt.PyJWTError as exc:
            raise AuthenticationError(f"the token is not valid: {exc}") from exc
        return caller_from_claims(claims)

    def _key(self, token: str) -> Any:
        if self._jwks is None:
            return self.settings.secret
        try:
            return self._jwks.get_signing_key_from_jwt(token).key
        except jwt.PyJWTError as exc:
            raise AuthenticationError(f"no signing key for the token: {exc}") from exc


def caller_from_claims(claims: dict[str, Any]) -> Caller:
    roles = claims.get("roles", [])
    scope = claims.get("scope", [])
    if isinstance(scope, str):
        scope = scope.split()
    if not isinstance(roles, list) or not set(roles) <= ROLES:
        raise AuthenticationError(f"roles must be a list drawn from {sorted(ROLES)}")
    if WHOLE_TREE in scope and not _WHOLE_TREE_ROLES.intersection(roles):
        raise AuthenticationError("only admin, auditor and service tokens may hold scope '*'")
    return Caller(sub=str(claims["sub"]), roles=frozenset(roles), scope=tuple(scope))


def issue_token(
    secret: str,
    *,
    sub: str,
    roles: Sequence[str],
    scope: Sequence[str],
    ttl_seconds: int = 3600,
    issuer: str = "chibo",
    audience: str = "chibo",
    now: float | None = None,
) -> str:
    """An HS256 token for the single-machine mode and for tests."""
    issued = int(time.time() if now is None else now)
    claims = {
        "sub": sub,
        "roles": list(roles),
        "scope": list(scope),
        "iat": issued,
        "nbf": issued,
        "exp": issued + ttl_seconds,
        "iss": issuer,
        "aud": audience,
    }
    caller_from_claims(claims)
    return jwt.encode(claims, secret, algorithm="HS256")


def token_settings_from_env(data_dir: Path, env: Mapping[str, str] | None = None) -> TokenSettings:
    """`CHIBO_JWKS_URL` in production; otherwise `CHIBO_JWT_SECRET`, or a secret generated once
    into `<data_dir>/jwt-secret` (mode 0600) that `chibo token` and every service read."""
    env = os.environ if env is None else env
    issuer = env.get("CHIBO_JWT_ISSUER", "chibo")
    audience = env.get("CHIBO_JWT_AUDIENCE", "chibo")
    if env.get("CHIBO_JWKS_URL"):
        return TokenSettings(jwks_url=env["CHIBO_JWKS_URL"], issuer=issuer, audience=audience)
    secret = env.get("CHIBO_JWT_SECRET") or _local_secret(data_dir)
    return TokenSettings(secret=secret, issuer=issuer, audience=audience)


def _local_secret(data_dir: Path) -> str:
    path = data_dir / "jwt-secret"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        staging = data_dir / f".jwt-secret.{os.getpid()}"
        descriptor = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
        try:
            os.link(staging, path)  # atomic: the first process to get here defines the secret
        except FileExistsError:
            pass
        finally:
            staging.unlink()
    return path.read_text().strip()
