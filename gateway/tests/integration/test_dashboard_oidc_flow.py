"""Signing in to the dashboard by OIDC against a provider on a real local port (the platform's
test identity provider: discovery, JWKS, authorize, token, end-session), the gateway set up to
accept that provider's RS256 tokens through its JWKS, and the redirects followed by hand as a
browser would: a sign-in whose session the API accepts, then each way a sign-in must be
refused (a wrong state, a tampered state cookie, a wrong PKCE verifier, the provider's error,
another sign-in's nonce, a token the API refuses, a token too big for a cookie), and sign-out
ending the provider's session too.
"""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pytest

from simpul_gateway.app import create_app
from simpul_gateway.dashboard.oidc_provider import STATE_COOKIE
from simpul_gateway.dashboard.session import COOKIE
from simpul_gateway.settings import GatewaySettings
from simpul_platform.devstack.ports import free_port
from simpul_platform.testing.asgi import running_app
from simpul_platform.testing.identity_provider import IdentityProvider
from simpul_platform.testing.stack import TEST_PSEUDONYM_SECRET

pytestmark = pytest.mark.integration

STATE_SECRET = "a-test-state-secret-for-the-oidc-cookie-0123"
RINGKASAN = "/dashboard/ringkasan?wilayah=64.02"
NOWHERE = "http://127.0.0.1:9"  # no field service: the views answer with every field down


@pytest.fixture(scope="module")
def idp() -> Iterator[IdentityProvider]:
    provider = IdentityProvider()
    with provider.serve():
        yield provider


@pytest.fixture(autouse=True)
def well_behaved(idp: IdentityProvider) -> None:
    idp.refuse, idp.nonce_override, idp.extra_claims = None, None, {}


def settings_for(idp: IdentityProvider, **overrides: Any) -> GatewaySettings:
    urls = {f"{name}_url": NOWHERE for name in ("registry", "health", "education", "social")}
    urls |= {f"{name}_url": NOWHERE for name in ("housing", "public_works", "trantib")}
    chosen: dict[str, Any] = {
        "environment": "test",
        "pseudonym_secret": TEST_PSEUDONYM_SECRET,
        "upstream_timeout_s": 0.3,
        "upstream_retries": 0,
        "oidc_issuer": idp.issuer,
        "oidc_client_id": idp.client_id,
        "oidc_client_secret": idp.client_secret,
        "oidc_provider_name": "Test IdP",
        "oidc_state_secret": STATE_SECRET,
    }
    return GatewaySettings(**(chosen | idp.jwt_settings() | urls | overrides))


