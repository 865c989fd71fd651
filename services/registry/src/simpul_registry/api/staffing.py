"""Staffing for a whole wilayah: kader active per field, fields without a ketua bidang or kader,
pengurus posts empty (per kecamatan and desa), and the posyandu behind the gaps."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from simpul_platform import clock
from simpul_platform.auth import Principal
from simpul_platform.db import MAX_SQL_OFFSET
from simpul_platform.errors import NotFound
from simpul_platform.uow import SessionDep
from simpul_platform.wilayah import RequiredWilayahQuery
from simpul_registry import wilayah as wilayah_table
from simpul_registry.api.deps import AggregateReader, SettingsDep
from simpul_registry.domain.fields import SpmField
from simpul_registry.domain.lifecycle import Status
from simpul_registry.domain.staffing import FIELDS, Tally
from simpul_registry.ops.staffing import desa_tallies, gap_page
from simpul_registry.schemas_staffing import (
    FieldStaffing,
    StaffingGap,
    StaffingGapPage,
    StaffingOut,
    StaffingRow,
)

router = APIRouter(prefix="/v1/staffing", tags=["staffing"])
StatusQuery = Annotated[
    Status | None,
    Query(description="Only posyandu of this status; by default every posyandu but the inactive"),
]


def _region(code: str, principal: Principal) -> wilayah_table.Region:
    principal.require_wilayah(code)
    region = wilayah_table.get_region(code)
    if region is None:
        raise NotFound(f"{code} is not a code in Kepmendagri 300.2.2-2138/2025.")
    return region


def _row(code: str, tally: Tally) -> StaffingRow:
    region = wilayah_table.get_region(code)
    return StaffingRow(
        code=code,
        name=region.name if region else code,
        posyandu=tally.posyandu,
        kader_active=sum(tally.kader_active.values()),
        fields=[
            FieldStaffing(
                field=f,
                kader_active=tally.kader_active[f],
                posyandu_running=tally.running[f],
                without_ketua_bidang=tally.without_ketua_bidang[f],
                without_kader=tally.without_kader[f],
            )
            for f in FIELDS
        ],
        missing_pengurus=tally.missing_pengurus,
        empty_posts=tally.empty_posts,
    )


@router.get("", response_model=StaffingOut, operation_id="getStaffing")
async def get_staffing(
    session: SessionDep,
    principal: AggregateReader,
    settings: SettingsDep,
    wilayah: RequiredWilayahQuery,
    status: StatusQuery = None,
) -> Any:
    """Kader active per field, fields without ketua bidang or kader, and empty pengurus posts."""
    _region(wilayah, principal)
    today = clock.local_today(settings)
    per_desa = await desa_tallies(session, wilayah, today, status)
    total, per_kecamatan = Tally(), dict[str, Tally]()
    for (kecamatan, _), tally in sorted(per_desa.items()):
        total.add(tally)
        per_kecamatan.setdefault(kecamatan, Tally()).add(tally)
    return StaffingOut(
        wilayah=_row(wilayah, total),
        as_of=today,
        status=status,
        kecamatan=[_row(code, tally) for code, tally in sorted(per_kecamatan.items())],
        desa=[_row(desa, tally) for (_, desa), tally in sorted(per_desa.items())],
    )


@router.get("/gaps", response_model=StaffingGapPage, operation_id="listStaffingGaps")
async def list_staffing_gaps(
    session: SessionDep,
    principal: AggregateReader,
    settings: SettingsDep,
    wilayah: RequiredWilayahQuery,
    status: StatusQuery = None,
    field: Annotated[
        SpmField | None,
        Query(description="Only posyandu running this field without its ketua bidang or kader"),
    ] = None,
    page: int = Query(default=1, ge=1, le=MAX_SQL_OFFSET // 500),
    page_size: int = Query(default=50, ge=1, le=500),
) -> Any:
    """The posyandu with an empty post or a field lacking ketua bidang or kader, by desa."""
    _region(wilayah, principal)
    total, rows = await gap_page(
        session,
        wilayah,
        clock.local_today(settings),
        status,
        field.value if field else None,
        page,
        page_size,
    )
    items = [
        StaffingGap(
            posyandu_id=r.posyandu_id,
            name=r.name,
            desa_code=r.desa_code,
            kecamatan_code=r.kecamatan_code,
            status=Status(r.status),
            fields=r.fields,
            kader_active=r.kader_active,
            missing_pengurus=r.gaps.missing_pengurus,
            fields_without_ketua_bidang=r.gaps.fields_without_ketua_bidang,
            fields_without_kader=r.gaps.fields_without_kader,
            empty_posts=r.gaps.empty_posts,
        )
        for r in rows
    ]
    return StaffingGapPage(items=items, total=total, page=page, page_size=page_size)
