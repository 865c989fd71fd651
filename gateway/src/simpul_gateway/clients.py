"""One typed client per field service: what the gateway reads from it.

Every field service answers ``/v1/indicators`` (a list of ``IndicatorValue``) and
``/v1/summary``; a field adds what only it knows (health: stunting per desa; social: poverty
per desa and the open priority cases). A new field is one subclass here and its URL.
"""

from __future__ import annotations

from typing import Any, ClassVar

from simpul_gateway.schemas import CrossFieldCase
from simpul_gateway.upstream import Answer, Upstream
from simpul_platform.indicators import SpmField


class FieldClient:
    field: ClassVar[SpmField]

    def __init__(self, upstream: Upstream) -> None:
        self.upstream = upstream

    async def indicators(self, token: str, wilayah: str, period: str) -> Answer:
        return await self.upstream.get(
            "/v1/indicators", token, {"wilayah": wilayah, "period": period}
        )

    async def summary(self, token: str, posyandu_id: str, period: str) -> Answer:
        return await self.upstream.get(
            "/v1/summary", token, {"posyandu_id": posyandu_id, "period": period}
        )

    def open_cases(self, summary: dict[str, Any]) -> list[CrossFieldCase]:
        """Cross-field cases this field has open in a summary (none by default)."""
        return []


class HealthClient(FieldClient):
    field = "health"

    async def stunting_by_desa(self, token: str, wilayah: str, period: str) -> Answer:
        return await self.upstream.get(
            "/v1/stunting/by-desa", token, {"wilayah": wilayah, "period": period}
        )


class SocialClient(FieldClient):
    field = "social"

    async def poverty_by_desa(self, token: str, wilayah: str, period: str) -> Answer:
        return await self.upstream.get(
            "/v1/summary/by-desa", token, {"wilayah": wilayah, "period": period}
        )

    def open_cases(self, summary: dict[str, Any]) -> list[CrossFieldCase]:
        return [
            CrossFieldCase(
                field="social",
                case_id=case["case_id"],
                kind="priority_case",
                status="open",
                due_on=case["due_on"],
                overdue=case["overdue"],
            )
            for case in summary.get("priority_cases", {}).get("open_cases", [])
        ]


def _plain(field: SpmField) -> type[FieldClient]:
    return type(f"{field.title().replace('_', '')}Client", (FieldClient,), {"field": field})


CLIENTS: dict[SpmField, type[FieldClient]] = {
    "health": HealthClient,
    "education": _plain("education"),
    "social": SocialClient,
    "housing": _plain("housing"),
    "public_works": _plain("public_works"),
    "trantib": _plain("trantib"),
}
