"""The DPMD dashboard: server-rendered pages over the gateway's own API (``api.py``), at
``/dashboard``, with their assets at ``/dashboard/assets``.

Each page module has its own router; ``router`` gathers them, and ``mount`` adds the pages,
the assets and the handlers that turn "sign in first" and "not yours" into pages.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from simpul_gateway.dashboard import (
    capaian,
    emergencies,
    loci,
    oidc,
    posyandu,
    posyandu_search,
    referrals,
    signin,
    summary,
)
from simpul_gateway.dashboard.api import PageRefused
from simpul_gateway.dashboard.render import ASSETS, page
from simpul_gateway.dashboard.session import (
    SignedIn,
    SignInRequired,
    end_session,
    sign_in_url,
)
from simpul_platform.auth import NATIONWIDE

router = APIRouter(prefix="/dashboard", include_in_schema=False)
router.include_router(signin.router)
router.include_router(oidc.router)
router.include_router(summary.router)
router.include_router(loci.router)
router.include_router(referrals.router)
router.include_router(emergencies.router)
router.include_router(posyandu.router)
router.include_router(posyandu_search.router)
router.include_router(capaian.router)


@router.get("")
async def home(principal: SignedIn) -> Response:
    """The user's first wilayah's summary."""
    first = next((w for w in principal.wilayah if w != NATIONWIDE), None)
    target = f"/dashboard/ringkasan?wilayah={first}" if first else "/dashboard/ringkasan"
    return RedirectResponse(target, status_code=303)


def mount(app: FastAPI) -> None:
    """Serve the dashboard from ``app``: its pages, its assets and its error pages."""
    app.include_router(router)
    app.mount(
        ASSETS,
        StaticFiles(packages=[("simpul_gateway.dashboard", "static")]),
        name="dashboard-assets",
    )
    app.add_exception_handler(SignInRequired, _to_sign_in)
    app.add_exception_handler(PageRefused, _refused)
    app.add_middleware(CompressedPages)


class CompressedPages:
    """Gzip for the dashboard's pages, fragments, exports and assets, where a browser on a
    village connection waits for them (a kabupaten's referral tables are ~350 KB of HTML,
    ~30 KB compressed); the API's answers go as they always have."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.gzip = GZipMiddleware(app, minimum_size=1024)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/dashboard"):
            await self.gzip(scope, receive, send)
        else:
            await self.app(scope, receive, send)


async def _to_sign_in(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SignInRequired)
    response = RedirectResponse(sign_in_url(exc.next_path), status_code=303)
    end_session(response)  # a token that no longer passes is not kept
    return response


async def _refused(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PageRefused)
    if exc.status == 403:
        keys = ("forbidden_title", "forbidden_body")
    elif exc.status == 404:
        keys = ("not_found_title", "not_found_body")
    else:
        keys = ("error_title", "error_body")
    context = {"title_key": keys[0], "body_key": keys[1], "status": exc.status}
    return page(request, "error.html", context, exc.status)
