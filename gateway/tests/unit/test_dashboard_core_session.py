"""The dashboard's session cookie and sign-in: the cookie's attributes, a pasted token verified
as the API verifies it, the development mint refused outside development, and a page without
a session sending the user to sign in."""

from __future__ import annotations

import re
from datetime import timedelta
from http.cookies import SimpleCookie

import pytest
from fastapi.responses import Response
from starlette.requests import Request

from simpul_gateway.app import create_app
from simpul_gateway.dashboard.session import COOKIE, end_session, safe_next, start_session
from simpul_gateway.dashboard.signin import dev_mint_allowed, mint_dev_token
from simpul_gateway.settings import GatewaySettings
from simpul_platform.auth import Authenticator, mint_token
from simpul_platform.settings import DEV_JWT_SECRET
from simpul_platform.testing.asgi import running_app
from simpul_platform.testing.stack import TEST_JWT_SECRET, TEST_PSEUDONYM_SECRET

pytestmark = pytest.mark.unit

DEV = GatewaySettings(registry_url="http://127.0.0.1:9", upstream_timeout_s=0.2)
PRODUCTION = GatewaySettings(
    environment="production",
    jwt_secret=TEST_JWT_SECRET,
    pseudonym_secret=TEST_PSEUDONYM_SECRET,
    registry_url="http://127.0.0.1:9",
    upstream_timeout_s=0.2,
)


def _request(scheme: str) -> Request:
    scope = {"type": "http", "scheme": scheme, "path": "/dashboard/masuk"}
    scope["headers"] = [(b"host", b"simpul.example")]
    return Request({**scope, "query_string": b""})


def _cookie(response: Response) -> SimpleCookie:
    jar: SimpleCookie = SimpleCookie()
    jar.load(response.headers["set-cookie"])
    return jar


@pytest.mark.parametrize(("scheme", "secure"), [("https", True), ("http", False)])
def test_the_session_cookie_is_http_only_lax_secure_over_https_and_ends_with_the_token(
    scheme, secure
):
    token = mint_token(DEV, "dpmd-kukar", ["dpmd"], ["64.02"], ttl=timedelta(hours=2))
    response = Response()
    start_session(response, token, _request(scheme))
    morsel = _cookie(response)[COOKIE]
    assert morsel.value == token
    assert morsel["httponly"] is True
    assert morsel["samesite"].lower() == "lax"
    assert bool(morsel["secure"]) is secure
    assert morsel["path"] == "/dashboard"
    assert 2 * 3600 - 60 <= int(morsel["max-age"]) <= 2 * 3600


def test_signing_out_expires_the_cookie():
    response = Response()
    end_session(response)
    morsel = _cookie(response)[COOKIE]
    assert morsel.value == ""
    assert int(morsel["max-age"]) == 0
    assert morsel["path"] == "/dashboard"


def test_after_sign_in_the_user_goes_only_to_a_dashboard_page():
    assert safe_next("/dashboard/ringkasan?wilayah=64.02") == "/dashboard/ringkasan?wilayah=64.02"
    for elsewhere in ("https://evil.example/", "//evil.example/dashboard", "/v1/scorecard", None):
        assert safe_next(elsewhere) == "/dashboard"


def test_the_dev_mint_is_refused_outside_development():
    assert dev_mint_allowed(DEV)
    other_key = GatewaySettings(jwt_secret="a-deployment-secret-that-is-not-the-dev-one")
    assert not dev_mint_allowed(other_key)  # development, but with the deployment's own key
    assert not dev_mint_allowed(PRODUCTION)
    assert mint_dev_token(PRODUCTION, "dpmd", "64.02") is None
    assert mint_dev_token(other_key, "dpmd", "64.02") is None


def test_the_dev_mint_makes_a_token_the_services_accept_for_its_role_and_wilayah_only():
    token = mint_dev_token(DEV, "tp:kecamatan", "64.02.06")
    assert token is not None
    principal = Authenticator(DEV).authenticate(token)
    assert (principal.roles, principal.wilayah) == (frozenset({"tp:kecamatan"}), ("64.02.06",))
    assert mint_dev_token(DEV, "opd:health", "64.02") is None  # not a role the form offers
    assert mint_dev_token(DEV, "dpmd", "64.02; DROP") is None
    assert DEV.jwt_secret == DEV_JWT_SECRET


async def test_the_mint_route_answers_403_and_sets_no_cookie_in_production():
    async with running_app(create_app(PRODUCTION)) as client:
        form = await client.get("/dashboard/masuk")
        minted = await client.post(
            "/dashboard/masuk/dev", data={"role": "dpmd", "wilayah": "64.02"}
        )
    assert form.status_code == 200
    assert 'action="/dashboard/masuk/dev"' not in form.text  # no mint form to see
    assert minted.status_code == 403
    assert "set-cookie" not in minted.headers
    assert "Pembuatan token hanya ada di lingkungan pengembangan." in minted.text


async def test_a_page_without_a_session_redirects_to_sign_in_and_back():
    async with running_app(create_app(PRODUCTION)) as client:
        response = await client.get("/dashboard/ringkasan?wilayah=64.02")
    assert response.status_code == 303
    assert response.headers["location"] == (
        "/dashboard/masuk?next=%2Fdashboard%2Fringkasan%3Fwilayah%3D64.02"
    )


async def test_a_pasted_token_is_verified_before_it_becomes_the_session():
    good = mint_token(PRODUCTION, "dpmd-kukar", ["dpmd"], ["64.02"])
    forged = mint_token(DEV, "dpmd-kukar", ["dpmd"], ["64.02"])  # another key
    async with running_app(create_app(PRODUCTION)) as client:
        form = await client.get("/dashboard/masuk")  # the form's CSRF token and its cookie
        csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
        assert csrf
        refused = await client.post("/dashboard/masuk", data={"token": forged, "csrf": csrf[1]})
        accepted = await client.post(
            "/dashboard/masuk",
            data={"token": good, "next": "/dashboard/ringkasan?wilayah=64.02", "csrf": csrf[1]},
        )
    assert refused.status_code == 400
    assert "set-cookie" not in refused.headers
    assert "Token tidak diterima" in refused.text
    assert accepted.status_code == 303
    assert accepted.headers["location"] == "/dashboard/ringkasan?wilayah=64.02"
    morsel = _cookie(accepted)[COOKIE]
    assert morsel.value == good
    assert int(morsel["max-age"]) > 0


async def test_an_expired_session_is_sent_to_sign_in_and_its_cookie_removed():
    expired = mint_token(PRODUCTION, "dpmd", ["dpmd"], ["64.02"], ttl=timedelta(seconds=-5))
    async with running_app(create_app(PRODUCTION)) as client:
        client.cookies.set(COOKIE, expired, path="/dashboard")
        response = await client.get("/dashboard/ringkasan?wilayah=64.02")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/dashboard/masuk?next=")
    assert int(_cookie(response)[COOKIE]["max-age"]) == 0
