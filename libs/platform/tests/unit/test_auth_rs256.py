"""RS256 tokens of an existing identity provider: a PEM public key, or keys from its JWKS.

The JWKS is served by a real HTTP server on a free local port, so fetching, caching, key
rotation and an unreachable provider go through PyJWT's own client as in production.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI
from pydantic import ValidationError

from simpul_platform.auth import Authenticator, CurrentPrincipal, mint_token
from simpul_platform.devstack.ports import free_port
from simpul_platform.errors import install_problem_handlers
from simpul_platform.settings import ServiceSettings

pytestmark = pytest.mark.unit

PRODUCTION_SECRETS = {"pseudonym_secret": "p" * 40}


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_pem(key: rsa.RSAPrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def jwk(key: rsa.RSAPrivateKey, kid: str) -> dict[str, Any]:
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    return {**public, "kid": kid, "use": "sig", "alg": "RS256"}


def idp_token(key: rsa.RSAPrivateKey, kid: str | None = None, **claims: Any) -> str:
    now = datetime.now(UTC)
    body = {
        "sub": "dpmd-kukar",
        "roles": ["dpmd"],
        "wilayah": ["64.02"],
        "iat": now,
        "exp": now + timedelta(minutes=5),
        "iss": "simpul",
        "aud": "simpul",
        **claims,
    }
    headers = {"kid": kid} if kid else None
    return jwt.encode(body, key, algorithm="RS256", headers=headers)


class Jwks:
    """A JWKS endpoint whose key set a test can rotate, counting the fetches it serves."""

    def __init__(self) -> None:
        self.keys: list[dict[str, Any]] = []
        self.fetches = 0
        jwks = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                jwks.fetches += 1
                body = json.dumps({"keys": jwks.keys}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/jwks.json"


@pytest.fixture
def jwks() -> Iterator[Jwks]:
    endpoint = Jwks()
    thread = threading.Thread(target=endpoint.server.serve_forever, daemon=True)
    thread.start()
    yield endpoint
    endpoint.server.shutdown()
    endpoint.server.server_close()


def client_for(settings: ServiceSettings) -> httpx.AsyncClient:
    app = FastAPI()
    app.state.authenticator = Authenticator(settings)
    install_problem_handlers(app)

    @app.get("/whoami")
    def whoami(principal: CurrentPrincipal) -> dict[str, Any]:
        return {"subject": principal.subject, "wilayah": list(principal.wilayah)}

    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://service")


async def call(client: httpx.AsyncClient, token: str) -> tuple[int, dict[str, Any]]:
    answer = await client.get("/whoami", headers={"Authorization": f"Bearer {token}"})
    return answer.status_code, answer.json()


async def test_an_rs256_public_key_accepts_the_providers_tokens_and_nothing_else():
    key = new_key()
    settings = ServiceSettings(
        environment="production",
        jwt_algorithm="RS256",
        jwt_public_key=public_pem(key),
        **PRODUCTION_SECRETS,
    )
    client = client_for(settings)

    assert await call(client, idp_token(key)) == (
        200,
        {"subject": "dpmd-kukar", "wilayah": ["64.02"]},
    )

    status, problem = await call(client, idp_token(new_key()))
    assert status == 401 and "Signature verification failed" in problem["detail"]
    # The development HS256 token must not pass where RS256 is configured (algorithm confusion).
    hs256 = mint_token(ServiceSettings(environment="development"), "x", ["dpmd"], ["*"])
    status, problem = await call(client, hs256)
    assert status == 401 and "alg value is not allowed" in problem["detail"]
    status, problem = await call(
        client, idp_token(key, exp=datetime.now(UTC) - timedelta(seconds=5))
    )
    assert status == 401 and problem["detail"] == "The token has expired."
    status, _ = await call(client, idp_token(key, aud="another-system"))
    assert status == 401


async def test_jwks_keys_are_cached_and_a_rotated_key_is_fetched_after_the_cooldown(
    jwks: Jwks, monkeypatch: pytest.MonkeyPatch
):
    # PyJWKClient's cooldown reads time.monotonic: a clock the test moves, so a slow machine
    # cannot run past the cooldown between calls.
    now = [1000.0]
    monkeypatch.setattr(jwt.jwks_client, "time", SimpleNamespace(monotonic=lambda: now[0]))
    old, new = new_key(), new_key()
    jwks.keys = [jwk(old, "2026-11")]
    cooldown = 30.0
    settings = ServiceSettings(
        environment="production",
        jwt_algorithm="RS256",
        jwt_jwks_url=jwks.url,
        jwt_jwks_refresh_cooldown_s=cooldown,
        **PRODUCTION_SECRETS,
    )
    client = client_for(settings)

    for _ in range(3):
        assert (await call(client, idp_token(old, kid="2026-11")))[0] == 200
    assert jwks.fetches == 1  # the key set is cached, not fetched per request

    # Unknown kids right after a fetch do not reach the provider (no flood by forged kids).
    for _ in range(3):
        status, problem = await call(client, idp_token(new_key(), kid="forged"))
        assert status == 401 and "forged" in problem["detail"]
    assert jwks.fetches == 1

    jwks.keys = [jwk(old, "2026-11"), jwk(new, "2026-12")]  # the provider rotates
    now[0] += cooldown
    assert (await call(client, idp_token(new, kid="2026-12")))[0] == 200
    assert (await call(client, idp_token(old, kid="2026-11")))[0] == 200
    assert jwks.fetches == 2


async def test_an_unreachable_identity_provider_is_a_503_not_the_callers_fault():
    settings = ServiceSettings(
        environment="production",
        jwt_algorithm="RS256",
        jwt_jwks_url=f"http://127.0.0.1:{free_port()}/jwks.json",  # nothing listens here
        **PRODUCTION_SECRETS,
    )
    token = idp_token(new_key(), kid="k")
    answer = await client_for(settings).get("/whoami", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 503
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.headers["retry-after"] == "5"
    assert "JWKS" in answer.json()["detail"]


def test_rs256_without_a_key_is_refused_at_start_up():
    with pytest.raises(ValidationError, match="RS256 needs jwt_public_key or jwt_jwks_url"):
        ServiceSettings(environment="production", jwt_algorithm="RS256", **PRODUCTION_SECRETS)
