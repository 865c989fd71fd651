"""PPKS cases: identified, assessed, served, closed."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from simpul_social.domain.ppks import CloseOutcome, PpksCategory
from simpul_social.schemas import Out
from simpul_social.schemas.identifiers import Nik


class PpksCaseIn(BaseModel):
    """A PPKS person identified by a kader; NIK when they have one (homeless often do not)."""

    category: PpksCategory = Field(examples=["lansia_telantar"])
    posyandu_id: str = Field(min_length=1, max_length=36)
    name: str = Field(min_length=1, max_length=120, examples=["Mbah Karto"])
    nik: Nik | None = None
    household_id: str | None = Field(default=None, max_length=36)
    identified_on: date = Field(examples=["2026-11-02"])
    note: str | None = Field(default=None, max_length=500)


class AssessIn(BaseModel):
    assessed_on: date
    needs: str = Field(min_length=1, max_length=500, examples=["makan, perawatan diri"])


class ServeIn(BaseModel):
    served_on: date
    service: str = Field(min_length=1, max_length=500, examples=["permakanan, pendampingan"])


class CloseIn(BaseModel):
    closed_on: date
    outcome: CloseOutcome = Field(examples=["rehabilitated"])
    note: str | None = Field(default=None, max_length=500)


class PpksCaseOut(Out):
    id: str
    category: str
    status: str
    posyandu_id: str
    desa_code: str
    household_id: str | None
    person_ref: str | None
    name: str
    identified_on: date
    assessed_on: date | None
    served_on: date | None
    closed_on: date | None
    needs: str | None
    service: str | None
    outcome: str | None
    created_by: str
    updated_by: str
    updated_at: datetime
