"""Bearer JWT auth: who the caller is, which roles they hold, which wilayah they may see.

Claims: ``sub``, ``roles`` (``opd:health``, ``kader:health``, ``tp:kecamatan``, ``dpmd``...),
``wilayah`` (codes; a code covers every code beneath it, ``64.02`` covers ``64.02.06.2001``;
``*`` covers the whole country). HS256 with a shared secret in development; RS256 with a
public key or JWKS of an existing identity provider in production.

Rotation: HS256 signs with ``jwt_secret`` and also verifies with ``jwt_previous_secrets``, so
tokens of the old secret keep working while new ones are signed with the new; RS256 follows
the identity provider's JWKS, whose new key id is fetched on first sight.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import jwt
from fastapi import Depends, Request

from simpul_platform.errors import Forbidden, NotFound, ServiceUnavailable, Unauthorized
from simpul_platform.openapi import bearer_auth
from simpul_platform.settings import ServiceSettings

NATIONWIDE = "*"
# A JWKS fetch runs in a request's worker thread; an identity provider that hangs must not
# hold it for PyJWT's default 30 s.
JWKS_TIMEOUT_S = 5.0
# Roles that read a field's aggregates (never person-level data): DPMD, the Tim Pembina at each
# level, and the gateway's own identity. The gateway forwards the caller's token, so a field
# service still checks the caller's wilayah itself.
AGGREGATE_READER_ROLES = ("dpmd", "tp:kabupaten", "tp:kecamatan", "tp:desa", "gateway")


def covers(scope: str, code: str) -> bool:
    """True when wilayah ``scope`` is ``code`` or one of its ancestors."""
    return scope == NATIONWIDE or code == scope or code.startswith(scope + ".")


@dataclass(frozen=True)
class Principal:
    subject: str
    roles: frozenset[str]
    wilayah: tuple[str, ...]

    def has_any_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    def can_see(self, code: str) -> bool:
        return any(covers(scope, code) for scope in self.wilayah)

    def overlaps(self, area: str) -> bool:
        """An area (a disaster's, say) lies in the caller's wilayah or contains part of it."""
        return self.can_see(area) or any(
            covers(area, scope) for scope in self.wilayah if scope != NATIONWIDE
        )

    def require_wilayah(self, code: str, *, hide: bool = False) -> None:
        """Refuse a code outside the caller's wilayah: 403, or 404 where existence is sensitive."""
        if not self.can_see(code):
            if hide:
                raise NotFound("No such resource in your wilayah.")
            raise Forbidden(
                f"Wilayah {code} is outside your scope ({', '.join(self.wilayah) or 'none'})."
            )

    def visible_scopes(self, requested: str | None) -> list[str]:
        """The wilayah prefixes a list query may use: the requested code, or the caller's own."""
        if requested is None:
            return list(self.wilayah)
        if self.can_see(requested):
            return [requested]
        # A caller asking for a parent of its own scope sees its own part of it.
        narrower = [scope for scope in self.wilayah if covers(requested, scope)]
        if narrower:
            return narrower
        raise Forbidden(f"Wilayah {requested} is outside your scope.")


class Authenticator:
    def __init__(self, settings: ServiceSettings) -> None:
        self.settings = settings
        self._jwks = (
            jwt.PyJWKClient(
                settings.jwt_jwks_url,
                timeout=JWKS_TIMEOUT_S,
                cooldown_duration=settings.jwt_jwks_refresh_cooldown_s,
            )
            if settings.jwt_jwks_url
            else None
        )

    def _keys(self, token: str) -> list[Any]:
        """The keys that may have signed ``token``, the one that signs today first: HS256's
        secret and the previous ones still accepted during a rotation; RS256's one key."""
        if self.settings.jwt_algorithm == "HS256":
            return [self.settings.jwt_secret, *self.settings.jwt_previous_secrets]
        return [self._public_key(token)]

    def _public_key(self, token: str) -> Any:
        if self._jwks is None:
            return self.settings.jwt_public_key
        try:
            # Cached for the key set's lifespan; an unknown kid refetches once (key rotation).
            return self._jwks.get_signing_key_from_jwt(token).key
        except jwt.PyJWKClientConnectionError as exc:
            raise ServiceUnavailable(
                "The identity provider's signing keys (JWKS) cannot be fetched; retry shortly."
            ) from exc

    def authenticate(self, token: str) -> Principal:
        try:
            claims = self._verified_claims(token)
        except jwt.ExpiredSignatureError as exc:
            raise Unauthorized("The token has expired.") from exc
        except jwt.PyJWTError as exc:
            raise Unauthorized(f"The token is not valid: {exc}.") from exc
        roles = claims.get("roles", [])
        wilayah = claims.get("wilayah", [])
        if not isinstance(roles, list) or not isinstance(wilayah, list):
            raise Unauthorized("The token's roles and wilayah claims must be lists.")
        return Principal(str(claims["sub"]), frozenset(map(str, roles)), tuple(map(str, wilayah)))

    def _verified_claims(self, token: str) -> dict[str, Any]:
        """The claims of a token that one of the keys signed. Only a wrong signature moves on
        to the next key; an expired or otherwise invalid token signed by a known key fails as
        it is."""
        *earlier, last = self._keys(token)
        for key in earlier:
            try:
                return self._decode(token, key)
            except jwt.InvalidSignatureError:
                continue
        return self._decode(token, last)

    def _decode(self, token: str, key: Any) -> dict[str, Any]:
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=[self.settings.jwt_algorithm],
            audience=self.settings.jwt_audience,
            issuer=self.settings.jwt_issuer,
            options={"require": ["sub", "exp"]},
        )
        return claims


def mint_token(
    settings: ServiceSettings,
    subject: str,
    roles: Iterable[str],
    wilayah: Iterable[str],
    ttl: timedelta = timedelta(hours=8),
) -> str:
    """An HS256 token signed with the settings' secret (development and tests); never with a
    previous one."""
    now = datetime.now(UTC)
    claims = {
        "sub": subject,
        "roles": list(roles),
        "wilayah": list(wilayah),
        "iat": now,
        "exp": now + ttl,
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
    }
    return jwt.encode(claims, settings.jwt_secret, algorithm="HS256")


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    return token.strip()


@bearer_auth
def current_principal(request: Request) -> Principal:
    """FastAPI dependency: the authenticated caller, or 401."""
    cached = getattr(request.state, "principal", None)
    if isinstance(cached, Principal):
        return cached
    token = bearer_token(request)
    if token is None:
        raise Unauthorized("Send an Authorization: Bearer <token> header.")
    authenticator: Authenticator = request.app.state.authenticator
    principal = authenticator.authenticate(token)
    request.state.principal = principal
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require_roles(*roles: str) -> Callable[[Principal], Principal]:
    """Dependency factory: the caller must hold at least one of ``roles`` (403 otherwise)."""

    def check(principal: CurrentPrincipal) -> Principal:
        if not principal.has_any_role(*roles):
            raise Forbidden(f"This needs one of the roles: {', '.join(roles)}.")
        return principal

    return check
