"""Browsing the Kemendagri wilayah table."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from simpul_platform.auth import CurrentPrincipal
from simpul_platform.errors import NotFound
from simpul_registry import wilayah
from simpul_registry.schemas import RegionOut, WilayahOut

router = APIRouter(prefix="/v1/wilayah", tags=["wilayah"])


@router.get("", response_model=list[RegionOut], operation_id="listProvinsi")
async def list_provinsi(principal: CurrentPrincipal) -> Any:
    """The 38 provinsi of the current Kemendagri table."""
    return wilayah.children(None)


@router.get("/{code}", response_model=WilayahOut, operation_id="getWilayah")
async def get_wilayah(code: str, principal: CurrentPrincipal) -> Any:
    """One wilayah with its parent chain and its direct children."""
    region = wilayah.get_region(code)
    if region is None:
        raise NotFound(f"{code} is not a code in Kepmendagri 300.2.2-2138/2025.")
    return WilayahOut(
        **region.__dict__,
        parents=[RegionOut(**r.__dict__) for r in wilayah.parent_chain(code)],
        children=[RegionOut(**r.__dict__) for r in wilayah.children(code)],
    )
