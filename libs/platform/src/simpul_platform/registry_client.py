"""Asking the registry about one posyandu, on behalf of the caller of the current request.

A field service's posyandu replica learns of a new posyandu from the registry's events, a
moment after the registry answered 201. A write about that posyandu in that moment is
confirmed with the registry over REST instead (``replica.require_active_posyandu``), so a
client that creates a posyandu and at once writes about it is not refused. The caller's own
bearer token goes along: the registry's read route takes any authenticated caller and shows
them the posyandu of their wilayah, exactly what the field service would allow them.

``RegistryCaller`` (installed by ``create_service_app``) binds the app's ``RegistryClient``
and the caller's credentials to each request; outside a request nothing is bound, and the
replica's word is final.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any
from urllib.parse import quote

import httpx
from starlette.types import ASGIApp, Receive, Scope, Send

from simpul_platform import context, tracing
from simpul_platform.errors import Forbidden
from simpul_platform.settings import ServiceSettings

Lookup = Callable[[str], Awaitable[dict[str, Any] | None]]


class RegistryUnreachable(Exception):
    """The registry could not say whether it knows the posyandu (not configured, down, slow,
    or refusing the caller's token); asking again later may succeed."""


class RegistryClient:
    """``GET /v1/posyandu/{id}`` on the registry at ``settings.registry_url``."""

    def __init__(
        self, settings: ServiceSettings, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self.url = settings.registry_url.rstrip("/")
        self.timeout = settings.registry_timeout_s
        self.transport = transport
        self._client: httpx.AsyncClient | None = None

    async def posyandu(self, posyandu_id: str, authorization: str) -> dict[str, Any] | None:
        """The registry's record of the posyandu, or None when it has none."""
        if not self.url:
            raise RegistryUnreachable("no registry_url is configured")
        headers = {"Authorization": authorization}
        if (request_id := context.request_id.get()) is not None:
            headers["X-Request-ID"] = request_id
        try:
            with tracing.client_call("GET registry /v1/posyandu/{posyandu_id}") as trace_headers:
                response = await self._http().get(
                    f"/v1/posyandu/{quote(posyandu_id, safe='')}",
                    headers={**headers, **trace_headers},
                )
        except httpx.HTTPError as exc:
            raise RegistryUnreachable(f"{type(exc).__name__}: {exc}") from exc
        if response.status_code == 404:
            return None
        if response.status_code == 403:
            raise Forbidden(_detail(response) or "The registry refused this posyandu to you.")
        if response.status_code != 200:
            raise RegistryUnreachable(f"the registry answered {response.status_code}")
        record: dict[str, Any] = response.json()
        return record

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(
                base_url=self.url, timeout=self.timeout, transport=self.transport
            )
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None


def _detail(response: httpx.Response) -> str | None:
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        return None
    return detail if isinstance(detail, str) else None


_lookup: ContextVar[Lookup | None] = ContextVar("registry_lookup", default=None)


def current_lookup() -> Lookup | None:
    """Ask the registry about a posyandu as the current request's caller; None outside a
    request that carries credentials."""
    return _lookup.get()


class RegistryCaller:
    """Binds ``app.state.registry`` and the request's Authorization header for the request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client: RegistryClient | None = (
            getattr(scope["app"].state, "registry", None) if scope["type"] == "http" else None
        )
        authorization = next(
            (v.decode("latin-1") for k, v in scope.get("headers", []) if k == b"authorization"),
            None,
        )
        if client is None or not authorization:
            await self.app(scope, receive, send)
            return

        async def lookup(posyandu_id: str) -> dict[str, Any] | None:
            return await client.posyandu(posyandu_id, authorization)

        token = _lookup.set(lookup)
        try:
            await self.app(scope, receive, send)
        finally:
            _lookup.reset(token)
