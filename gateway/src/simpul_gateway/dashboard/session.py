"""The dashboard's session: the bearer JWT itself in the ``simpul_session`` cookie.

Nothing is stored on the server: the cookie holds the token the API accepts, verified exactly
as the API verifies a bearer token (``access.principal_of_token``: the same authenticator and
token cache), and it lasts until the token's ``exp``. Sign-in by a pasted or minted token, or
(later) by OIDC, ends in ``start_session``; sign-out in ``end_session``.
"""

from __future__ import annotations

import time
from typing import Annotated
from urllib.parse import quote

import jwt
from fastapi import Depends, Request, Response

from simpul_gateway.access import principal_of_token
from simpul_platform.auth import Principal
from simpul_platform.errors import ProblemError

COOKIE = "simpul_session"
COOKIE_PATH = "/dashboard"
SIGN_IN = "/dashboard/masuk"


class SignInRequired(Exception):
    """No session, or its token no longer passes: the user signs in, then comes back to
    ``next_path``."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


def sign_in_url(next_path: str | None) -> str:
    return f"{SIGN_IN}?next={quote(next_path, safe='')}" if next_path else SIGN_IN


def safe_next(next_path: str | None) -> str:
    """Where to go after signing in: a dashboard path only, never another site (``//evil``)."""
    if next_path and next_path.startswith("/dashboard") and not next_path.startswith("//"):
        return next_path
    return "/dashboard"


def session_token(request: Request) -> str | None:
    token = request.cookies.get(COOKIE, "").strip()
    return token or None


async def signed_in(request: Request) -> Principal:
    """Dependency: the signed-in user, verified as the API verifies a bearer token; without a
    session that passes, a redirect to sign in (``SignInRequired``)."""
    token = session_token(request)
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if token is None:
        raise SignInRequired(here)
    try:
        principal = await principal_of_token(request, token)
    except ProblemError as exc:  # 401 (expired, forged) or 503 (the JWKS cannot be fetched)
        if exc.status == 401:
            raise SignInRequired(here) from exc
        raise
    request.state.principal = principal
    return principal


SignedIn = Annotated[Principal, Depends(signed_in)]


def start_session(response: Response, token: str, request: Request) -> None:
    """Keep an already verified ``token`` as the session: HttpOnly, SameSite=Lax, Secure over
    https, and gone when the token expires."""
    response.set_cookie(
        COOKIE,
        token,
        max_age=max(0, int(_expires_at(token) - time.time())),
        path=COOKIE_PATH,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )


def end_session(response: Response) -> None:
    response.delete_cookie(COOKIE, path=COOKIE_PATH, httponly=True, samesite="lax")


def _expires_at(token: str) -> float:
    # Called only with a token that passed verification, which requires "exp".
    claims = jwt.decode(token, options={"verify_signature": False})
    return float(claims["exp"])
