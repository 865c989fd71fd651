"""Signing in and out: paste a token (any deployment), or in development mint one for a role
and a wilayah; sign-out ends the session. Forms are posted URL-encoded and read here."""

from __future__ import annotations

import contextlib
import re
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from simpul_gateway.access import principal_of_token
from simpul_gateway.dashboard import csrf, oidc_provider
from simpul_gateway.dashboard.i18n import chosen_lang, labels
from simpul_gateway.dashboard.render import page
from simpul_gateway.dashboard.session import (
    COOKIE_PATH,
    SignInRequired,
    end_session,
    safe_next,
    signed_in,
    start_session,
)
from simpul_gateway.settings import GatewaySettings
from simpul_platform.auth import mint_token
from simpul_platform.errors import ProblemError
from simpul_platform.settings import DEV_JWT_SECRET, ServiceSettings
from simpul_platform.wilayah import WILAYAH_PATTERN

router = APIRouter()
DEV_ROLES = ("dpmd", "tp:kabupaten", "tp:kecamatan", "tp:desa")
MAX_FORM_BYTES = 16 * 1024  # a JWT is a few hundred bytes to a few KB


def dev_mint_allowed(settings: ServiceSettings) -> bool:
    """Minting is for development only: the environment says so and tokens are signed with the
    development secret (a deployment with its own key never mints on a web page)."""
    return (
        settings.environment == "development"
        and settings.jwt_algorithm == "HS256"
        and settings.jwt_secret == DEV_JWT_SECRET
    )


def mint_dev_token(settings: ServiceSettings, role: str, wilayah: str) -> str | None:
    """A development token for ``role`` over ``wilayah``; None when minting is not allowed here
    or the role or code is not one the form offers."""
    if not dev_mint_allowed(settings):
        return None
    if role not in DEV_ROLES or not re.fullmatch(WILAYAH_PATTERN, wilayah):
        return None
    return mint_token(settings, f"dashboard-dev:{role}:{wilayah}", [role], [wilayah])


@router.get("/masuk", response_class=HTMLResponse)
async def sign_in_form(request: Request, next: str | None = None) -> Response:
    """The sign-in page."""
    return _form(request, next)


@router.post("/masuk", response_class=HTMLResponse)
async def sign_in(request: Request) -> Response:
    """Sign in with a pasted token: verified as the API verifies it, then kept as the session."""
    form = await _read_form(request)
    token, next_path = form.get("token", "").strip(), form.get("next")
    if not csrf.passes(request, form):
        return _form(request, next_path, error="csrf_invalid", status=400)
    if not token:
        return _form(request, next_path, error="token_invalid", status=400)
    try:
        await principal_of_token(request, token)
    except ProblemError as exc:
        return _form(request, next_path, error="token_invalid", detail=exc.detail, status=400)
    return _signed_in(request, token, next_path)


@router.post("/masuk/dev", response_class=HTMLResponse)
async def sign_in_dev(request: Request) -> Response:
    """Development only: mint a token for the chosen role and wilayah and sign in with it."""
    settings: ServiceSettings = request.app.state.settings
    if not dev_mint_allowed(settings):
        return _form(request, None, error="mint_refused", status=403)
    form = await _read_form(request)
    if not csrf.passes(request, form):
        return _form(request, form.get("next"), error="csrf_invalid", status=400)
    token = mint_dev_token(settings, form.get("role", ""), form.get("wilayah", "").strip())
    if token is None:
        return _form(request, form.get("next"), error="mint_invalid", status=400)
    return _signed_in(request, token, form.get("next"))


@router.post("/keluar")
async def sign_out(request: Request) -> Response:
    """Sign out: the session cookie is removed, and a session that came from the identity
    provider ends there too when it offers RP-initiated logout."""
    if not csrf.passes(request, await _read_form(request)):
        return await _sign_out_refused(request)
    target = await oidc_provider.logout_url(request) or "/dashboard/masuk"
    response = RedirectResponse(target, status_code=303)
    end_session(response)
    response.delete_cookie(oidc_provider.ORIGIN_COOKIE, path=COOKIE_PATH, httponly=True)
    return response


async def _sign_out_refused(request: Request) -> Response:
    """A sign-out without this browser's CSRF token: 400, and the page again with the header's
    sign-out form (and a fresh token) when the user is still signed in."""
    with contextlib.suppress(SignInRequired, ProblemError):
        await signed_in(request)  # else no session that passes: the page shows without a user
    context = {"title_key": "csrf_title", "body_key": "csrf_invalid", "status": 400}
    return page(request, "error.html", context, 400)


def form_page(
    request: Request,
    next_path: str | None,
    *,
    error: str | None = None,
    detail: str | None = None,
    status: int = 200,
) -> Response:
    """The sign-in page, with ``error``'s label (and ``detail``) when a sign-in was refused."""
    return _form(request, next_path, error=error, detail=detail, status=status)


def _signed_in(request: Request, token: str, next_path: str | None) -> Response:
    response = RedirectResponse(safe_next(next_path), status_code=303)
    start_session(response, token, request)
    return response


def _form(
    request: Request,
    next_path: str | None,
    *,
    error: str | None = None,
    detail: str | None = None,
    status: int = 200,
) -> Response:
    settings: ServiceSettings = request.app.state.settings
    context: dict[str, Any] = {
        "next": safe_next(next_path),
        "error": labels(chosen_lang(request))[error] if error else None,
        "error_detail": detail,
        "dev_mint": dev_mint_allowed(settings),
        "dev_roles": DEV_ROLES,
        "oidc_name": _oidc_name(settings),
    }
    return page(request, "signin.html", context, status)


def _oidc_name(settings: ServiceSettings) -> str | None:
    """The provider's name for the "Masuk dengan …" button; None when OIDC is not set up."""
    if isinstance(settings, GatewaySettings) and settings.oidc_enabled:
        return oidc_provider.provider_name(settings)
    return None


async def _read_form(request: Request) -> dict[str, str]:
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        return {}
    parsed = parse_qs(body.decode("utf-8", errors="replace"), max_num_fields=10)
    return {key: values[0] for key, values in parsed.items()}
