"""Pages over the in-process API with no services behind it: the API's refusal becomes the
403 page, a section whose service is down says so while the page still shows, and the language
switch is remembered."""

from __future__ import annotations

import httpx
import pytest
from starlette.responses import PlainTextResponse
from starlette.types import Receive, Scope, Send

from simpul_gateway.app import create_app
from simpul_gateway.dashboard import CompressedPages
from simpul_gateway.dashboard.session import COOKIE
from simpul_gateway.settings import GatewaySettings
from simpul_platform.auth import mint_token
from simpul_platform.testing.asgi import running_app
from simpul_platform.testing.stack import TEST_JWT_SECRET, TEST_PSEUDONYM_SECRET

pytestmark = pytest.mark.unit

SETTINGS = GatewaySettings(
    environment="test",
    jwt_secret=TEST_JWT_SECRET,
    pseudonym_secret=TEST_PSEUDONYM_SECRET,
    registry_url="http://127.0.0.1:9",  # nothing listens: the registry is down
    upstream_timeout_s=0.5,
    upstream_retries=0,
)


async def test_a_role_the_api_refuses_gets_the_403_page():
    token = mint_token(SETTINGS, "dinkes", ["opd:health"], ["64.02"])
    async with running_app(create_app(SETTINGS)) as client:
        client.cookies.set(COOKIE, token, path="/dashboard")
        response = await client.get("/dashboard/ringkasan", params={"wilayah": "64.02"})
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("text/html")
    assert "Anda tidak berhak melihat wilayah ini" in response.text


async def test_a_section_whose_service_is_down_says_so_and_the_page_still_shows():
    token = mint_token(SETTINGS, "dpmd", ["dpmd"], ["64.02"])
    async with running_app(create_app(SETTINGS)) as client:
        client.cookies.set(COOKIE, token, path="/dashboard")
        page = await client.get("/dashboard/ringkasan", params={"wilayah": "64.02", "lang": "en"})
        remembered = await client.get("/dashboard/ringkasan", params={"wilayah": "64.02"})
        export = await client.get("/dashboard/ringkasan.csv", params={"wilayah": "64.02"})
    assert page.status_code == 200
    assert page.text.count("the registry service did not answer") == 2  # both sections
    assert '<html lang="en">' in page.text
    assert "dpmd" in page.text and 'action="/dashboard/keluar"' in page.text
    assert page.cookies.get("lang") == "en"
    assert '<html lang="en">' in remembered.text  # the cookie, without ?lang=
    assert export.status_code == 503  # no file of figures nobody answered


async def test_pages_and_assets_come_compressed_and_the_api_as_before():
    token = mint_token(SETTINGS, "dpmd", ["dpmd"], ["64.02"])
    gzip = {"Accept-Encoding": "gzip"}
    async with running_app(create_app(SETTINGS)) as client:
        client.cookies.set(COOKIE, token, path="/dashboard")
        page = await client.get("/dashboard/ringkasan", params={"wilayah": "64.02"}, headers=gzip)
        style = await client.get("/dashboard/assets/dashboard.css", headers=gzip)
    assert page.status_code == 200 and page.headers["content-encoding"] == "gzip"
    assert "Ringkasan" in page.text  # httpx decodes it: the page is whole
    assert style.headers["content-encoding"] == "gzip"

    # Behind the same wrapper, a large API answer goes as it is.
    async def large(scope: Scope, receive: Receive, send: Send) -> None:
        await PlainTextResponse("x" * 5000)(scope, receive, send)

    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=CompressedPages(large)), base_url="http://gateway"
    ) as plain:
        api = await plain.get("/v1/scorecard", headers=gzip)
        dashboard = await plain.get("/dashboard/capaian", headers=gzip)
    assert "content-encoding" not in api.headers and len(api.text) == 5000
    assert dashboard.headers["content-encoding"] == "gzip"
