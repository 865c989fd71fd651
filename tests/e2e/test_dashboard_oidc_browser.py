"""Signing in to the dashboard by OIDC in a real browser: the gateway and the platform's test
identity provider each on a real local port, Chromium following every redirect itself. A page
asked for without a session leads to the sign-in page, "Masuk dengan Test IdP" goes through the
provider and back to that page signed in, the session cookie is HttpOnly and holds a token the
API accepts, signing out ends the provider's session too, and a provider that refuses is said
on the sign-in page.

The gateway runs in-process under uvicorn (no field service behind it: the page's sections say
so); what is under test is the sign-in, which needs no field data.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from playwright.async_api import Page, expect

from simpul_gateway.app import create_app
from simpul_gateway.settings import GatewaySettings
from simpul_platform.testing.browser import BrowserErrors
from simpul_platform.testing.browser_checks import (
    assert_no_serious_violations,
    axe_scan,
    screenshot,
)
from simpul_platform.testing.identity_provider import IdentityProvider
from simpul_platform.testing.server import served
from simpul_platform.testing.stack import TEST_PSEUDONYM_SECRET

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

NOWHERE = "http://127.0.0.1:9"


@pytest.fixture(scope="module")
def idp() -> Iterator[IdentityProvider]:
    provider = IdentityProvider()
    with provider.serve():
        yield provider


@pytest.fixture(scope="module")
def gateway_url(idp: IdentityProvider) -> Iterator[str]:
    fields = ("registry", "health", "education", "social", "housing", "public_works", "trantib")
    settings = GatewaySettings(
        environment="test",
        pseudonym_secret=TEST_PSEUDONYM_SECRET,
        upstream_timeout_s=0.3,
        upstream_retries=0,
        oidc_issuer=idp.issuer,
        oidc_client_id=idp.client_id,
        oidc_client_secret=idp.client_secret,
        oidc_provider_name="Test IdP",
        oidc_state_secret="a-browser-test-state-secret-0123456789abcdef",
        **(idp.jwt_settings() | {f"{name}_url": NOWHERE for name in fields}),
    )
    with served(create_app(settings)) as url:
        yield url


async def test_signing_in_and_out_through_the_identity_provider(
    browser_page: Page, idp: IdentityProvider, gateway_url: str
) -> None:
    page = browser_page
    await page.set_viewport_size({"width": 360, "height": 640})
    await page.goto(f"{gateway_url}/dashboard/ringkasan?wilayah=64.02")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Masuk ke dasbor")
    assert_no_serious_violations(await axe_scan(page))
    await screenshot(page, "oidc-sign-in-360")

    await page.get_by_role("link", name="Masuk dengan Test IdP").click()
    await page.wait_for_url(f"{gateway_url}/dashboard/ringkasan?wilayah=64.02")
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Ringkasan")
    await expect(page.locator(".user")).to_contain_text("dpmd-kukar")
    cookies = {c["name"]: c for c in await page.context.cookies()}
    session = cookies["simpul_session"]
    assert session["httpOnly"] and session["sameSite"] == "Lax"
    assert "simpul_oidc" not in cookies  # the sign-in's state went with the sign-in
    async with httpx.AsyncClient(base_url=gateway_url, timeout=10) as api:
        answer = await api.get(
            "/v1/scorecard",
            params={"wilayah": "64.02"},
            headers={"Authorization": f"Bearer {session['value']}"},
        )
    assert answer.status_code == 200 and answer.json()["wilayah"] == "64.02"

    await page.get_by_role("button", name="Keluar").click()
    await page.wait_for_url(f"{gateway_url}/dashboard/masuk")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Masuk ke dasbor")
    assert idp.logouts[-1]["post_logout_redirect_uri"] == f"{gateway_url}/dashboard/masuk"
    assert "simpul_session" not in {c["name"] for c in await page.context.cookies()}


async def test_a_provider_that_refuses_is_said_on_the_sign_in_page(
    browser_page: Page, browser_errors: BrowserErrors, idp: IdentityProvider, gateway_url: str
) -> None:
    browser_errors.allow(r"HTTP 400 GET .*/dashboard/masuk/oidc/callback\?error=access_denied")
    idp.refuse = "access_denied"
    try:
        await browser_page.goto(f"{gateway_url}/dashboard/masuk?lang=en")
        await browser_page.get_by_role("link", name="Sign in with Test IdP").click()
        await browser_page.wait_for_url("**/dashboard/masuk/oidc/callback?**")
    finally:
        idp.refuse = None
    alert = browser_page.get_by_role("alert")
    await expect(alert).to_contain_text("The identity provider did not allow the sign-in")
    await expect(alert).to_contain_text("access_denied")
    assert_no_serious_violations(await axe_scan(browser_page))
    await screenshot(browser_page, "oidc-refused")
