"""Input the gateway refuses itself, before any upstream call (found by bench/fuzz.py)."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from simpul_gateway.app import create_app
from simpul_gateway.settings import GatewaySettings
from simpul_platform.auth import mint_token
from simpul_platform.testing.asgi import running_app
from simpul_platform.testing.stack import TEST_JWT_SECRET, TEST_PSEUDONYM_SECRET

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    "posyandu_id",
    ["\x17bad", "a?b=c", "x" * 37, "..%2F..%2Fwilayah%2F64", "pos yandu"],
)
async def test_a_posyandu_id_that_cannot_be_one_is_a_422_naming_the_path(posyandu_id):
    """It used to reach the upstream URL: control characters were a 500 (httpx InvalidURL),
    and "?" or "/" would have changed which registry resource the gateway asked for."""
    settings = GatewaySettings(
        environment="test",
        jwt_secret=TEST_JWT_SECRET,
        pseudonym_secret=TEST_PSEUDONYM_SECRET,
        registry_url="http://127.0.0.1:9",  # never called
        health_url="",
        education_url="",
        social_url="",
    )
    token = mint_token(settings, "dpmd", ["dpmd"], ["64"])
    async with running_app(create_app(settings)) as client:
        response = await client.get(
            f"/v1/posyandu/{quote(posyandu_id, safe='')}/profile",
            headers={"Authorization": f"Bearer {token}"},
        )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    error = response.json()["errors"][0]
    assert error["field"] == "path.posyandu_id"
    assert error["rule"] in ("string_pattern_mismatch", "string_too_long")
