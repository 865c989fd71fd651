"""The usulan workflow: proposal, the musyawarah desa's verdict, Dinas Sosial's decision."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from simpul_social.domain.usulan import UsulanStatus
from simpul_social.schemas import Out


class UsulanIn(BaseModel):
    """A kader proposes a household as poor."""

    household_id: str = Field(min_length=1, max_length=36)
    reason: str = Field(
        min_length=3, max_length=500, examples=["Kepala keluarga sakit, tidak bekerja"]
    )


class VerifyIn(BaseModel):
    """The musyawarah desa that verified the usulan."""

    musdes_date: date = Field(examples=["2026-11-10"])
    musdes_reference: str = Field(min_length=1, max_length=80, examples=["BA-MUSDES/11/2026"])
    note: str | None = Field(default=None, max_length=500)


class ValidateIn(BaseModel):
    """Dinas Sosial validates; a decile given here is recorded with source ``usulan``."""

    decile: int | None = Field(default=None, ge=1, le=10, examples=[2])
    note: str | None = Field(default=None, max_length=500)


class RejectIn(BaseModel):
    reason: str = Field(min_length=3, max_length=500, examples=["Memiliki usaha dan kendaraan"])


class UsulanStepOut(Out):
    action: str
    from_status: str | None
    to_status: str
    note: str | None
    actor: str
    at: datetime


class UsulanOut(Out):
    id: str
    household_id: str
    posyandu_id: str
    desa_code: str
    status: UsulanStatus
    reason: str
    musdes_date: date | None
    musdes_reference: str | None
    rejection_reason: str | None
    proposed_by: str
    proposed_at: datetime
    updated_by: str
    updated_at: datetime
    history: list[UsulanStepOut] = Field(default_factory=list)
