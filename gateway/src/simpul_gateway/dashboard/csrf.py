"""Double-submit CSRF tokens for the dashboard's forms that change who is signed in (paste,
development mint, sign-out).

A random value lives in a SameSite=Strict, HttpOnly cookie and in each form's hidden field;
a POST passes only when both are present and equal (compared in constant time). Another site
can make a browser post a form here, but it can neither read the cookie nor set it, so it
cannot fill in the field. Every page makes sure the cookie exists (``token_for`` then
``keep``), because the sign-out form is in every page's header.
"""

from __future__ import annotations

import hmac
import secrets

from fastapi import Request, Response

from simpul_gateway.dashboard.session import COOKIE_PATH

COOKIE = "simpul_csrf"
FIELD = "csrf"
_URLSAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
_NEW = "dashboard_csrf_new"  # request.state: a token minted for this response, to be set


def token_for(request: Request) -> str:
    """The token this request's forms carry: the cookie's, or a new one (set by ``keep``).

    A Strict cookie is not sent on a navigation from another site, so a page opened from a
    link mints a new one; the response replaces the cookie, and the page's forms match it."""
    current = request.cookies.get(COOKIE, "")
    if _well_formed(current):
        return current
    minted = getattr(request.state, _NEW, None)
    if minted is None:
        minted = secrets.token_urlsafe(32)
        setattr(request.state, _NEW, minted)
    return str(minted)


def keep(response: Response, request: Request) -> None:
    """Set the cookie when ``token_for`` minted a token for this request."""
    minted = getattr(request.state, _NEW, None)
    if minted is None:
        return
    response.set_cookie(
        COOKIE,
        str(minted),
        path=COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


def passes(request: Request, form: dict[str, str]) -> bool:
    """True when the form's field equals the cookie: both present, compared in constant time."""
    cookie, field = request.cookies.get(COOKIE, ""), form.get(FIELD, "")
    if not (_well_formed(cookie) and _well_formed(field)):
        return False
    return hmac.compare_digest(cookie.encode(), field.encode())


def _well_formed(value: str) -> bool:
    # token_urlsafe(32) is 43 characters; anything else is not one of ours.
    return len(value) == 43 and _URLSAFE.issuperset(value)
