"""The sign-in and sign-out forms' CSRF check (a random value in a SameSite=Strict, HttpOnly
cookie and in the form's hidden field, equal or refused), and the OIDC settings' own rules:
complete when switched on, and no development secret outside development."""

from __future__ import annotations

import re
from http.cookies import SimpleCookie

import httpx
import pytest
from pydantic import ValidationError

from simpul_gateway.app import create_app
from simpul_gateway.dashboard import csrf
from simpul_gateway.dashboard.session import COOKIE
from simpul_gateway.settings import DEV_OIDC_STATE_SECRET, GatewaySettings
from simpul_platform.auth import mint_token
from simpul_platform.testing.asgi import running_app
from simpul_platform.testing.stack import TEST_JWT_SECRET, TEST_PSEUDONYM_SECRET

pytestmark = pytest.mark.unit

DEV = GatewaySettings(registry_url="http://127.0.0.1:9", upstream_timeout_s=0.2)
PRODUCTION = {"jwt_secret": TEST_JWT_SECRET, "pseudonym_secret": TEST_PSEUDONYM_SECRET}
OIDC = {"oidc_issuer": "https://id.example.go.id/realms/kukar", "oidc_client_id": "simpul"}
OTHER = "A" * 43  # well formed, but not this browser's


def hidden_csrf(page: httpx.Response) -> str:
    found = re.findall(r'name="csrf" value="([^"]+)"', page.text)
    assert found, page.text
    assert len(set(found)) == 1  # every form on the page carries the same token
    return found[0]


async def test_the_sign_in_page_sets_a_strict_http_only_cookie_equal_to_its_forms_field():
    async with running_app(create_app(DEV)) as client:
        form = await client.get("/dashboard/masuk")
        again = await client.get("/dashboard/masuk")
    jar: SimpleCookie = SimpleCookie()
    jar.load(form.headers["set-cookie"])
    morsel = jar[csrf.COOKIE]
    assert morsel["httponly"] is True and morsel["samesite"].lower() == "strict"
    assert morsel["path"] == "/dashboard"
    assert hidden_csrf(form) == morsel.value
    assert form.text.count('name="csrf"') == 2  # the paste form and the development mint form
    assert hidden_csrf(again) == morsel.value and "set-cookie" not in again.headers  # kept


@pytest.mark.parametrize(
    ("path", "fields"),
    [
        ("/dashboard/masuk", {"token": "to be filled"}),
        ("/dashboard/masuk/dev", {"role": "dpmd", "wilayah": "64.02"}),
    ],
)
async def test_a_sign_in_post_needs_this_browsers_csrf_token(path, fields):
    if "token" in fields:
        fields = {"token": mint_token(DEV, "dpmd", ["dpmd"], ["64.02"])}
    async with running_app(create_app(DEV)) as client:
        token = hidden_csrf(await client.get("/dashboard/masuk"))
        missing = await client.post(path, data=fields)
        mismatched = await client.post(path, data={**fields, "csrf": OTHER})
        client.cookies.delete(csrf.COOKIE)
        no_cookie = await client.post(path, data={**fields, "csrf": token})
        # The refusal's form carries a new token, with its cookie: sent again, it passes.
        accepted = await client.post(path, data={**fields, "csrf": hidden_csrf(no_cookie)})
    for refused in (missing, mismatched, no_cookie):
        assert refused.status_code == 400
        assert "Formulir ini kedaluwarsa" in refused.text
        assert 'action="/dashboard/masuk"' in refused.text  # the form again, to send anew
        assert COOKIE not in refused.headers.get("set-cookie", "")
    assert accepted.status_code == 303
    assert accepted.cookies.get(COOKIE)


async def test_sign_out_needs_the_token_and_the_refusal_offers_the_form_again():
    session = mint_token(DEV, "dpmd-kukar", ["dpmd"], ["64.02"])
    async with running_app(create_app(DEV)) as client:
        client.cookies.set(COOKIE, session, path="/dashboard")
        forged = await client.post("/dashboard/keluar", data={"csrf": OTHER})
        still = client.cookies.get(COOKIE)
        signed_out = await client.post("/dashboard/keluar", data={"csrf": hidden_csrf(forged)})
    assert forged.status_code == 400
    assert "Permintaan tidak sah" in forged.text
    assert 'action="/dashboard/keluar"' in forged.text and "dpmd-kukar" in forged.text
    assert still == session  # a forged sign-out leaves the session alone
    assert signed_out.status_code == 303
    assert signed_out.headers["location"] == "/dashboard/masuk"
    expired: SimpleCookie = SimpleCookie()
    expired.load(signed_out.headers["set-cookie"])
    assert expired[COOKIE].value == "" and int(expired[COOKIE]["max-age"]) == 0


def test_only_two_equal_well_formed_values_pass():
    assert csrf._well_formed("a" * 43) and not csrf._well_formed("a" * 42)
    assert not csrf._well_formed("é" * 43) and not csrf._well_formed("a" * 42 + "=")


def test_oidc_needs_a_client_and_a_long_state_secret():
    with pytest.raises(ValidationError, match="oidc_client_id: needed"):
        GatewaySettings(oidc_issuer=OIDC["oidc_issuer"])
    with pytest.raises(ValidationError, match="oidc_state_secret: at least 32"):
        GatewaySettings(**OIDC, oidc_state_secret="short")
    assert GatewaySettings(**OIDC).oidc_enabled  # development: its defaults will do
    assert not GatewaySettings().oidc_enabled


@pytest.mark.parametrize("secret", ["oidc_client_secret", "oidc_state_secret"])
def test_oidc_development_secrets_are_refused_outside_development(secret):
    mine = {"oidc_client_secret": "c" * 40, "oidc_state_secret": "s" * 40}
    del mine[secret]
    with pytest.raises(ValidationError, match=f"{secret}: the development default is refused"):
        GatewaySettings(environment="production", **PRODUCTION, **OIDC, **mine)
    # Without OIDC a deployment needs neither; with its own secrets it starts.
    assert not GatewaySettings(environment="production", **PRODUCTION).oidc_enabled
    chosen = {"oidc_client_secret": "c" * 40, "oidc_state_secret": "s" * 40}
    assert GatewaySettings(environment="production", **PRODUCTION, **OIDC, **chosen).oidc_enabled
    assert DEV_OIDC_STATE_SECRET not in chosen.values()


def test_oidc_settings_come_from_the_gateways_environment(monkeypatch):
    monkeypatch.setenv("GATEWAY_OIDC_ISSUER", OIDC["oidc_issuer"])
    monkeypatch.setenv("GATEWAY_OIDC_CLIENT_ID", "simpul-dashboard")
    monkeypatch.setenv("GATEWAY_OIDC_SCOPES", "openid profile")
    monkeypatch.setenv("GATEWAY_OIDC_CLIENT_AUTH", "client_secret_post")
    settings = GatewaySettings()
    assert (settings.oidc_client_id, settings.oidc_scopes) == ("simpul-dashboard", "openid profile")
    assert settings.oidc_client_auth == "client_secret_post"