@asynccontextmanager
async def gateway(idp: IdentityProvider, **overrides: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with running_app(create_app(settings_for(idp, **overrides))) as client:
        yield client


async def to_provider(client: httpx.AsyncClient, next_path: str = RINGKASAN) -> str:
    """Start a sign-in; the URL the browser is sent to at the provider."""
    started = await client.get("/dashboard/masuk/oidc", params={"next": next_path})
    assert started.status_code == 303, started.text
    return started.headers["location"]


async def at_provider(url: str) -> str:
    """The provider's answer to the browser: the URL it sends it back to."""
    async with httpx.AsyncClient(timeout=10) as browser:
        answer = await browser.get(url)
    assert answer.status_code == 302, answer.text
    return answer.headers["location"]


async def back_at_gateway(client: httpx.AsyncClient, url: str) -> httpx.Response:
    parts = urlsplit(url)
    assert parts.netloc == "service"  # the callback derived from the gateway's own origin
    return await client.get(f"{parts.path}?{parts.query}")


async def sign_in(client: httpx.AsyncClient, next_path: str = RINGKASAN) -> httpx.Response:
    return await back_at_gateway(client, await at_provider(await to_provider(client, next_path)))


def refusal(page: httpx.Response) -> str:
    """The sign-in page's message, as the reader sees it."""
    found = re.search(r'role="alert">\s*<p><strong>(.*?)</strong>(.*?)</p>', page.text, re.S)
    assert found, page.text
    return html.unescape(found.group(1) + found.group(2))


def set_cookies(response: httpx.Response) -> SimpleCookie:
    jar: SimpleCookie = SimpleCookie()
    for header in response.headers.get_list("set-cookie"):
        jar.load(header)
    return jar


@pytest.mark.parametrize("auth_method", ["client_secret_basic", "client_secret_post"])
async def test_a_sign_in_ends_with_a_session_the_api_accepts(idp, auth_method):
    async with gateway(idp, oidc_client_auth=auth_method) as client:
        form = await client.get("/dashboard/masuk")
        authorize = await to_provider(client)
        state_cookie = client.cookies.get(STATE_COOKIE)
        done = await back_at_gateway(client, await at_provider(authorize))
        token = client.cookies.get(COOKIE)
        bearer = {"Authorization": f"Bearer {token}"}
        api = await client.get("/v1/scorecard", params={"wilayah": "64.02"}, headers=bearer)
        outside = await client.get("/v1/scorecard", params={"wilayah": "64.01"}, headers=bearer)
        page = await client.get(RINGKASAN)
    assert "Masuk dengan Test IdP" in form.text
    assert 'href="/dashboard/masuk/oidc?next=%2Fdashboard"' in form.text
    # The authorization request: code flow, PKCE S256, this client, a fresh state and nonce.
    sent = parse_qs(urlsplit(authorize).query)
    assert authorize.startswith(f"{idp.issuer}/authorize?")
    assert sent["response_type"] == ["code"] and sent["code_challenge_method"] == ["S256"]
    assert sent["client_id"] == [idp.client_id] and sent["scope"] == ["openid"]
    assert sent["redirect_uri"] == ["http://service/dashboard/masuk/oidc/callback"]
    assert len(sent["state"][0]) >= 43 and len(sent["nonce"][0]) >= 43
    assert state_cookie
    # Back at the dashboard: signed in, on the page asked for, the state cookie gone.
    assert done.status_code == 303, done.text
    assert done.headers["location"] == RINGKASAN
    assert idp.token_requests[-1]["auth_method"] == auth_method
    assert jwt.get_unverified_header(token)["alg"] == "RS256"
    claims = jwt.decode(token, options={"verify_signature": False})
    assert (claims["iss"], claims["sub"], claims["wilayah"]) == (
        idp.issuer,
        "dpmd-kukar",
        ["64.02"],
    )
    assert STATE_COOKIE not in client.cookies
    # The API takes the session's token as a bearer: its wilayah answered, another refused.
    assert api.status_code == 200 and api.json()["wilayah"] == "64.02"
    assert {row["field"] for row in api.json()["rows"]} >= {"health", "education"}
    assert outside.status_code == 403
    assert page.status_code == 200 and "dpmd-kukar" in page.text


async def test_the_state_cookie_is_signed_short_lived_http_only_and_only_for_the_callback(idp):
    async with gateway(idp) as client:
        started = await client.get("/dashboard/masuk/oidc", params={"next": "https://evil.example"})
    morsel = set_cookies(started)[STATE_COOKIE]
    assert morsel["httponly"] is True and morsel["samesite"].lower() == "lax"
    assert morsel["path"] == "/dashboard/masuk/oidc" and 0 < int(morsel["max-age"]) <= 600
    claims = jwt.decode(
        morsel.value, STATE_SECRET, algorithms=["HS256"], options={"verify_aud": False}
    )
    assert claims["next"] == "/dashboard"  # another site is never where a sign-in ends
    assert claims["state"] == parse_qs(urlsplit(started.headers["location"]).query)["state"][0]


async def test_a_callback_with_another_state_is_refused(idp):
    async with gateway(idp) as client:
        back = await at_provider(await to_provider(client))
        forged = re.sub(r"state=[^&]+", "state=an-attackers-state", back)
        exchanges = len(idp.token_requests)
        refused = await back_at_gateway(client, forged)
    assert refused.status_code == 400
    assert "Permintaan masuk ini tidak sah" in refusal(refused)
    assert "the state is not this sign-in's" in refusal(refused)
    assert len(idp.token_requests) == exchanges  # the code was never exchanged
    assert COOKIE not in client.cookies


async def test_a_tampered_state_cookie_is_refused(idp):
    async with gateway(idp) as client:
        back = await at_provider(await to_provider(client))
        cookie = client.cookies.get(STATE_COOKIE)
        head, body, signature = cookie.split(".")
        client.cookies.set(
            STATE_COOKIE, f"{head}.{body}.{signature[::-1]}", path="/dashboard/masuk/oidc"
        )
        refused = await back_at_gateway(client, back)
    assert refused.status_code == 400
    assert "Permintaan masuk ini tidak sah" in refusal(refused)
    assert "not valid" in refusal(refused)
    assert COOKIE not in client.cookies


async def test_a_wrong_pkce_verifier_is_refused_by_the_provider_and_said(idp):
    async with gateway(idp) as client:
        back = await at_provider(await to_provider(client))
        claims = jwt.decode(
            client.cookies.get(STATE_COOKIE),
            STATE_SECRET,
            algorithms=["HS256"],
            options={"verify_aud": False},
        )
        claims["verifier"] = "x" * 64  # signed with the right key: only the verifier is wrong
        client.cookies.set(
            STATE_COOKIE,
            jwt.encode(claims, STATE_SECRET, algorithm="HS256"),
            path="/dashboard/masuk/oidc",
        )
        refused = await back_at_gateway(client, back)
    assert refused.status_code == 400
    assert "menolak menukar kode masuk" in refusal(refused)
    assert "invalid_grant PKCE verification failed" in refusal(refused)
    assert COOKIE not in client.cookies


async def test_the_providers_error_is_said_on_the_sign_in_page(idp):
    idp.refuse = "access_denied"
    async with gateway(idp) as client:
        refused = await sign_in(client)
    assert refused.status_code == 400
    assert refusal(refused) == (
        "Penyedia identitas tidak mengizinkan masuk: access_denied The user said no"
    )
    assert COOKIE not in client.cookies


async def test_an_id_token_of_another_sign_in_is_refused(idp):
    idp.nonce_override = "the-nonce-of-another-sign-in"
    async with gateway(idp) as client:
        refused = await sign_in(client)
    assert refused.status_code == 400
    assert refusal(refused) == (
        "Token identitas dari penyedia tidak sah: the nonce is not this sign-in's"
    )
    assert COOKIE not in client.cookies


async def test_an_access_token_the_api_refuses_is_not_a_session(idp):
    async with gateway(idp, jwt_audience="another-audience") as client:
        refused = await sign_in(client)
    assert refused.status_code == 400
    assert "tidak diterima layanan Simpul" in refusal(refused)
    assert "Audience doesn't match" in refusal(refused)
    assert COOKIE not in client.cookies


async def test_an_access_token_too_big_for_a_cookie_is_said_plainly(idp):
    idp.extra_claims = {"groups": [f"group-{n:04d}" for n in range(400)]}
    async with gateway(idp) as client:
        refused = await sign_in(client)
    assert refused.status_code == 400
    assert "terlalu besar untuk disimpan di cookie" in refusal(refused)
    assert COOKIE not in client.cookies


async def test_signing_out_ends_the_providers_session_too(idp):
    async with gateway(idp) as client:
        await sign_in(client)
        page = await client.get(RINGKASAN)
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert csrf
        out = await client.post("/dashboard/keluar", data={"csrf": csrf.group(1)})
        assert COOKIE not in client.cookies
        back = await at_provider(out.headers["location"])
    assert out.status_code == 303
    assert out.headers["location"].startswith(f"{idp.issuer}/logout?")
    assert idp.logouts[-1] == {
        "client_id": idp.client_id,
        "post_logout_redirect_uri": "http://service/dashboard/masuk",
    }
    assert back == "http://service/dashboard/masuk"


async def test_without_a_provider_configured_there_is_no_oidc_sign_in(idp):
    plain = GatewaySettings(environment="development", upstream_timeout_s=0.3)
    async with running_app(create_app(plain)) as client:
        form = await client.get("/dashboard/masuk")
        started = await client.get("/dashboard/masuk/oidc")
    assert "Masuk dengan" not in form.text
    assert started.status_code == 404
    assert "tidak diatur di penerapan ini" in refusal(started)


async def test_a_provider_that_cannot_be_reached_is_said_and_sign_out_still_works(idp):
    gone = f"http://127.0.0.1:{free_port()}"  # nothing listens here
    async with gateway(idp, oidc_issuer=gone) as client:
        started = await client.get("/dashboard/masuk/oidc", params={"next": RINGKASAN})
        client.cookies.set("simpul_signin", "oidc", path="/dashboard")
        out = await client.post("/dashboard/keluar", data={"csrf": hidden_csrf(started)})
    assert started.status_code == 502
    assert "Penyedia identitas tidak dapat dihubungi" in refusal(started)
    assert "ConnectError" in refusal(started)
    assert STATE_COOKIE not in client.cookies  # nothing pending
    assert out.status_code == 303 and out.headers["location"] == "/dashboard/masuk"


def hidden_csrf(page: httpx.Response) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, page.text
    return found[1]
