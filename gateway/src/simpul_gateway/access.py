"""Who may read DPMD's cross-field views, and over which wilayah.

DPMD and the Tim Pembina (TP) at each level read across fields within their wilayah; an OPD
or a kader reads its own field in its own service, never another field through here.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from simpul_gateway.tokens import TokenCache
from simpul_platform.auth import Authenticator, Principal, bearer_token, current_principal
from simpul_platform.errors import Forbidden
from simpul_platform.openapi import bearer_auth

CROSS_FIELD_ROLES = ("dpmd", "tp:kabupaten", "tp:kecamatan", "tp:desa")


@bearer_auth
async def cross_field_reader(request: Request) -> Principal:
    # Async on purpose: FastAPI runs a sync dependency in the thread pool, and that hop cost
    # more than everything else here put together.
    principal = await verified_principal(request)
    if not principal.has_any_role(*CROSS_FIELD_ROLES):
        raise Forbidden(
            "Cross-field views are for DPMD and TP Posyandu "
            f"({', '.join(CROSS_FIELD_ROLES)}); read your own field from its service."
        )
    return principal


async def verified_principal(request: Request) -> Principal:
    """The caller, from the token cache or verified as every service verifies it (401 if not)."""
    token = bearer_token(request)
    if token is None:
        return current_principal(request)  # 401, unless this request was verified already
    principal = await principal_of_token(request, token)
    request.state.principal = principal
    return principal


async def principal_of_token(request: Request, token: str) -> Principal:
    """The principal of a token, from the cache or verified by the app's authenticator (401 if
    it fails). The dashboard's session cookie holds the same token, so it comes here too."""
    cache: TokenCache = request.app.state.token_cache
    principal = cache.get(token)
    if principal is None:
        authenticator: Authenticator = request.app.state.authenticator
        # In a worker thread: with JWKS, verification may fetch keys over the network.
        principal = await run_in_threadpool(authenticator.authenticate, token)
        cache.put(token, principal)
    return principal


CrossFieldReader = Annotated[Principal, Depends(cross_field_reader)]
