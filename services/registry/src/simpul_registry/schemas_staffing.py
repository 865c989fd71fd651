"""Staffing for a wilayah: kader active per field, fields without a ketua bidang or kader,
empty pengurus posts."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from simpul_registry.domain.lifecycle import Status


class FieldStaffing(BaseModel):
    field: str
    kader_active: int = Field(description="Active kader of this field")
    posyandu_running: int = Field(description="Posyandu that run this field")
    without_ketua_bidang: int = Field(description="Posyandu running it with no active ketua bidang")
    without_kader: int = Field(description="Posyandu running it with no active kader")


class StaffingRow(BaseModel):
    code: str
    name: str
    posyandu: int
    kader_active: int
    fields: list[FieldStaffing]
    missing_pengurus: dict[str, int] = Field(
        description="Posyandu without an active ketua, sekretaris, bendahara"
    )
    empty_posts: int = Field(
        description="Unfilled board posts: ketua, sekretaris, bendahara, and a ketua bidang for "
        "each field a posyandu runs"
    )


class StaffingOut(BaseModel):
    wilayah: StaffingRow
    as_of: date
    status: Status | None = Field(description="Only posyandu of this status; none = all active")
    kecamatan: list[StaffingRow]
    desa: list[StaffingRow]


class StaffingGap(BaseModel):
    posyandu_id: str
    name: str
    desa_code: str
    kecamatan_code: str
    status: Status
    fields: list[str]
    kader_active: dict[str, int]
    missing_pengurus: list[str]
    fields_without_ketua_bidang: list[str]
    fields_without_kader: list[str]
    empty_posts: int


class StaffingGapPage(BaseModel):
    items: list[StaffingGap]
    total: int
    page: int
    page_size: int
