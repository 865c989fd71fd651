"""An existing RTLH list imported from CSV: a result per row, naming the row and the column."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class ImportRowError(BaseModel):
    field: str = Field(description="the CSV column", examples=["luas_lantai"])
    rule: str = Field(examples=["unknown_code"])
    message: str


class RtlhImportRow(BaseModel):
    """A row's house and survey as the survey batch answers them (``created``, ``assessed``,
    ``unchanged``, ``error``), and the aid a handled row declares: ``recorded``, or
    ``already_recorded`` by an earlier import."""

    row: int = Field(description="the line in the file (1 = the header)", examples=[2])
    outcome: Literal["created", "assessed", "unchanged", "error"]
    house_id: str | None = None
    assessment_id: str | None = None
    rtlh_pupr: bool | None = None
    failed_pupr: list[str] = Field(default_factory=list)
    rtlh_rutilahu: bool | None = None
    failed_rutilahu: list[str] = Field(default_factory=list)
    aid: Literal["recorded", "already_recorded"] | None = None
    errors: list[ImportRowError] = Field(default_factory=list)


class RtlhImportOut(BaseModel):
    rows: list[RtlhImportRow] = Field(description="one per row, in the file's order")
    created: int
    assessed: int
    unchanged: int
    error: int
    aid_recorded: int = Field(description="aid rows this import recorded")
