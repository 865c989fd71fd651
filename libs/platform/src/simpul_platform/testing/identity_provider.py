"""A small OpenID Connect provider for tests: discovery, JWKS (an RS256 key made here),
authorize (answers at once for one configured user), token (checks the client secret and the
PKCE verifier) and end-session, served on a real local port (``serve``), so that a client's
discovery, key fetching and redirects go over the wire as in production.

The access tokens it issues carry the Simpul claims (``roles``, ``wilayah``) with its own
issuer and ``audience``; a service configured with ``jwt_settings()`` accepts them. Knobs on
the instance make it misbehave the ways a test needs: ``refuse`` (the user says no),
``nonce_override`` (an ID token for another sign-in), ``extra_claims`` (a bigger token).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote_plus, urlencode

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response

from simpul_platform.testing.server import served

KID = "test-idp-1"


@dataclass(frozen=True)
class User:
    subject: str = "dpmd-kukar"
    roles: tuple[str, ...] = ("dpmd",)
    wilayah: tuple[str, ...] = ("64.02",)


@dataclass
class _Grant:
    redirect_uri: str
    challenge: str
    nonce: str


@dataclass
class IdentityProvider:
    """Run with ``with idp.serve() as issuer:``; ``issuer`` is then its URL."""

    client_id: str = "simpul-dashboard"
    client_secret: str = "a-test-client-secret-of-the-dashboard"
    audience: str = "simpul"
    user: User = field(default_factory=User)
    refuse: str | None = None
    nonce_override: str | None = None
    extra_claims: dict[str, Any] = field(default_factory=dict)
    issuer: str = ""
    authorize_requests: list[dict[str, str]] = field(default_factory=list)
    token_requests: list[dict[str, str]] = field(default_factory=list)
    logouts: list[dict[str, str]] = field(default_factory=list)
    _grants: dict[str, _Grant] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.app = self._app()

    @contextmanager
    def serve(self) -> Iterator[str]:
        with served(self.app) as url:
            self.issuer = url
            yield url

    def jwt_settings(self) -> dict[str, Any]:
        """A service's settings that accept this provider's access tokens."""
        return {
            "jwt_algorithm": "RS256",
            "jwt_jwks_url": f"{self.issuer}/jwks",
            "jwt_issuer": self.issuer,
            "jwt_audience": self.audience,
        }

    def access_token(self, **claims: Any) -> str:
        now = int(time.time())
        body = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": self.user.subject,
            "roles": list(self.user.roles),
            "wilayah": list(self.user.wilayah),
            "iat": now,
            "exp": now + 3600,
            **self.extra_claims,
            **claims,
        }
        return jwt.encode(body, self.key, algorithm="RS256", headers={"kid": KID})

    def _id_token(self, nonce: str, access_token: str) -> str:
        now = int(time.time())
        digest = hashlib.sha256(access_token.encode()).digest()
        body = {
            "iss": self.issuer,
            "aud": self.client_id,
            "sub": self.user.subject,
            "nonce": self.nonce_override or nonce,
            "iat": now,
            "exp": now + 300,
            "at_hash": _b64(digest[:16]),
        }
        return jwt.encode(body, self.key, algorithm="RS256", headers={"kid": KID})

    def _app(self) -> FastAPI:
        app = FastAPI()
        app.get("/.well-known/openid-configuration")(self._discovery)
        app.get("/jwks")(self._jwks)
        app.get("/authorize")(self._authorize)
        app.post("/token")(self._token)
        app.get("/logout")(self._logout)
        return app

    async def _discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "end_session_endpoint": f"{self.issuer}/logout",
            "response_types_supported": ["code"],
            "code_challenge_methods_supported": ["S256"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        }

    async def _jwks(self) -> dict[str, Any]:
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**public, "kid": KID, "use": "sig", "alg": "RS256"}]}

    async def _authorize(self, request: Request) -> Response:
        q = dict(request.query_params)
        self.authorize_requests.append(q)
        if q.get("client_id") != self.client_id or not q.get("redirect_uri"):
            return PlainTextResponse("unknown client or no redirect_uri", status_code=400)
        back = q["redirect_uri"]
        if self.refuse:
            said = {"error": self.refuse, "error_description": "The user said no", **_state(q)}
            return RedirectResponse(f"{back}?{urlencode(said)}", status_code=302)
        if q.get("response_type") != "code" or q.get("code_challenge_method") != "S256":
            said = {"error": "invalid_request", **_state(q)}
            return RedirectResponse(f"{back}?{urlencode(said)}", status_code=302)
        code = secrets.token_urlsafe(24)
        self._grants[code] = _Grant(back, q.get("code_challenge", ""), q.get("nonce", ""))
        return RedirectResponse(f"{back}?{urlencode({'code': code, **_state(q)})}", 302)

    async def _token(self, request: Request) -> Response:
        form = {k: str(v) for k, v in (await request.form()).items()}
        method, client_id, secret = _client_auth(request, form)
        self.token_requests.append({**form, "auth_method": method})
        if client_id != self.client_id or not hmac.compare_digest(secret, self.client_secret):
            return _refused("invalid_client", 401)
        grant = self._grants.pop(form.get("code", ""), None)  # a code is used once
        if grant is None or form.get("grant_type") != "authorization_code":
            return _refused("invalid_grant")
        if form.get("redirect_uri") != grant.redirect_uri:
            return _refused("invalid_grant", description="redirect_uri differs")
        verifier = form.get("code_verifier", "")
        if _b64(hashlib.sha256(verifier.encode()).digest()) != grant.challenge:
            return _refused("invalid_grant", description="PKCE verification failed")
        access = self.access_token()
        return JSONResponse(
            {
                "access_token": access,
                "id_token": self._id_token(grant.nonce, access),
                "token_type": "Bearer",
                "expires_in": 3600,
            },
            headers={"Cache-Control": "no-store"},
        )

    async def _logout(self, request: Request) -> Response:
        q = dict(request.query_params)
        self.logouts.append(q)
        if q.get("post_logout_redirect_uri"):
            return RedirectResponse(q["post_logout_redirect_uri"], status_code=302)
        return PlainTextResponse("signed out")


def _state(query: dict[str, str]) -> dict[str, str]:
    return {"state": query["state"]} if "state" in query else {}


def _client_auth(request: Request, form: dict[str, str]) -> tuple[str, str, str]:
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "basic":
        pair = base64.b64decode(encoded).decode()
        client_id, _, secret = pair.partition(":")
        return "client_secret_basic", unquote_plus(client_id), unquote_plus(secret)
    return "client_secret_post", form.get("client_id", ""), form.get("client_secret", "")


def _refused(error: str, status: int = 400, description: str = "") -> JSONResponse:
    body = {"error": error, **({"error_description": description} if description else {})}
    return JSONResponse(body, status_code=status)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")
