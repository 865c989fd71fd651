"""The dashboard's sign-in during a JWT secret rotation: a token of the previous secret is
still taken as a session while that secret is listed, and refused once it is removed."""

from __future__ import annotations

import re

import pytest

from simpul_gateway.app import create_app
from simpul_gateway.settings import GatewaySettings
from simpul_platform.auth import mint_token
from simpul_platform.testing.asgi import running_app
from simpul_platform.testing.stack import TEST_PSEUDONYM_SECRET

pytestmark = pytest.mark.unit

OLD = "the-gateways-secret-before-the-rotation-01"
NEW = "the-gateways-secret-after-the-rotation-987"


def gateway_settings(secret: str, previous: list[str]) -> GatewaySettings:
    return GatewaySettings(
        environment="production",
        jwt_secret=secret,
        jwt_previous_secrets=previous,
        pseudonym_secret=TEST_PSEUDONYM_SECRET,
        registry_url="http://127.0.0.1:9",
        upstream_timeout_s=0.2,
    )


async def sign_in(settings: GatewaySettings, token: str) -> tuple[int, str]:
    async with running_app(create_app(settings)) as client:
        form = await client.get("/dashboard/masuk")
        csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
        assert csrf
        answer = await client.post("/dashboard/masuk", data={"token": token, "csrf": csrf[1]})
    return answer.status_code, answer.headers.get("set-cookie", "")


async def test_an_old_token_signs_in_while_its_secret_is_listed_and_not_after():
    old_token = mint_token(gateway_settings(OLD, []), "dpmd-kukar", ["dpmd"], ["64.02"])

    status, cookie = await sign_in(gateway_settings(NEW, [OLD]), old_token)
    assert status == 303 and old_token in cookie

    status, cookie = await sign_in(gateway_settings(NEW, []), old_token)
    assert status == 400 and cookie == ""
