"""Where a field service under test confirms a posyandu its replica does not know yet.

A field service asks the registry's ``GET /v1/posyandu/{id}`` on such a miss
(``replica.confirm_with_registry``). In-process tests point that at an in-process registry
(``httpx.ASGITransport(registry_app)``) or at a ``RegistryStub`` that knows only the posyandu
it is told of.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
from fastapi import FastAPI

from simpul_platform.registry_client import RegistryClient


def answer_from(app: FastAPI, transport: httpx.AsyncBaseTransport) -> None:
    """The app's registry client, talking to ``transport`` instead of the network."""
    settings = app.state.settings
    url = settings.registry_url or "http://registry"
    app.state.registry = RegistryClient(
        settings.model_copy(update={"registry_url": url}), transport=transport
    )


class RegistryStub:
    """The registry's read route: the posyandu given to ``know``, 404 for every other."""

    def __init__(self) -> None:
        self.records: dict[str, dict[str, Any]] = {}

    def know(
        self,
        posyandu_id: str,
        desa_code: str,
        *,
        status: str = "registered",
        fields: tuple[str, ...] = (),
        version: int = 1,
    ) -> None:
        self.records[posyandu_id] = {
            "id": posyandu_id,
            "name": f"Posyandu {posyandu_id[:4]}",
            "desa_code": desa_code,
            "status": status,
            "fields": list(fields),
            "registration_number": None,
            "version": version,
            "updated_at": datetime.now(UTC).isoformat(),
        }

    def install(self, app: FastAPI) -> None:
        answer_from(app, httpx.MockTransport(self._answer))

    def _answer(self, request: httpx.Request) -> httpx.Response:
        record = self.records.get(request.url.path.rsplit("/", 1)[-1])
        if record is None:
            return httpx.Response(404, json={"status": 404, "title": "Not found"})
        return httpx.Response(200, json=record)
