"""Signing in by the deployment's identity provider: the OIDC authorization-code flow with PKCE.

``GET /dashboard/masuk/oidc?next=…`` sends the browser to the provider with a fresh state,
nonce and PKCE challenge (kept in a signed, short-lived cookie); the provider sends it back to
``GET /dashboard/masuk/oidc/callback?code&state``, where the state is checked, the code
exchanged, the ID token verified, and the provider's **access token**, once the API's own
verification accepts it, becomes the session (``start_session``), as a pasted token would.
Every refusal is the sign-in page with a message saying why, never a 500.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from simpul_gateway.access import principal_of_token
from simpul_gateway.dashboard import oidc_provider as op
from simpul_gateway.dashboard.session import COOKIE, COOKIE_PATH, safe_next, start_session
from simpul_gateway.dashboard.signin import form_page
from simpul_platform.errors import ProblemError

router = APIRouter()
# A browser keeps a cookie's name and value up to 4096 bytes; the rest of the header is ours.
MAX_SESSION_TOKEN = 4096 - len(COOKIE) - 1


@router.get("/masuk/oidc", response_class=HTMLResponse)
async def start(request: Request, next: str | None = None) -> Response:
    """Off to the provider, with this sign-in's state, nonce and PKCE challenge."""
    provider = op.provider_of(request)
    if provider is None:
        return form_page(request, next, error="oidc_off", status=404)
    try:
        found = await provider.discovery()
    except op.OidcError as exc:
        return form_page(request, next, error=exc.key, detail=exc.detail, status=exc.status)
    pending = op.new_pending(safe_next(next))
    response = RedirectResponse(
        provider.authorization_url(found, op.redirect_uri(request), pending), status_code=303
    )
    op.keep_pending(response, request, provider.settings, pending)
    return response


@router.get("/masuk/oidc/callback", response_class=HTMLResponse, name="oidc_callback")
async def callback(request: Request) -> Response:
    """Back from the provider: checked, exchanged, verified, then signed in (or refused)."""
    try:
        token, next_path = await _signed_in_token(request)
    except op.OidcError as exc:
        response = form_page(request, None, error=exc.key, detail=exc.detail, status=exc.status)
        op.forget_pending(response)
        return response
    response = RedirectResponse(safe_next(next_path), status_code=303)
    start_session(response, token, request)
    _remember_origin(response, request)
    op.forget_pending(response)
    return response


async def _signed_in_token(request: Request) -> tuple[str, str]:
    """The access token that becomes the session and where to go next; OidcError if not."""
    provider = op.provider_of(request)
    if provider is None:
        raise op.OidcError("oidc_off", status=404)
    query = request.query_params
    if "error" in query:  # RFC 6749 §4.1.2.1: access_denied, login_required...
        said = " ".join(query.get(k, "") for k in ("error", "error_description")).strip()
        raise op.OidcError("oidc_provider_error", said[:300])
    pending = op.pending_of(request, provider.settings)
    if not op.same(query.get("state", ""), pending.state):
        raise op.OidcError("oidc_state_invalid", "the state is not this sign-in's")
    code = query.get("code", "")
    if not code:
        raise op.OidcError("oidc_state_invalid", "the provider sent no code")
    answer = await provider.exchange(code, op.redirect_uri(request), pending.verifier)
    access_token: str = answer["access_token"]
    await provider.verify_id_token(answer["id_token"], pending.nonce, access_token)
    if len(access_token) > MAX_SESSION_TOKEN:
        raise op.OidcError(
            "oidc_token_too_large", f"{len(access_token)} bytes, at most {MAX_SESSION_TOKEN}"
        )
    try:
        await principal_of_token(request, access_token)  # exactly as the API verifies it
    except ProblemError as exc:
        status = 503 if exc.status == 503 else 400
        raise op.OidcError("oidc_token_refused", exc.detail, status) from exc
    return access_token, pending.next_path


def _remember_origin(response: Response, request: Request) -> None:
    """Mark the session as the provider's, so that sign-out ends the provider's session too
    (the mark carries no secret; it ends with the browser's session or at sign-out)."""
    response.set_cookie(
        op.ORIGIN_COOKIE,
        "oidc",
        path=COOKIE_PATH,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
