"""Rotating the HS256 JWT secret without downtime: the new secret signs, the previous ones
listed in ``jwt_previous_secrets`` still verify, and once a secret leaves the list its tokens
fail as any foreign token does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest
from fastapi import FastAPI
from pydantic import ValidationError

from simpul_platform.auth import Authenticator, CurrentPrincipal, mint_token
from simpul_platform.errors import Unauthorized, install_problem_handlers
from simpul_platform.settings import DEV_JWT_SECRET, ServiceSettings

pytestmark = pytest.mark.unit

OLD = "the-secret-before-the-rotation-0123456789"
NEW = "the-secret-after-the-rotation-9876543210"
PSEUDONYM = {"pseudonym_secret": "p" * 40}


def production(**values: Any) -> ServiceSettings:
    return ServiceSettings(environment="production", **PSEUDONYM, **values)


BEFORE = production(jwt_secret=OLD)
DURING = production(jwt_secret=NEW, jwt_previous_secrets=[OLD])
AFTER = production(jwt_secret=NEW)


def token(settings: ServiceSettings, **claims: Any) -> str:
    return mint_token(settings, "dpmd-kukar", ["dpmd"], ["64.02"], **claims)


def test_during_the_rotation_tokens_of_the_old_secret_and_of_the_new_are_both_accepted():
    authenticator = Authenticator(DURING)
    for signed_by in (BEFORE, DURING):
        principal = authenticator.authenticate(token(signed_by))
        assert (principal.subject, principal.roles, principal.wilayah) == (
            "dpmd-kukar",
            frozenset({"dpmd"}),
            ("64.02",),
        )


def test_new_tokens_are_signed_with_the_new_secret_never_a_previous_one():
    minted = token(DURING)
    assert jwt.decode(minted, NEW, algorithms=["HS256"], audience="simpul")["sub"] == "dpmd-kukar"
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(minted, OLD, algorithms=["HS256"], audience="simpul")
    Authenticator(AFTER).authenticate(minted)  # still valid once the old secret is gone


def test_once_the_old_secret_is_removed_its_tokens_are_refused():
    with pytest.raises(Unauthorized, match="Signature verification failed"):
        Authenticator(AFTER).authenticate(token(BEFORE))


def test_a_token_of_neither_secret_fails_as_before():
    stranger = production(jwt_secret="a-third-secret-nobody-listed-000000000")
    with pytest.raises(Unauthorized, match="Signature verification failed"):
        Authenticator(DURING).authenticate(token(stranger))


def test_an_expired_token_of_the_old_secret_is_refused_as_expired_not_as_forged():
    expired = token(BEFORE, ttl=timedelta(seconds=-5))
    with pytest.raises(Unauthorized, match="The token has expired"):
        Authenticator(DURING).authenticate(expired)


def test_a_wrong_audience_under_the_old_secret_is_not_retried_as_a_signature_problem():
    claims = {"sub": "x", "exp": datetime.now(UTC) + timedelta(minutes=5), "aud": "other"}
    other_audience = jwt.encode({**claims, "iss": "simpul"}, OLD, algorithm="HS256")
    with pytest.raises(Unauthorized, match="Audience doesn't match"):
        Authenticator(DURING).authenticate(other_audience)


async def test_a_service_route_accepts_old_and_new_tokens_during_the_rotation():
    app = FastAPI()
    app.state.authenticator = Authenticator(DURING)
    install_problem_handlers(app)

    @app.get("/whoami")
    def whoami(principal: CurrentPrincipal) -> dict[str, str]:
        return {"subject": principal.subject}

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
        answers = [
            await client.get("/whoami", headers={"Authorization": f"Bearer {token(signed_by)}"})
            for signed_by in (BEFORE, DURING, AFTER)
        ]
        foreign = production(jwt_secret="z" * 40)
        refused = await client.get("/whoami", headers={"Authorization": f"Bearer {token(foreign)}"})
    assert [a.json() for a in answers] == [{"subject": "dpmd-kukar"}] * 3
    assert refused.status_code == 401
    assert "Signature verification failed" in refused.json()["detail"]


def test_previous_secrets_are_read_from_the_deployment_wide_environment(
    monkeypatch: pytest.MonkeyPatch,
):
    monkeypatch.setenv("SIMPUL_JWT_PREVIOUS_SECRETS", f'["{OLD}", "an-even-older-one"]')
    assert ServiceSettings().jwt_previous_secrets == [OLD, "an-even-older-one"]


def test_the_development_secret_is_refused_among_the_previous_ones_outside_development():
    with pytest.raises(ValidationError, match="jwt_previous_secrets: the development default"):
        production(jwt_secret=NEW, jwt_previous_secrets=[DEV_JWT_SECRET])
    development = ServiceSettings(jwt_secret=NEW, jwt_previous_secrets=[DEV_JWT_SECRET])
    assert Authenticator(development).authenticate(token(ServiceSettings())).subject


def test_previous_secrets_are_refused_where_they_would_do_nothing():
    with pytest.raises(ValidationError, match="an RS256 identity provider rotates its keys"):
        production(jwt_algorithm="RS256", jwt_public_key="pem", jwt_previous_secrets=[OLD])
    with pytest.raises(ValidationError, match="an empty secret verifies nothing"):
        production(jwt_secret=NEW, jwt_previous_secrets=[""])
