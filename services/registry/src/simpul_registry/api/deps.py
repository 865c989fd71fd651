"""Shared dependencies: who may do what, and loading a posyandu the caller may see."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform.auth import AGGREGATE_READER_ROLES, Principal, require_roles
from simpul_platform.settings import settings_dep
from simpul_registry.domain.lifecycle import DPMD, TP_KECAMATAN
from simpul_registry.models import Posyandu
from simpul_registry.ops.posyandu import get_posyandu
from simpul_registry.settings import RegistrySettings

Writer = Annotated[Principal, Depends(require_roles(DPMD))]
# A posyandu's days and its kader's attendance: its own pengurus (within their wilayah), or DPMD.
PENGURUS = "pengurus"
DayWriter = Annotated[Principal, Depends(require_roles(DPMD, PENGURUS))]
# Aggregates and rosters: DPMD and the Tim Pembina, each within their wilayah.
AggregateReader = Annotated[Principal, Depends(require_roles(*AGGREGATE_READER_ROLES))]
Verifier = Annotated[Principal, Depends(require_roles(TP_KECAMATAN))]
SettingsDep = Annotated[RegistrySettings, settings_dep(RegistrySettings)]


async def load_visible(session: AsyncSession, posyandu_id: str, principal: Principal) -> Posyandu:
    """The posyandu, or 404; 403 when it lies outside the caller's wilayah."""
    posyandu = await get_posyandu(session, posyandu_id)
    principal.require_wilayah(posyandu.desa_code)
    return posyandu
