"""Signing in and out: paste a token (any deployment), or in development mint one for a role
and a wilayah; sign-out ends the session. Forms are posted URL-encoded and read here."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from simpul_gateway.access import principal_of_token
from simpul_gateway.dashboard.i18n import chosen_lang, labels
from simpul_gateway.dashboard.render import page
from simpul_gateway.dashboard.session import end_session, safe_next, start_session
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
    token = mint_dev_token(settings, form.get("role", ""), form.get("wilayah", "").strip())
    if token is None:
        return _form(request, form.get("next"), error="mint_invalid", status=400)
    return _signed_in(request, token, form.get("next"))


@router.post("/keluar")
async def sign_out() -> Response:
    """Sign out: the session cookie is removed."""
    response = RedirectResponse("/dashboard/masuk", status_code=303)
    end_session(response)
    return response


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
    }
    return page(request, "signin.html", context, status)


async def _read_form(request: Request) -> dict[str, str]:
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        return {}
    parsed = parse_qs(body.decode("utf-8", errors="replace"), max_num_fields=10)
    return {key: values[0] for key, values in parsed.items()}
