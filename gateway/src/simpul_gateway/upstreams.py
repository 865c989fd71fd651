"""The services the gateway composes, one ``Upstream`` each, built from settings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from fastapi import Request

from simpul_gateway.clients import (
    CLIENTS,
    EducationClient,
    FieldClient,
    HealthClient,
    HousingClient,
    PublicWorksClient,
    SocialClient,
    TrantibClient,
)
from simpul_gateway.settings import GatewaySettings
from simpul_gateway.upstream import CircuitBreaker, Upstream
from simpul_platform.indicators import SPM_FIELDS, SpmField


@dataclass
class Upstreams:
    registry: Upstream
    fields: dict[SpmField, FieldClient]

    @classmethod
    def from_settings(cls, settings: GatewaySettings) -> Upstreams:
        def build(name: str, url: str) -> Upstream:
            breaker = CircuitBreaker(settings.breaker_failures, settings.breaker_reset_s)
            return Upstream(
                name,
                url,
                timeout_s=settings.upstream_timeout_s,
                retries=settings.upstream_retries,
                breaker=breaker,
            )

        urls = settings.field_urls()
        return cls(
            registry=build("registry", settings.registry_url),
            fields={field: CLIENTS[field](build(field, urls[field])) for field in SPM_FIELDS},
        )

    @property
    def health(self) -> HealthClient:
        return cast(HealthClient, self.fields["health"])

    @property
    def education(self) -> EducationClient:
        return cast(EducationClient, self.fields["education"])

    @property
    def housing(self) -> HousingClient:
        return cast(HousingClient, self.fields["housing"])

    @property
    def public_works(self) -> PublicWorksClient:
        return cast(PublicWorksClient, self.fields["public_works"])

    @property
    def social(self) -> SocialClient:
        return cast(SocialClient, self.fields["social"])

    @property
    def trantib(self) -> TrantibClient:
        return cast(TrantibClient, self.fields["trantib"])

    def all(self) -> list[Upstream]:
        return [self.registry, *(client.upstream for client in self.fields.values())]

    async def close(self) -> None:
        for upstream in self.all():
            await upstream.close()


def upstreams(request: Request) -> Upstreams:
    result: Upstreams = request.app.state.upstreams
    return result
