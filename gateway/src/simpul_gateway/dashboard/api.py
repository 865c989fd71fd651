"""The pages' one source of figures: the gateway's own API, called in process with the
signed-in user's token, so the numbers are the API's and the API's rules decide what the user
may see.

A 401 sends the user to sign in (``SignInRequired``); a 403 becomes the page "Anda tidak berhak
melihat wilayah ini" with HTTP 403 (``PageRefused``). Any other answer is returned for the page
to show: a section whose call failed says so while the rest of the page still shows.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import Request

from simpul_gateway.dashboard.session import SignInRequired, session_token
from simpul_platform import context

# The in-process call needs a host for its URL; nothing listens there.
_BASE = "http://gateway.dashboard"
# Longer than any view's own budget (upstream_timeout_s per service), so a view answers with
# its sections' statuses before this gives up.
TIMEOUT_S = 30.0
# A kabupaten's matrix is twenty scorecards, each asking all six fields: sent at once, 120
# upstream calls time a field out and open its breaker for every other user of the gateway.
PAGE_CONCURRENCY = 4


class PageRefused(Exception):
    """The API refused the page's question (403, or 404 for a wilayah that does not exist)."""

    def __init__(self, status: int, detail: str = "") -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


@dataclass(frozen=True)
class ApiAnswer:
    status: int
    data: Any

    @property
    def ok(self) -> bool:
        return self.status == 200


async def get(request: Request, path: str, params: dict[str, Any] | None = None) -> ApiAnswer:
    """GET one of the gateway's API routes as the signed-in user."""
    token = session_token(request)
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if token is None:
        raise SignInRequired(here)
    # A crash in a view is a 500 answer for the page to show, not an exception here.
    transport = httpx.ASGITransport(app=request.app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url=_BASE, timeout=TIMEOUT_S) as client:
        response = await client.get(
            path,
            params={k: v for k, v in (params or {}).items() if v is not None},
            headers=_headers(token),
        )
    if response.status_code == 401:
        raise SignInRequired(here)
    if response.status_code == 403:
        raise PageRefused(403, _detail(response))
    try:
        data = response.json()
    except ValueError:
        data = None
    return ApiAnswer(response.status_code, data)


async def get_all(request: Request, *calls: tuple[str, dict[str, Any]]) -> list[ApiAnswer]:
    """Several API calls at once, at most ``PAGE_CONCURRENCY`` in flight: the page waits for
    its slowest call, and never floods the fields."""
    gate = asyncio.Semaphore(PAGE_CONCURRENCY)

    async def one(path: str, params: dict[str, Any]) -> ApiAnswer:
        async with gate:
            return await get(request, path, params)

    return list(await asyncio.gather(*(one(path, params) for path, params in calls)))


def _headers(token: str) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    # The page's request id and trace go with its API calls, so one page view is one trail in
    # the logs (and in the upstream services' logs the API calls reach).
    for name, var in (("x-request-id", context.request_id), ("traceparent", context.traceparent)):
        value = var.get()
        if value:
            headers[name] = value
    return headers


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    return str(body.get("detail", "")) if isinstance(body, dict) else ""
