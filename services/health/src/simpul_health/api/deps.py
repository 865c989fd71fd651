"""Who may do what, and the checks every write shares."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy.engine import RowMapping
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_health.domain import RuleViolation
from simpul_health.models import Target
from simpul_health.settings import HealthSettings
from simpul_platform.auth import AGGREGATE_READER_ROLES, Principal, require_roles
from simpul_platform.errors import InvalidInput, NotFound
from simpul_platform.replica import require_active_posyandu

HEALTH_ROLES = ("opd:health", "kader:health")
AGGREGATE_ROLES = (*HEALTH_ROLES, *AGGREGATE_READER_ROLES)

# Writes and person-level reads: Dinas Kesehatan and health kader, within their wilayah.
HealthUser = Annotated[Principal, Depends(require_roles(*HEALTH_ROLES))]
# Aggregates (indicators): also DPMD and the gateway.
AggregateReader = Annotated[Principal, Depends(require_roles(*AGGREGATE_ROLES))]


def _settings(request: Request) -> HealthSettings:
    settings: HealthSettings = request.app.state.settings
    return settings


SettingsDep = Annotated[HealthSettings, Depends(_settings)]


def invalid(violation: RuleViolation) -> InvalidInput:
    return InvalidInput.field(violation.field, violation.rule, violation.message)


async def writable_posyandu(
    session: AsyncSession, principal: Principal, posyandu_id: str
) -> RowMapping:
    """The posyandu from the local replica: known, active and inside the caller's wilayah."""
    row = await require_active_posyandu(session, posyandu_id)
    principal.require_wilayah(row["desa_code"])
    return row


async def visible_target(session: AsyncSession, principal: Principal, target_id: str) -> Target:
    """A target the caller may see; 404 otherwise (existence of a person is sensitive)."""
    target = await session.get(Target, target_id)
    if target is None:
        raise NotFound(f"No target {target_id}.")
    principal.require_wilayah(target.desa_code, hide=True)
    return target


def codes(desa_code: str) -> dict[str, Any]:
    parts = desa_code.split(".")
    return {
        "desa_code": desa_code,
        "kecamatan_code": ".".join(parts[:3]),
        "kabupaten_code": ".".join(parts[:2]),
    }
